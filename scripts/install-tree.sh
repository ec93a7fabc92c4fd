#!/usr/bin/env bash
# Lays out git-coord below a prefix: the two binaries, the manual, the shell completions and the git hook scripts.
# 'make install' and both packages of 'make dist' use it, so that all three put the same files in the same places.
#
#   install-tree.sh BIN_DIR DOCS_DIR PREFIX [--strip] [--debian]
#   install-tree.sh --uninstall PREFIX
#
# BIN_DIR holds the release binaries; DOCS_DIR what git-coord-docs wrote (man1/, bash/, zsh/, fish/).
#   --strip   drop the binaries' symbol tables (packages: 21 MB instead of 36 MB for git-coord)
#   --debian  Debian's places and habits: zsh's vendor-completions folder, gzipped manual pages
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" = --uninstall ]; then
  prefix=$2
  rm -f "$prefix/bin/git-coord" "$prefix/bin/git-coord-mcp"
  rm -f "$prefix"/share/man/man1/git-coord.1 "$prefix"/share/man/man1/git-coord-*.1
  rm -f "$prefix/share/bash-completion/completions/git-coord" "$prefix/share/zsh/site-functions/_git-coord"
  rm -f "$prefix/share/fish/vendor_completions.d/git-coord.fish" "$prefix/share/fish/vendor_conf.d/git-coord.fish"
  rm -rf "$prefix/share/git-coord"
  exit 0
fi

bin=$1 docs=$2 prefix=$3
shift 3
strip="" debian=""
for option in "$@"; do
  case "$option" in
    --strip) strip=1 ;;
    --debian) debian=1 ;;
    *) echo "install-tree.sh: unknown option $option" >&2; exit 64 ;;
  esac
done
for file in "$bin/git-coord" "$bin/git-coord-mcp" "$docs/man1/git-coord.1" "$docs/bash/git-coord"; do
  [ -e "$file" ] || { echo "install-tree.sh: $file is missing (run 'make release docs')" >&2; exit 1; }
done

zsh_dir=share/zsh/site-functions
[ -n "$debian" ] && zsh_dir=share/zsh/vendor-completions
install -d "$prefix/bin" "$prefix/share/man/man1" "$prefix/share/bash-completion/completions" "$prefix/$zsh_dir" \
  "$prefix/share/fish/vendor_completions.d" "$prefix/share/fish/vendor_conf.d" "$prefix/share/git-coord/hooks"

for name in git-coord git-coord-mcp; do
  install -m 755 "$bin/$name" "$prefix/bin/$name"
  [ -n "$strip" ] && strip "$prefix/bin/$name"
done
for page in "$docs"/man1/*.1; do
  install -m 644 "$page" "$prefix/share/man/man1/"
  [ -n "$debian" ] && gzip -9nf "$prefix/share/man/man1/$(basename "$page")"
done
install -m 644 "$docs/bash/git-coord" "$prefix/share/bash-completion/completions/git-coord"
install -m 644 "$docs/zsh/_git-coord" "$prefix/$zsh_dir/_git-coord"
install -m 644 "$docs/fish/git-coord.fish" "$prefix/share/fish/vendor_completions.d/git-coord.fish"
install -m 644 "$docs/fish/conf.d/git-coord.fish" "$prefix/share/fish/vendor_conf.d/git-coord.fish"
# The scripts 'git coord init' installs (it carries its own copy): for hook managers and for reading.
install -m 755 "$root"/hooks/* "$prefix/share/git-coord/hooks/"
