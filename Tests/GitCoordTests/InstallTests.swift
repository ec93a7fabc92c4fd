import CoordTestSupport
import Foundation
import Testing

/// git-coord as a person installs it: `make install` into a prefix (the manual, the completions), `make dist` (a
/// tarball and a .deb that runs where there is no Swift). Both use the one release build in .build-release, so only
/// the first test to run pays for it.
@Suite(.serialized) struct InstallTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Runs make in the package with this process's environment (SwiftPM finds its package copies through HOME).
    static func make(_ arguments: String...) throws -> ProcessResult {
        let result = try runProcess("/usr/bin/make", ["-s"] + arguments, in: packageRoot,
                                    environment: ProcessInfo.processInfo.environment)
        guard result.succeeded else { throw MakeFailed(arguments: arguments, result: result) }
        return result
    }

    struct MakeFailed: Error, CustomStringConvertible {
        var arguments: [String]
        var result: ProcessResult
        var description: String { "make \(arguments.joined(separator: " ")) failed: \(result)" }
    }

    static var describedVersion: String {
        get throws { try runProcess(packageRoot + "/scripts/version.sh", [], in: packageRoot, environment: [:]).output }
    }

    /// A person's environment: HOME in the scratch folder, the prefix's bin first on PATH, no test build on it.
    static func userEnvironment(_ scratch: Scratch, prefix: String) -> [String: String] {
        var environment = scratch.environment
        environment["PATH"] = prefix + "/bin:/usr/local/bin:/usr/bin:/bin"
        environment["MANPAGER"] = "cat"
        environment["PAGER"] = "cat"
        environment["MANWIDTH"] = "100"
        environment["MANPATH"] = nil
        return environment
    }

    @Test func makeInstallBringsTheManualAndCompletionsToAPrefix() throws {
        let scratch = try Scratch()
        let prefix = scratch.root + "/.local"  // the default PREFIX, ~/.local, for this scratch HOME
        try Self.make("install", "PREFIX=\(prefix)")
        let env = Self.userEnvironment(scratch, prefix: prefix)
        func run(_ command: [String], in directory: String? = nil) throws -> ProcessResult {
            try runProcess("/usr/bin/env", command, in: directory ?? scratch.repo, environment: env)
        }

        // git routes 'git coord --help' to 'git help coord', which opens git-coord(1) with man.
        let help = try run(["git", "coord", "--help"])
        #expect(help.status == 0, "\(help)")
        // The page as words: man fills and breaks lines at its width.
        let page = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for text in ["GIT-COORD(1)", "git coord sync", "git-coord-claim(1)", "EXIT STATUS", "64 a usage error",
                     "CONFIGURATION", "coord.syncInterval", "ENVIRONMENT", "GIT_COORD_SESSION", "FILES", "coord-sync.lock"] {
            #expect(page.contains(text), "git coord --help lacks \(text): \(help)")
        }
        #expect(try run(["git", "help", "coord"]).stdout.contains("GIT-COORD(1)"))
        let syncPage = try run(["man", "git-coord-sync"])
        #expect(syncPage.stdout.contains("--watch") && syncPage.stdout.contains("GIT-COORD-SYNC(1)"), "\(syncPage)")
        #expect(try run(["git", "coord", "--version"]).output == (try Self.describedVersion))

        // A repository where completion has something to offer.
        let repoEnv = env.merging(["GIT_COORD_SESSION": "alice"]) { $1 }
        for command in [["init"], ["start", "--name", "alice"], ["start", "--name", "bob"], ["claim", "styles/"]] {
            let result = try runProcess(prefix + "/bin/git-coord", command, in: scratch.repo, environment: repoEnv)
            #expect(result.succeeded, "\(result)")
        }

        // bash: bash-completion loads ~/.local/share/bash-completion/completions/git-coord when git's completion asks
        // for 'git-coord' (git coord <TAB>), or when git-coord itself is completed.
        let bashScript = """
            source /usr/share/bash-completion/bash_completion
            complete_line() {
              COMP_LINE="$1"; COMP_POINT=${#1}; read -ra COMP_WORDS <<< "$1"
              [[ "$1" == *" " ]] && COMP_WORDS+=("")
              COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
              complete -p "${COMP_WORDS[0]}" >/dev/null 2>&1 || _completion_loader "${COMP_WORDS[0]}"
              local spec; spec=$(complete -p "${COMP_WORDS[0]}"); local fn=${spec##*-F }; fn=${fn%% *}
              "$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
              echo "$1|${COMPREPLY[*]}"
            }
            complete_line "git coord sy"
            complete_line "git coord send "
            complete_line "git coord send b"
            complete_line "git coord list --"
            complete_line "git coord release "
            complete_line "git-coord claim --session "
            complete_line "git -C \(scratch.repo) coord send "
            """
        let bash = try runProcess("/bin/bash", ["-c", bashScript], in: scratch.repo, environment: repoEnv)
        let bashAnswers = Self.answers(bash.stdout)
        #expect(bashAnswers["git coord sy"] == "sync", "\(bash)")
        #expect(bashAnswers["git coord send "] == "alice bob", "\(bash)")
        #expect(bashAnswers["git coord send b"] == "bob", "\(bash)")
        #expect(bashAnswers["git coord list --"] == "--all --files --json --help", "\(bash)")
        #expect(bashAnswers["git coord release "] == "styles", "\(bash)")
        #expect(bashAnswers["git-coord claim --session "] == "alice bob", "\(bash)")
        #expect(bashAnswers["git -C \(scratch.repo) coord send "] == "alice bob", "\(bash)")

        // fish: its own completion for git-coord, and 'git coord' through the snippet in vendor_conf.d.
        // fish reads ~/.local/share/fish/vendor_conf.d and vendor_completions.d itself.
        let fish = try runProcess("/usr/bin/fish", ["-c", """
            for line in 'git coord send ' 'git-coord sy' 'git coord release '
                echo "$line|"(string join ' ' (complete -C $line | string replace -r '\\t.*' ''))
            end
            """], in: scratch.repo, environment: repoEnv)
        let fishAnswers = Self.answers(fish.stdout)
        #expect(fishAnswers["git coord send "] == "alice bob", "\(fish)")
        #expect(fishAnswers["git-coord sy"] == "sync", "\(fish)")
        #expect(fishAnswers["git coord release "] == "styles", "\(fish)")

        // zsh: the script's own logic, with zsh's completion builtins standing in (they only run inside a widget).
        let zsh = try runProcess("/usr/bin/zsh", ["-f", "-c", """
            compadd() { local -a a; a=("$@"); print -rn -- "${(j: :)a[${a[(i)--]}+1,-1]}"; }
            _describe() { local -a list; list=("${(@P)4}"); print -rn -- "${(j: :)${(@)list%%:*}}"; }
            _files() { print -rn -- FILES; }
            compset() { return 1; }
            source \(prefix)/share/zsh/site-functions/_git-coord
            for line in 'coord send ' 'git-coord sy' 'coord release ' 'coord claim src'; do
              words=("${(@z)line}"); [[ $line == *' ' ]] && words+=(''); CURRENT=${#words}
              print -r -- "$line|$(_git-coord)"
            done
            """], in: scratch.repo, environment: repoEnv)
        let zshAnswers = Self.answers(zsh.stdout)
        #expect(zshAnswers["coord send "] == "alice bob", "\(zsh)")
        #expect(zshAnswers["git-coord sy"]?.contains("sync") == true, "\(zsh)")
        #expect(zshAnswers["coord release "] == "styles", "\(zsh)")
        #expect(zshAnswers["coord claim src"] == "FILES", "\(zsh)")

        // And out again: nothing of git-coord's left in the prefix.
        try Self.make("uninstall", "PREFIX=\(prefix)")
        let left = try runProcess("/usr/bin/find", [prefix, "-type", "f"], in: scratch.root, environment: env).stdout
        #expect(!left.contains("git-coord") && !left.contains("_git-coord"), "\(left)")
        #expect(try run(["git", "coord", "--version"]).status != 0)
    }

    @Test func makeDistPackagesRunWhereThereIsNoSwift() throws {
        let scratch = try Scratch()
        let dist = scratch.root + "/dist"
        let made = try Self.make("dist", "DISTDIR=\(dist)").stdout.split(separator: "\n").map(String.init)
        let version = try Self.describedVersion
        let tarball = try #require(made.first { $0.hasSuffix(".tar.gz") })
        let package = try #require(made.first { $0.hasSuffix(".deb") })
        #expect(tarball.hasSuffix("/git-coord-\(version)-linux-\(try runProcess("/usr/bin/uname", ["-m"], in: "/", environment: [:]).output).tar.gz"))

        // The tarball is relocatable: unpacked anywhere, its binary runs and finds the MCP server beside it.
        let unpacked = scratch.root + "/somewhere/else"
        try FileManager.default.createDirectory(atPath: unpacked, withIntermediateDirectories: true)
        _ = try runProcess("/bin/tar", ["-xzf", tarball, "-C", unpacked], in: scratch.root, environment: scratch.environment)
        let top = unpacked + "/git-coord-\(version)"
        for file in ["bin/git-coord", "bin/git-coord-mcp", "share/man/man1/git-coord.1", "share/man/man1/git-coord-sync.1",
                     "share/bash-completion/completions/git-coord", "share/zsh/site-functions/_git-coord",
                     "share/fish/vendor_completions.d/git-coord.fish", "share/git-coord/hooks/pre-commit"] {
            #expect(FileManager.default.fileExists(atPath: top + "/" + file), "\(file) is not in the tarball")
        }
        #expect(try runProcess(top + "/bin/git-coord", ["--version"], in: scratch.root, environment: [:]).output == version)

        // The .deb: its version is git describe's, in Debian's spelling; it installs with dpkg into a scratch root.
        let debVersion = try runProcess(Self.packageRoot + "/scripts/version.sh", ["--deb"], in: Self.packageRoot, environment: [:]).output
        #expect(try runProcess("/usr/bin/dpkg-deb", ["-f", package, "Version"], in: scratch.root, environment: [:]).output == debVersion)
        let root = scratch.root + "/machine"
        for folder in ["var/lib/dpkg/info", "var/lib/dpkg/updates", "proc", "dev"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        FileManager.default.createFile(atPath: root + "/var/lib/dpkg/status", contents: nil)
        // --force-depends: the scratch root has no libc6 or git packages registered; the files are what is tested.
        let installed = try runProcess("/usr/bin/dpkg", ["--root=\(root)", "--force-depends", "--force-not-root", "-i", package],
                                       in: scratch.root, environment: ProcessInfo.processInfo.environment)
        #expect(installed.succeeded, "\(installed)")
        let binary = root + "/usr/bin/git-coord"
        #expect(try runProcess(binary, ["--version"], in: scratch.root, environment: [:]).output == version)
        #expect(FileManager.default.fileExists(atPath: root + "/usr/share/man/man1/git-coord.1.gz"))
        #expect(FileManager.default.fileExists(atPath: root + "/usr/share/bash-completion/completions/git-coord"))

        // Nothing of Swift is loaded: the dynamic loader's own account of every library it maps.
        let loaded = try runProcess(binary, ["--version"], in: scratch.root, environment: ["LD_DEBUG": "libs"])
        #expect(loaded.stderr.contains("libc.so.6"), "LD_DEBUG said nothing: \(loaded)")
        #expect(!loaded.stderr.contains("swift") && !loaded.stderr.contains("Foundation"), "\(loaded.stderr)")

        // And on a machine with no Swift at all: the scratch root, with only the libraries git and git-coord link,
        // as the whole file system. `git coord --version` there runs git, which runs the packaged git-coord.
        guard getuid() == 0 else { return }
        for file in [binary, "/usr/bin/git"] {
            let libraries = try runProcess("/usr/bin/ldd", [file], in: "/", environment: [:]).stdout
            for library in libraries.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) where library.hasPrefix("/") {
                let target = root + library
                try? FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                // The file itself, not a symlink that would point outside the new root.
                let real = URL(fileURLWithPath: String(library)).resolvingSymlinksInPath().path
                if !FileManager.default.fileExists(atPath: target) { try FileManager.default.copyItem(atPath: real, toPath: target) }
            }
        }
        try FileManager.default.copyItem(atPath: "/usr/bin/git", toPath: root + "/usr/bin/git")
        _ = try runProcess("/usr/bin/mknod", ["-m", "666", root + "/dev/null", "c", "1", "3"], in: "/", environment: [:])
        let chrooted = try runProcess("/usr/bin/unshare", ["-m", "/bin/sh", "-c",
            "mount -t proc proc \(root)/proc && exec /usr/sbin/chroot \(root) /usr/bin/git coord --version"],
            in: "/", environment: ["PATH": "/usr/bin:/bin", "HOME": "/"])
        #expect(!FileManager.default.fileExists(atPath: root + "/opt"))
        #expect(chrooted.succeeded && chrooted.output == version, "\(chrooted)")
    }

    /// The version is git describe's, whatever the checkout: a tag, commits after one, none yet, no git at all.
    @Test func theVersionComesFromTheTags() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.repo + "/scripts", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.packageRoot + "/scripts/version.sh", toPath: scratch.repo + "/scripts/version.sh")
        func version(_ arguments: String...) throws -> String {
            try runProcess(scratch.repo + "/scripts/version.sh", arguments, in: "/", environment: scratch.environment).output
        }
        let head = try scratch.git("rev-parse", "--short=12", "HEAD")
        #expect(try version() == "0.0.0-g\(head)")
        #expect(try version("--deb") == "0.0.0+g\(head)")
        try scratch.git("tag", "v1.2.0")
        #expect(try version() == "1.2.0")
        #expect(try version("--deb") == "1.2.0")
        try scratch.git("commit", "-q", "--allow-empty", "-m", "one")
        try scratch.git("commit", "-q", "--allow-empty", "-m", "two")
        let later = try scratch.git("rev-parse", "--short=12", "HEAD")
        #expect(try version() == "1.2.0-2-g\(later)")
        #expect(try version("--deb") == "1.2.0+2.g\(later)")
        // Debian orders them as people would: before the tag, the tag, after it, the next tag.
        for (lower, higher) in [("0.0.0+g\(head)", "1.2.0"), ("1.2.0", "1.2.0+2.g\(later)"), ("1.2.0+2.g\(later)", "1.2.1")] {
            let compared = try runProcess("/usr/bin/dpkg", ["--compare-versions", lower, "lt", higher], in: "/", environment: [:])
            #expect(compared.succeeded, "\(lower) < \(higher)")
        }
        try FileManager.default.removeItem(atPath: scratch.repo + "/.git")
        #expect(try version() == "0.0.0-unknown")
    }

    /// "question|answer" lines as a dictionary.
    static func answers(_ output: String) -> [String: String] {
        var answers: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let bar = line.lastIndex(of: "|") else { continue }
            answers[String(line[..<bar])] = String(line[line.index(after: bar)...]).trimmingCharacters(in: .whitespaces)
        }
        return answers
    }
}
