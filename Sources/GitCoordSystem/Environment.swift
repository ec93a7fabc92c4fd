#if canImport(Glibc)
import Glibc
#endif

/// The process environment and working directory, read in one place (FoundationEssentials has no
/// `ProcessInfo.environment` on every platform, and full Foundation costs every start of the hook binary).
public enum Environment {
    /// One variable, or nil when it is not set.
    public static subscript(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// One variable, treating an empty value as not set (as git does for most of its own).
    public static func nonEmpty(_ name: String) -> String? {
        self[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Every variable, as a dictionary (for a child process, or an agent hook's settings).
    public static var all: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }

    /// Every variable but those by which git hands a process (a hook) its repository, index and object folders: for
    /// a child that opens a repository of its own choosing, in the background, after the hook is gone.
    public static var withoutGitRepository: [String: String] {
        var result = all
        for name in gitRepositoryVariables { result[name] = nil }
        return result
    }

    static let gitRepositoryVariables = ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_PREFIX",
                                         "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_QUARANTINE_PATH"]

    /// The user's login name ($USER, else the password database, else "someone").
    public static var userName: String {
        if let user = nonEmpty("USER") { return user }
        guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return "someone" }
        return String(cString: name)
    }

    /// The current directory, or "." when it cannot be read (deleted under us).
    public static var currentDirectory: String {
        guard let cwd = getcwd(nil, 0) else { return "." }
        defer { free(cwd) }
        return String(cString: cwd)
    }
}
