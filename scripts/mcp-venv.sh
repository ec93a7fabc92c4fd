#!/usr/bin/env bash
# Makes .venv at the package root with the official MCP Python SDK, the independent client the MCP tests drive
# the server with, and pytest, which runs the real-agent tests (Tests/agents). Quick when it is there already; run
# by 'make test' and by the MCP test itself.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv"
python="$venv/bin/python"
if [ -x "$python" ] && "$python" -c "import mcp, pytest" >/dev/null 2>&1; then exit 0; fi

# One creator at a time (parallel test runs): the others wait for it.
exec 9>"$root/.venv.lock"
flock 9
if [ -x "$python" ] && "$python" -c "import mcp, pytest" >/dev/null 2>&1; then exit 0; fi
if ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
  echo "git-coord: python3 with venv is needed for the MCP tests; installing python3-venv ..." >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq python3-venv >/dev/null
fi
if ! [ -x "$python" ] || ! "$python" -c "import mcp" >/dev/null 2>&1; then
  echo "git-coord: creating $venv with the MCP Python SDK and pytest (pip install mcp pytest) ..." >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "mcp>=1.10" "pytest>=8"
"$python" -c "import mcp, pytest"
