#!/usr/bin/env bash
# A short, real scenario: one repository, two worktrees, two sessions, and what each of them sees.
# Usage: scripts/demo.sh PATH-TO-git-coord
set -euo pipefail
binary=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
export PATH="$(dirname "$binary"):$PATH"
unset GIT_COORD_SESSION

work=$(mktemp -d "${TMPDIR:-/tmp}/git-coord-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.com GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@example.com

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '\033[2m$ %s\033[0m\n' "$*"; eval "$@"; }

step "A repository with two worktrees"
git init -q -b main "$work/app"
cd "$work/app"
mkdir -p src && printf 'export const Sidebar = () => null\n' > src/Sidebar.jsx
printf 'export const Admin = () => null\n' > src/AdminDashboard.jsx
git add . && git commit -q -m "initial"
show git worktree add -q -b restyle ../app-restyle
show git coord init

step "Session alice starts in the main worktree, bob in app-restyle"
show 'alice=$(git coord start --name alice --agent claude --task "Add a nav item to AdminDashboard")'
show '(cd ../app-restyle && git coord start --name bob --agent codex --task "Restyle the sidebar and dashboard")'

step "They edit; their changed files are picked up from their own worktrees"
printf '// nav item\n' >> src/AdminDashboard.jsx
(cd ../app-restyle && printf '/* new look */\n' >> src/Sidebar.jsx)
show git coord heartbeat --session alice
show '(cd ../app-restyle && git coord heartbeat)'

step "What bob sees from his worktree"
show '(cd ../app-restyle && git coord list)'

step "Who works where"
show git coord worktrees

step "alice claims the dashboard; bob asks before touching it, and cannot claim it"
show 'git coord claim --session alice src/AdminDashboard.jsx --ttl 30m --reason "nav item"'
show '(cd ../app-restyle && git coord check src/AdminDashboard.jsx) || echo "(check exit status: $?)"'
show '(cd ../app-restyle && git coord claim src/AdminDashboard.jsx) || echo "(claim exit status: $?)"'

step "bob posts a note to everyone and a direct message to alice"
show '(cd ../app-restyle && git coord note "Renamed getLabel to t() in src/i18n.js")'
show '(cd ../app-restyle && git coord send alice "Done with the dashboard colours? I will restyle it after you")'

step "alice's next turn: her inbox shows both, exactly once"
show git coord inbox --session alice
show 'git coord inbox --session alice; echo "(second look: nothing new)"'

step "bob commits a change to the claimed file anyway: the pre-commit hook warns, the commit goes through"
(cd ../app-restyle && printf '/* darker */\n' >> src/AdminDashboard.jsx && git add src/AdminDashboard.jsx)
show '(cd ../app-restyle && git commit -q -m "Darker dashboard")'

step "alice stops; bob is the only live session left"
show git coord stop --session alice
show git coord list
