#!/usr/bin/env bash
# Puts the real coding-agent CLIs the agent tests drive in .agent-clis/ at the package root:
#   .agent-clis/claude   Claude Code 2.1.332, from the PyPI wheel claude-agent-sdk (claude_agent_sdk/_bundled/claude)
#   .agent-clis/codex_cli_bin/bin/codex   Codex CLI 0.163.0, from the PyPI wheel openai-codex-cli-bin, in the wheel's
#       layout: its sandbox looks for the bubblewrap it ships at ../codex-resources/bwrap from the executable
# PyPI is the only network it uses (pip download). Quick when they are there already; run by 'make test'.
# AGENT_CLIS_WHEELS=DIR takes the wheels from DIR when they are there (no download).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.agent-clis"
claude_wheel="claude-agent-sdk==0.2.189"
codex_wheel="openai-codex-cli-bin==0.163.0"
stamp="$claude_wheel $codex_wheel"

present() { [ -x "$cache/claude" ] && [ -x "$cache/codex_cli_bin/bin/codex" ] && [ "$(cat "$cache/versions" 2>/dev/null)" = "$stamp" ]; }
present && exit 0

# One fetcher at a time (parallel test runs): the others wait for it.
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
present && exit 0

"$root/scripts/mcp-venv.sh"   # its pip downloads; system Pythons may have none
pip="$root/.venv/bin/pip"
work="$(mktemp -d "$cache/.fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT
for spec in "$claude_wheel" "$codex_wheel"; do
  name="${spec%%==*}"; version="${spec##*==}"
  local_wheel="$(ls "${AGENT_CLIS_WHEELS:-/nonexistent}/${name//-/_}-$version-"*.whl 2>/dev/null | head -1 || true)"
  if [ -n "$local_wheel" ]; then
    cp "$local_wheel" "$work/"
  else
    echo "git-coord: downloading $spec from PyPI for the agent tests ..." >&2
    "$pip" download --quiet --disable-pip-version-check --no-deps --dest "$work" "$spec"
  fi
done

# Only the executables are kept (the wheels are ~320 MB together).
"$root/.venv/bin/python" - "$work" <<'PY'
import glob, os, sys, zipfile
work = sys.argv[1]
wanted = ["claude_agent_sdk/_bundled/claude", "codex_cli_bin/bin/codex", "codex_cli_bin/codex-resources/bwrap",
          "codex_cli_bin/codex-path/rg"]
for wheel in glob.glob(os.path.join(work, "*.whl")):
    with zipfile.ZipFile(wheel) as archive:
        for member in set(wanted) & set(archive.namelist()):
            target = os.path.join(work, "out", member)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with archive.open(member) as source, open(target, "wb") as out:
                while chunk := source.read(1 << 20):
                    out.write(chunk)
            os.chmod(target, 0o755)
PY
for member in claude_agent_sdk/_bundled/claude codex_cli_bin/bin/codex codex_cli_bin/codex-resources/bwrap; do
  [ -x "$work/out/$member" ] || { echo "git-coord: the wheels held no $member" >&2; exit 1; }
done
rm -rf "$cache/codex_cli_bin" "$cache/claude"
mv "$work/out/codex_cli_bin" "$cache/codex_cli_bin"
mv "$work/out/claude_agent_sdk/_bundled/claude" "$cache/claude"
echo "$stamp" > "$cache/versions"
