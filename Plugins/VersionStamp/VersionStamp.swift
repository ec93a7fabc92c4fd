import Foundation
import PackagePlugin

/// Writes `describedVersion` from `git describe` of the package's checkout (scripts/version.sh) into the build.
///
/// SwiftPM plans a build (and calls this) only when the manifest changes, so the command is tied to the git
/// files that move when the answer can change: the worktree's HEAD reflog (every commit, checkout, reset, pull),
/// packed-refs and the tags folder. When none moved, nothing runs; when one did, the script runs and rewrites the
/// file only if the version changed, so a commit recompiles one line of this module and relinks.
@main
struct VersionStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "DescribedVersion.swift")
        let package = context.package.directoryURL
        return [.buildCommand(
            displayName: "git-coord version from git describe",
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: [package.appending(path: "scripts/version.sh").path, "--swift", output.path],
            inputFiles: Self.gitFiles(of: package.appending(path: ".git")),
            outputFiles: [output])]
    }

    /// The files git rewrites when `git describe` may answer differently. `.git` is a folder in a clone and a
    /// file naming the real one in a linked worktree (whose refs live in the common folder).
    static func gitFiles(of dotGit: URL) -> [URL] {
        var gitDir = dotGit
        if let text = try? String(contentsOf: dotGit, encoding: .utf8), text.hasPrefix("gitdir: ") {
            let path = text.dropFirst("gitdir: ".count).trimmingCharacters(in: .whitespacesAndNewlines)
            gitDir = URL(fileURLWithPath: path, relativeTo: dotGit.deletingLastPathComponent()).standardizedFileURL
        }
        var commonDir = gitDir
        if let text = try? String(contentsOf: gitDir.appending(path: "commondir"), encoding: .utf8) {
            let path = text.trimmingCharacters(in: .whitespacesAndNewlines)
            commonDir = URL(fileURLWithPath: path, relativeTo: gitDir.appending(path: "x")).standardizedFileURL
        }
        return [gitDir.appending(path: "HEAD"), gitDir.appending(path: "logs/HEAD"),
                commonDir.appending(path: "packed-refs"), commonDir.appending(path: "refs/tags")]
            .filter { FileManager.default.fileExists(atPath: $0.path) }
    }
}
