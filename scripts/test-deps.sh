#!/usr/bin/env bash
# Installs what the tests need beyond the build, when it is missing ('make test' runs it; quick when all is there):
#   lighttpd         a real web server for git's smart HTTP (git http-backend behind basic authentication)
#   bash-completion  the loader that finds git-coord's bash completion when 'git coord <TAB>' is pressed
#   zsh, fish        to load and try the other two completion scripts
#   man-db           'git coord --help' opens the manual through man
#   dpkg-dev         'make dist' names the .deb's dependencies with dpkg-shlibdeps
#   strace           kills a process at a chosen system call (a packer killed in the middle of its work)
set -euo pipefail

missing=()
[ -x /usr/sbin/lighttpd ] || missing+=(lighttpd)
[ -f /usr/share/bash-completion/bash_completion ] || missing+=(bash-completion)
command -v zsh >/dev/null 2>&1 || missing+=(zsh)
command -v fish >/dev/null 2>&1 || missing+=(fish)
command -v man >/dev/null 2>&1 || missing+=(man-db)
# make dist: dpkg-deb builds the package, dpkg-shlibdeps names its dependencies.
command -v dpkg-shlibdeps >/dev/null 2>&1 || missing+=(dpkg-dev)
command -v strace >/dev/null 2>&1 || missing+=(strace)
[ ${#missing[@]} -eq 0 ] && exit 0

# One installer at a time (parallel test runs): the others wait for it, then find everything there.
exec 9>"${TMPDIR:-/tmp}/git-coord-test-deps.lock"
flock 9
echo "git-coord: installing ${missing[*]} for the tests ..." >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "git-coord: cannot install ${missing[*]}: no apt-get here; install them by hand." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# Only the packages: a web server that starts itself on port 80 is not what the tests want (they start their own).
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
