#!/usr/bin/env bash
# Installs what building and testing git-coord needs when it is missing: libgit2-dev (1.5.1 on Debian bookworm),
# pkg-config, libcurl's development files, and faketime and tmux for the tests.
set -euo pipefail

missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
pkg-config --exists libgit2 2>/dev/null || missing+=(libgit2-dev)
# git-coord-mcp: the MCP SDK brings FoundationNetworking, whose static link needs libcurl.
pkg-config --exists libcurl 2>/dev/null || missing+=(libcurl4-openssl-dev)
# The tests run git-coord under a wrong clock (libfaketime).
command -v faketime >/dev/null 2>&1 || missing+=(faketime)
# `git coord watch` and the Codex TUI are tested in a real terminal: tmux (send-keys, capture-pane).
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "git-coord: installing ${missing[*]} ..." >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "git-coord: cannot install ${missing[*]}: no apt-get here. Install libgit2 1.5 (with its pkg-config file) by hand." >&2
  exit 1
fi
if [ -n "$sudo" ] && ! command -v sudo >/dev/null 2>&1; then
  echo "git-coord: need root to install ${missing[*]}: run 'apt-get install ${missing[*]}' as root." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null
pkg-config --exists libgit2 || { echo "git-coord: libgit2-dev installed but pkg-config cannot find libgit2" >&2; exit 1; }
