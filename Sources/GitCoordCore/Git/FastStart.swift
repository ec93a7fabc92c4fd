import CFastStart

/// A reference to the CFastStart C target, so that no linker drops it: linking it is what makes libgit2's
/// start-up skip the CA bundle (see Sources/CFastStart/fast_start.c).
enum FastStart {
    static var isLinked: Bool { git_coord_fast_start_linked() == 1 }
}
