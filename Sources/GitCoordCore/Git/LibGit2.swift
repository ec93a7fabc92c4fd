import CGitCoordStartup
import CLibGit2

/// libgit2 must be initialised once per process; a `static let` gives exactly that, lazily and thread-safely.
enum LibGit2 {
    private static let initialised: Bool = {
        git_coord_libgit2_init()
        // `git sparse-checkout` sets extensions.worktreeConfig, which libgit2 1.5.1 refuses by default.
        // git-coord reads and writes only the shared config, so opening such a repository is safe.
        "worktreeconfig".withCString { name in
            var names: [UnsafePointer<CChar>?] = [name]
            _ = git_coord_opts_set_extensions(&names, 1)
        }
        // As git does on every read, objects are not hashed again when read: an inbox of a thousand items reads
        // three thousand of them. A damaged payload still fails to parse and is skipped; `git fsck` verifies.
        _ = git_coord_opts_strict_hash_verification(0)
        return true
    }()

    static func ensureInitialised() { _ = initialised }
}
