"""Fixtures of the real-agent tests: the CLIs, the git-coord binaries, one scripted model server for the whole
run, and a fresh scratch repository (two worktrees) per test."""

import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from agents import CLAUDE, CODEX, PACKAGE_ROOT, Lab, binaries_dir  # noqa: E402
from model_server import ModelServer  # noqa: E402

_counter = itertools.count(1)


@pytest.fixture(scope="session")
def bin_dir() -> Path:
    folder = binaries_dir()
    for name in ("git-coord", "git-coord-mcp"):
        if not (folder / name).exists():
            pytest.fail(f"{folder / name} is missing: run `swift build` first (make test does)")
    return folder


@pytest.fixture(scope="session", autouse=True)
def clis():
    subprocess.run([str(PACKAGE_ROOT / "scripts" / "agent-clis.sh")], check=True)
    assert CLAUDE.exists() and CODEX.exists()


@pytest.fixture(scope="session")
def lab_base(request):
    """The labs live outside /tmp on purpose: Codex's sandbox makes /tmp and $TMPDIR writable, which would hide
    what it does to a repository in a user's own folders. Kept after a failed run, for its logs."""
    default = PACKAGE_ROOT / ".build" / "agent-lab"
    temporary = [Path("/tmp").resolve(), Path(os.environ.get("TMPDIR", "/tmp")).resolve()]
    if any(PACKAGE_ROOT.resolve().is_relative_to(folder) for folder in temporary):
        # A checkout under /tmp (a CI clone): the labs go to the user's cache folder instead.
        default = Path.home() / ".cache" / "git-coord-agent-lab"
    parent = Path(os.environ.get("AGENT_LAB_DIR", default))
    parent.mkdir(parents=True, exist_ok=True)
    for old in sorted(parent.glob("run-*"), key=lambda p: p.stat().st_mtime)[:-4]:  # keep the last few kept runs
        shutil.rmtree(old, ignore_errors=True)
    base = Path(tempfile.mkdtemp(prefix="run-", dir=parent))
    yield base
    if request.session.testsfailed == 0 and not os.environ.get("AGENT_LAB_KEEP"):
        shutil.rmtree(base, ignore_errors=True)
    else:
        print(f"\nagent lab kept at {base} (model requests: {base / 'model-requests.jsonl'})")


@pytest.fixture(scope="session")
def model(lab_base):
    server = ModelServer(str(lab_base / "model-requests.jsonl")).start()
    yield server
    server.stop()


@pytest.fixture
def lab(lab_base, bin_dir, model, request) -> Lab:
    name = f"t{next(_counter):02d}"
    root = lab_base / f"{name}-{request.node.name[:60]}"
    root.mkdir()
    return Lab(root, bin_dir, model, name)
