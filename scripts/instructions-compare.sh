#!/bin/bash
# Instructions executed (valgrind's callgrind) by the same commands on the same repository, for two git-coord
# binaries: a comparison that a busy machine does not blur, for the "no row slower than before" rule of
# `make bench` (whose wall-clock ratios swing by 10-20% while other builds run).
#
#   scripts/instructions-compare.sh OLD_GIT_COORD NEW_GIT_COORD
#
# The repository: 20 sessions with 50 claims each and a note each, 100 files claimed by one of them, and a
# session in a second worktree that stages all 100. Each command runs once per binary uncounted (the first
# reader builds the caches), then twice per binary, in the order old, new, new, old, and each binary's two counts
# are averaged: a write (a note makes the log longer) then weighs the same on both sides.
set -euo pipefail
[ $# -eq 2 ] || { sed -n '2,10p' "$0"; exit 64; }
command -v valgrind >/dev/null || { echo "instructions-compare: needs valgrind (apt-get install valgrind)" >&2; exit 69; }

scratch=$(mktemp -d /tmp/git-coord-instructions.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
# valgrind 3.19 cannot read the debug info of a binary linked with packed relocations (DT_RELR): count stripped
# copies, which run the same code.
strip -o "$scratch/old" "$1"
strip -o "$scratch/new" "$2"
OLD=$scratch/old NEW=$scratch/new

export HOME=$scratch GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
unset GIT_COORD_SESSION
cd "$scratch" && git init -q -b main repo && cd repo
mkdir src && for i in $(seq 0 99); do echo "$i" > "src/f$i.js"; done
git add . && git commit -qm init
"$NEW" init >/dev/null
ids=()
for s in $(seq 0 19); do
    id=$("$NEW" start --name "s$s" --task "task $s")
    ids+=("$id")
    files=(); for f in $(seq 0 49); do files+=("area$s/file$f.js"); done
    "$NEW" claim --session "$id" "${files[@]}" >/dev/null 2>&1
    "$NEW" note --session "$id" "note from s$s" >/dev/null
done
files=(); for i in $(seq 0 99); do files+=("src/f$i.js"); done
"$NEW" claim --session "${ids[1]}" "${files[@]}" >/dev/null 2>&1
git worktree add -q ../wt -b wt
me=$(cd ../wt && "$NEW" start --name me)
for i in $(seq 0 99); do echo x >> "../wt/src/f$i.js"; done
(cd ../wt && git add -A)
printf '{"session_id":"bench-agent","hook_event_name":"PreToolUse","tool_name":"Edit","tool_input":{"file_path":"%s"},"cwd":"%s"}' \
    "$scratch/wt/src/f1.js" "$scratch/wt" > ../pre-tool-use.json
printf '{"session_id":"bench-agent","hook_event_name":"UserPromptSubmit","prompt":"go on","cwd":"%s"}' "$scratch/wt" > ../prompt.json

count() {  # binary stdin directory arguments...
    local binary=$1 input=$2 directory=$3
    shift 3
    (cd "$directory" && GIT_COORD_SESSION=$me valgrind --tool=callgrind --callgrind-out-file=/dev/null "$binary" "$@" \
        2>&1 >/dev/null <"$input" | sed -n 's/.*Collected : //p') || true  # check exits 1 when it finds someone
}
row() {  # label stdin directory arguments...
    local label=$1
    shift
    local a1 b1 b2 a2 a b
    # A first run of each, not counted: the first reader of a state builds its caches (.git/coord/cache), which
    # would otherwise be charged to whichever binary ran first.
    count "$OLD" "$@" >/dev/null; count "$NEW" "$@" >/dev/null
    a1=$(count "$OLD" "$@"); b1=$(count "$NEW" "$@"); b2=$(count "$NEW" "$@"); a2=$(count "$OLD" "$@")
    a=$(((a1 + a2) / 2)); b=$(((b1 + b2) / 2))
    printf '%-44s %12d %12d %8.3f\n' "$label" "$a" "$b" "$(echo "$b / $a" | bc -l)"
}
printf '%-44s %12s %12s %8s\n' command old new new/old
row "list (21 sessions)" /dev/null . list
row "list --json" /dev/null . list --json
row "claims" /dev/null . claims
row "check one claimed path" /dev/null ../wt check src/f1.js
row "feed" /dev/null . feed
row "inbox --peek" /dev/null ../wt inbox --peek
row "note" /dev/null ../wt note "a finding"
row "claim one file" /dev/null ../wt claim mine.js
row "release one file" /dev/null ../wt release mine.js
row "hook pre-commit (100 staged, all claimed)" /dev/null ../wt hook pre-commit
row "hook post-commit" /dev/null ../wt hook post-commit
row "hook claude UserPromptSubmit" ../prompt.json ../wt hook claude
row "hook claude PreToolUse (claimed file)" ../pre-tool-use.json ../wt hook claude
