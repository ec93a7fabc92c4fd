/// The git hooks git-coord installs (the same text as the files in the repository's top-level `hooks/` folder).
///
/// Each script first runs the hook that was there before (kept beside it as `NAME.before-coord`, so the
/// user's own hook still runs, with its arguments and its exit status), then `git-coord hook NAME`. It is a
/// fast no-op when git-coord is not on PATH, and git-coord itself returns at once when coordination is off.
public enum GitHookScripts {
    public static let names = ["pre-commit", "post-checkout", "post-commit", "post-merge"]
    /// Suffix of the user's hook that a git-coord hook replaced and runs first.
    public static let chainedSuffix = ".before-coord"
    /// The line that marks a hook as git-coord's own: only such a hook is ever overwritten or removed.
    public static let marker = "# git-coord hook: installed by 'git coord init'"

    /// Hooks that only refresh the session's presence and print nothing: they run in the background, so the
    /// user's `git commit` or `git pull` does not wait for them.
    static let backgroundHooks: Set<String> = ["post-commit", "post-merge"]

    public static func script(for name: String) -> String {
        let call = backgroundHooks.contains(name)
            ? """
              # Only refreshes this session's presence: in the background, so git does not wait for it.
              git-coord hook \(name) "$@" </dev/null >/dev/null 2>&1 &
              exit 0
              """
            : """
              git-coord hook \(name) "$@"
              # 1 means strict mode refused the commit; no other failure of git-coord may get in the way of git.
              [ $? -eq 1 ] && exit 1
              exit 0
              """
        return """
        #!/bin/sh
        \(marker), removed by 'git coord init --uninstall'.
        # The \(name) hook that was here before is kept as \(name)\(chainedSuffix) and runs first, unchanged.
        chained="${0%/*}/\(name)\(chainedSuffix)"
        if [ -x "$chained" ]; then
            # A plain sh script runs under this hook's name, as git would have run it: husky's hooks find their
            # work from $0. Anything else is run as it is.
            read -r first < "$chained" || :
            case "$first" in
            "#!/bin/sh" | "#!/usr/bin/env sh") (. "$chained"); status=$? ;;
            *) "$chained" "$@"; status=$? ;;
            esac
            [ $status -eq 0 ] || exit $status
        fi
        # Not installed here: nothing to do. (git-coord directly, not 'git coord': one process less per commit.)
        command -v git-coord >/dev/null 2>&1 || exit 0
        \(call)

        """
    }
}
