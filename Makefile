# git-coord: the two commands people need are `make demo` and `make test`; both install what is missing.
PREFIX ?= $(HOME)/.local
SWIFT ?= swift
# A statically linked Swift runtime starts in ~5 ms instead of ~13 ms: hooks start a process on every commit.
RELEASE = -c release --scratch-path $(RELEASE_SCRATCH) --static-swift-stdlib $(PACKED_RELOCATIONS) $(STATIC_LIBSTDCXX) $(METADATA_ACCESSORS)
# Release builds have their own build folder: 'swift test' holds .build's lock while the tests run, and the tests
# run 'make install' and 'make dist' themselves.
RELEASE_SCRATCH ?= $(CURDIR)/.build-release
# That runtime brings ~58,000 relative relocations, which the loader applies at every start. Packed (DT_RELR,
# which needs lld; Swift toolchains ship it) they cost a fraction: ~0.8 ms off every command and hook.
PACKED_RELOCATIONS = $(if $(shell command -v ld.lld),-Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld -Xlinker -z -Xlinker pack-relative-relocs)
# Generic types (a dictionary of sessions, a list of claims) get their runtime metadata from accessor functions the
# compiler writes, not from demangling their mangled names at first use, which also searches every protocol
# conformance of the binary for their requirements: ~0.5 ms off the pre-commit hook of a commit of 100 claimed files.
METADATA_ACCESSORS = -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors
# It also needs 25 functions of libstdc++; taken from libstdc++'s archive, the loader has one big shared library
# less to map and relocate at every start (~0.8 ms). The runtime's link line asks for -lstdc++ by name, so the
# archive is put alone in a folder searched first.
LIBSTDCXX_ARCHIVE := $(shell clang -print-file-name=libstdc++.a 2>/dev/null)
STATIC_LIBSTDCXX_DIR = $(CURDIR)/.build/static-libstdc++
STATIC_LIBSTDCXX = $(if $(filter /%,$(LIBSTDCXX_ARCHIVE)),-Xswiftc -L$(STATIC_LIBSTDCXX_DIR))

.PHONY: all deps build release docs test test-agents test-agents-only demo bench install uninstall dist clean fuzz-build fuzz fuzz-regress

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
	@$(MAKE) --no-print-directory test-agents-only
	@$(MAKE) --no-print-directory fuzz-regress

# The real Claude Code and Codex CLIs (from PyPI, cached in .agent-clis/) driven against a scripted model:
# Tests/agents/README.md. `make test-agents PYTEST_ARGS="-k codex"` runs some of them.
test-agents: deps
	@scripts/mcp-venv.sh
	$(SWIFT) build --product git-coord
	$(SWIFT) build --product git-coord-mcp
	@$(MAKE) --no-print-directory test-agents-only

test-agents-only:
	@scripts/agent-clis.sh
	GIT_COORD_BIN_DIR="$$($(SWIFT) build --show-bin-path)" .venv/bin/python -m pytest Tests/agents -q $(PYTEST_ARGS)


# libFuzzer targets (Tests/Fuzz/): the record decoders, path and pattern handling, the agents' event parser. Built
# with --sanitize fuzzer into their own scratch path, so the ordinary build never compiles them. `make test` replays
# the committed corpus (every crash or slow input found is kept there) and runs a short, seeded, repeatable fuzz;
# `make fuzz` fuzzes for FUZZ_TIME seconds per target and keeps new inputs in .build-fuzz/corpus/.
FUZZ_TARGETS = fuzz-records fuzz-paths fuzz-agent-events
FUZZ_TIME ?= 600
FUZZ_BUILD = GIT_COORD_FUZZ=1 $(SWIFT) build --scratch-path .build-fuzz --manifest-cache none --sanitize fuzzer
FUZZ_FLAGS = -timeout=2 -rss_limit_mb=2048 -max_len=8192

fuzz-build: deps
	@for t in $(FUZZ_TARGETS); do $(FUZZ_BUILD) --product $$t >/dev/null || exit 1; done

fuzz-regress: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p .build-fuzz/scratch/$$t && rm -rf .build-fuzz/scratch/$$t/* && \
	  .build-fuzz/debug/$$t $(FUZZ_FLAGS) -seed=1 -runs=20000 -artifact_prefix=.build-fuzz/$$t- \
	    .build-fuzz/scratch/$$t Tests/Fuzz/corpus/$$t >.build-fuzz/$$t.log 2>&1 \
	    || { tail -40 .build-fuzz/$$t.log; echo "fuzz: $$t failed (input kept as .build-fuzz/$$t-*)"; exit 1; }; \
	  echo "fuzz: $$t: corpus and 20000 seeded runs, no crash, no slow input"; \
	done

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p .build-fuzz/corpus/$$t && \
	  .build-fuzz/debug/$$t $(FUZZ_FLAGS) -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
	    -artifact_prefix=.build-fuzz/$$t- .build-fuzz/corpus/$$t Tests/Fuzz/corpus/$$t \
	    || { echo "fuzz: $$t found a crash or slow input: fix it, then add it to Tests/Fuzz/corpus/$$t/"; exit 1; }; \
	done

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
	rm -rf .build .build-fuzz .build-release
