"""Interactive CLIs in a real terminal: tmux (`send-keys`, `capture-pane`) on a socket of the lab's own.

- `Tmux`: one tmux server, one window running a command, and what its screen shows.
- `CodexTUI`: Codex's TUI connected to an app-server on a unix socket (`codex app-server --listen unix://`, then
  `codex --remote unix://`), the way a packaged Codex hosts its sessions in its daemon. The PyPI build cannot start
  that daemon by itself ("this CLI has no complete local package"), so the lab starts the app-server, which is the
  same program. Only a session hosted there takes `codex queue` turns while idle.
- `processes_of(...)`: the processes whose environment says they serve a given agent, for "nothing is left behind".
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from agents import CODEX, Lab
from model_server import Script


class Tmux:
    def __init__(self, lab: Lab, name: str, cwd: Path, command: str, env: dict, width: int = 160, height: int = 50):
        # A unix socket's path has at most 107 bytes: the lab's folders are deeper than that.
        self.socket = os.path.join(tempfile.mkdtemp(prefix="coord-lab-tmux-"), f"{name}.sock")
        line = " ".join(["exec", "env", "-i"] + [shlex.quote(f"{k}={v}") for k, v in env.items()] + [command])
        self.run("new-session", "-d", "-x", str(width), "-y", str(height), "-c", str(cwd), line)

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", *keys)

    def wait_for(self, text: str, timeout: float = 60, answer: dict | None = None) -> str:
        """Waits until the screen shows `text`; `answer` maps a prompt on the screen to the keys that answer it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            for prompt, keys in (answer or {}).items():
                if prompt in screen:
                    for key in keys:
                        self.keys(key)
                        time.sleep(0.2)
            time.sleep(0.2)
        raise TimeoutError(f"the screen never showed {text!r}:\n{self.screen()}")

    def kill(self) -> None:
        self.run("kill-server")
        shutil.rmtree(os.path.dirname(self.socket), ignore_errors=True)


# Codex's first run in a fresh CODEX_HOME offers a newer model: keep the configured one.
CODEX_FIRST_RUN = {"Use existing model": ["2", "Enter"]}


class CodexTUI:
    def __init__(self, lab: Lab, worktree: Path, script: Script):
        self.lab, self.worktree, self.script = lab, worktree, script
        self.env = lab.env(TERM="xterm-256color", RUST_LOG=os.environ.get("LAB_RUST_LOG", "warn"))
        self.server_log = lab.logs / f"{script.name}.codex-app-server.log"
        self.socket = lab.home / ".codex" / "app-server-control" / "app-server-control.sock"

    def start(self, prompt: str) -> "CodexTUI":
        self.server = subprocess.Popen([str(CODEX), "app-server", "--listen", "unix://"], cwd=self.worktree, env=self.env,
                                       stdin=subprocess.DEVNULL, stdout=open(self.server_log, "w"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not self.socket.exists():
            if self.server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"codex app-server did not start:\n{self.server_log.read_text()}")
            time.sleep(0.05)
        command = " ".join(shlex.quote(a) for a in [str(CODEX), "--remote", "unix://", f"{self.script.marker} {prompt}"])
        self.tmux = Tmux(self.lab, self.script.name, self.worktree, command, self.env)
        return self

    def wait_for(self, text: str, timeout: float = 60) -> str:
        return self.tmux.wait_for(text, timeout, answer=CODEX_FIRST_RUN)

    def quit(self) -> None:
        """Ctrl-C twice, as a user leaves the TUI."""
        self.tmux.keys("C-c")
        time.sleep(0.3)
        self.tmux.keys("C-c")

    def stop_server(self) -> None:
        if self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()

    def close(self) -> None:
        self.tmux.kill()
        self.stop_server()


def processes_of(marker: str) -> list[tuple[int, str]]:
    """git-coord hook processes (and the git running them) whose environment holds `marker` (`NAME=value`)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read().split(b"\0")
        except OSError:
            continue
        if marker.encode() in environ and b"hook" in argv and any(b"git-coord" in a or a == b"coord" for a in argv):
            found.append((int(entry), b" ".join(argv).decode(errors="replace")))
    return found


def wait_until(check, timeout: float = 10, interval: float = 0.05):
    """Calls `check` until it returns something true, and returns that (or the last value after `timeout`)."""
    deadline = time.monotonic() + timeout
    value = check()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = check()
    return value
