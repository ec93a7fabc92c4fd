# git-coord: the two commands people need are `make demo` and `make test`; both install what is missing.
PREFIX ?= $(HOME)/.local
SWIFT ?= swift
# A statically linked Swift runtime starts in ~5 ms instead of ~13 ms: hooks start a process on every commit.
RELEASE = -c release --scratch-path $(RELEASE_SCRATCH) --static-swift-stdlib $(PACKED_RELOCATIONS) $(STATIC_LIBSTDCXX)
# Release builds have their own build folder: 'swift test' holds .build's lock while the tests run, and the tests
# run 'make install' and 'make dist' themselves.
RELEASE_SCRATCH ?= $(CURDIR)/.build-release
# That runtime brings ~58,000 relative relocations, which the loader applies at every start. Packed (DT_RELR,
# which needs lld; Swift toolchains ship it) they cost a fraction: ~0.8 ms off every command and hook.
PACKED_RELOCATIONS = $(if $(shell command -v ld.lld),-Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld -Xlinker -z -Xlinker pack-relative-relocs)
# It also needs 25 functions of libstdc++; taken from libstdc++'s archive, the loader has one big shared library
# less to map and relocate at every start (~0.8 ms). The runtime's link line asks for -lstdc++ by name, so the
# archive is put alone in a folder searched first.
LIBSTDCXX_ARCHIVE := $(shell clang -print-file-name=libstdc++.a 2>/dev/null)
STATIC_LIBSTDCXX_DIR = $(CURDIR)/.build/static-libstdc++
STATIC_LIBSTDCXX = $(if $(filter /%,$(LIBSTDCXX_ARCHIVE)),-Xswiftc -L$(STATIC_LIBSTDCXX_DIR))

.PHONY: all deps build release docs test demo bench install uninstall dist clean

all: build

deps:
	@scripts/ensure-deps.sh
	@$(if $(STATIC_LIBSTDCXX),mkdir -p "$(STATIC_LIBSTDCXX_DIR)" && ln -sf "$(LIBSTDCXX_ARCHIVE)" "$(STATIC_LIBSTDCXX_DIR)/libstdc++.a")

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build $(RELEASE) --product git-coord
	$(SWIFT) build $(RELEASE) --product git-coord-mcp

test: deps
	@scripts/mcp-venv.sh
	@scripts/test-deps.sh
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

demo: release
	@scripts/demo.sh "$$($(SWIFT) build $(RELEASE) --show-bin-path)/git-coord"

bench: deps
	$(SWIFT) build $(RELEASE) --product git-coord
	$(SWIFT) build $(RELEASE) --product git-coord-mcp
	$(SWIFT) build $(RELEASE) --product coord-bench
	@"$$($(SWIFT) build $(RELEASE) --show-bin-path)/coord-bench" $(AREAS)

# The manual pages and shell completions, written from the release binary's own description of its commands and
# from README.md by git-coord-docs (a build-time tool, not installed).
BIN_DIR = $$($(SWIFT) build $(RELEASE) --show-bin-path)
DOCS = $(RELEASE_SCRATCH)/docs
DOCS_DATE := $(shell git log -1 --format=%cs 2>/dev/null || date -u +%F)
docs: release
	$(SWIFT) build --scratch-path "$(RELEASE_SCRATCH)" --product git-coord-docs
	rm -rf "$(DOCS)"
	"$$($(SWIFT) build --scratch-path "$(RELEASE_SCRATCH)" --show-bin-path)/git-coord-docs" \
	  --binary "$(BIN_DIR)/git-coord" --readme README.md --out "$(DOCS)" --date "$(DOCS_DATE)"

# The binaries, git-coord(1) and its pages, bash/zsh/fish completions and the hook scripts, below $(PREFIX).
install: docs
	@scripts/install-tree.sh "$(BIN_DIR)" "$(DOCS)" "$(DESTDIR)$(PREFIX)"

uninstall:
	@scripts/install-tree.sh --uninstall "$(DESTDIR)$(PREFIX)"

# A relocatable tarball and a .deb in $(DISTDIR), versioned by git describe.
DISTDIR ?= $(CURDIR)/dist
dist: docs
	@scripts/dist.sh "$(BIN_DIR)" "$(DOCS)" "$(DISTDIR)"

clean:
	rm -rf .build
