#!/usr/bin/env bash
# make dist: the release build as a relocatable tarball and as a Debian package.
#
#   dist.sh BIN_DIR DOCS_DIR OUT_DIR
#
#   git-coord-VERSION-linux-ARCH.tar.gz   git-coord-VERSION/{bin,share}: run bin/git-coord where it lands, or
#                                         unpack it into a prefix: tar -xzf F --strip-components=1 -C ~/.local
#   git-coord_DEBVERSION_DEBARCH.deb      the same files below /usr; 'dpkg -i' it
#
# The binaries link the Swift runtime and libgit2 statically: they need only glibc (and libcurl for the MCP
# server), no Swift. The version is git describe's (scripts/version.sh), as the binaries print it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$1 docs=$2 out=$3
for tool in dpkg-deb dpkg-shlibdeps strip; do
  command -v "$tool" >/dev/null 2>&1 || { echo "make dist: $tool is missing (apt-get install dpkg-dev binutils)" >&2; exit 1; }
done
version=$("$root/scripts/version.sh")
debversion=$("$root/scripts/version.sh" --deb)
arch=$(uname -m)
debarch=$(dpkg --print-architecture)
# Reproducible archives: every file dated at the commit (or now, outside a checkout).
epoch=$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# The tarball.
name="git-coord-$version"
"$root/scripts/install-tree.sh" "$bin" "$docs" "$work/$name" --strip
install -d "$work/$name/share/doc/git-coord"
install -m 644 "$root/README.md" "$work/$name/share/doc/git-coord/README.md"
tarball="$out/$name-linux-$arch.tar.gz"
tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - "$name" | gzip -9n > "$tarball"

# The Debian package.
deb="$work/deb"
"$root/scripts/install-tree.sh" "$bin" "$docs" "$deb/usr" --strip --debian
install -d "$deb/usr/share/doc/git-coord" "$deb/DEBIAN"
install -m 644 "$root/README.md" "$deb/usr/share/doc/git-coord/README.md"
gzip -9n "$deb/usr/share/doc/git-coord/README.md"
# What the binaries link, as Debian package names and versions (dpkg-shlibdeps reads the ELF files).
mkdir -p "$work/shlibs/debian"
printf 'Source: git-coord\n\nPackage: git-coord\nArchitecture: any\n' > "$work/shlibs/debian/control"
shlibs=$(cd "$work/shlibs" && dpkg-shlibdeps -O "$deb/usr/bin/git-coord" "$deb/usr/bin/git-coord-mcp" 2>/dev/null)
depends=${shlibs#shlibs:Depends=}
cat > "$deb/DEBIAN/control" <<CONTROL
Package: git-coord
Version: $debversion
Architecture: $debarch
Maintainer: git-coord <git-coord@localhost>
Installed-Size: $(du -sk "$deb/usr" | cut -f1)
Depends: $depends, git
Section: vcs
Priority: optional
Description: make coding-agent sessions on one repository aware of each other
 Several coding-agent sessions (Claude Code, Codex, Gemini CLI, ...) working on
 one git repository see each other through git itself: presence, a notes feed,
 direct messages and advisory file claims, stored under refs/coord/, shared by
 every worktree, and across clones through a git remote. Includes git-coord(1),
 bash, zsh and fish completions, and the MCP server git-coord-mcp.
CONTROL
(cd "$deb" && find usr -type f | sort | xargs md5sum) > "$deb/DEBIAN/md5sums"
find "$deb" -exec touch -h -d "@$epoch" {} +
package="$out/git-coord_${debversion}_${debarch}.deb"
dpkg-deb --root-owner-group -Zgzip -z9 --build "$deb" "$package" >/dev/null
echo "$tarball"
echo "$package"
