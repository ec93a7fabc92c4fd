"""Drivers for the real agent CLIs, and the scratch repository they work in.

- `Lab`: a scratch repository (`app`, branch main) with a linked worktree (`app-b`, branch feature), coordination
  on (`git coord init`), the real `git-coord` first on PATH, a throwaway HOME, and the scripted model server.
- `ClaudeSession`: one long-lived Claude Code process over `--input-format/--output-format stream-json` (what the
  Agent SDK's client runs), optionally answering its permission questions (`--permission-prompt-tool stdio`) the way
  an SDK host's `can_use_tool` handler does. `claude_print` runs one-shot `claude -p`.
- `codex_exec`: one `codex exec` run with a CODEX_HOME whose provider is the scripted model.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from model_server import ModelServer, Script

PACKAGE_ROOT = Path(__file__).resolve().parents[2]
CLIS = Path(os.environ.get("AGENT_CLIS_DIR", PACKAGE_ROOT / ".agent-clis"))
CLAUDE = CLIS / "claude"
CODEX = CLIS / "codex_cli_bin" / "bin" / "codex"
CODEX_MODEL = "gpt-5.5"  # a model Codex knows: it gets exec_command and the freeform apply_patch


def binaries_dir() -> Path:
    """The folder holding the git-coord and git-coord-mcp under test: $GIT_COORD_BIN_DIR (set by `make test`), else
    `swift build --show-bin-path`."""
    folder = os.environ.get("GIT_COORD_BIN_DIR")
    if not folder:
        folder = subprocess.run(["swift", "build", "--show-bin-path"], cwd=PACKAGE_ROOT, check=True,
                                capture_output=True, text=True).stdout.strip()
    return Path(folder)


class Lab:
    """A scratch repository with two worktrees and everything the CLIs need to run in it, offline."""

    def __init__(self, root: Path, bin_dir: Path, server: ModelServer, name: str):
        self.root = root
        self.bin_dir = bin_dir
        self.server = server
        self.name = name  # unique per test: the prefix of its sessions' markers
        self.home = root / "home"
        self.install_user_binaries()
        self.main = root / "app"
        self.other = root / "app-b"
        self.logs = root / "logs"
        self.logs.mkdir()
        self.git("init", "-q", "-b", "main", str(self.main), cwd=root)
        self.git("config", "user.email", "lab@example.com")
        self.git("config", "user.name", "Lab")
        (self.main / "shared.txt").write_text("line one\n")
        (self.main / "README.md").write_text("# app\n")
        self.git("add", ".")
        self.git("commit", "-q", "-m", "initial")
        self.coord("init")
        self.git("worktree", "add", "-q", "-b", "feature", str(self.other))

    def install_user_binaries(self) -> None:
        """The user's HOME as after `make install` (PREFIX=~/.local) on Debian: git-coord and git-coord-mcp in
        ~/.local/bin, which the stock ~/.profile puts on PATH. Codex runs the model's commands in a login shell,
        whose PATH comes from the profile, not from Codex's own environment."""
        local_bin = self.home / ".local" / "bin"
        local_bin.mkdir(parents=True)
        for name in ("git-coord", "git-coord-mcp"):
            (local_bin / name).symlink_to(self.bin_dir / name)
        (self.home / ".profile").write_text(
            "# As Debian's /etc/skel/.profile: the user's private bin folder on PATH.\n"
            'if [ -d "$HOME/.local/bin" ] ; then\n    PATH="$HOME/.local/bin:$PATH"\nfi\n')

    # MARK: Environment

    def env(self, **extra: str) -> dict:
        """A clean environment: nothing of the host's git, agent or coord variables leaks in."""
        env = {
            "PATH": f"{self.home / '.local' / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "TERM": "dumb",
            "TMPDIR": os.environ.get("TMPDIR", "/tmp"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "CODEX_HOME": str(self.home / ".codex"),  # the default; set so that nothing of the host's leaks in
        }
        if "USER" in os.environ:
            env["USER"] = os.environ["USER"]
        env.update(extra)
        return env

    def git(self, *args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=cwd or self.main, env=self.env(), check=check,
                              capture_output=True, text=True)

    def coord(self, *args: str, cwd: Path | None = None, input: str | None = None, check: bool = True,
              **env: str) -> subprocess.CompletedProcess:
        result = subprocess.run([str(self.bin_dir / "git-coord"), *args], cwd=cwd or self.main, env=self.env(**env),
                                input=input, capture_output=True, text=True)
        if check and result.returncode != 0:
            raise AssertionError(f"git coord {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
        return result

    def sessions(self, all: bool = False) -> list[dict]:
        args = ["list", "--json"] + (["--all"] if all else [])
        return json.loads(self.coord(*args).stdout)["sessions"]

    def claims(self) -> list[dict]:
        return json.loads(self.coord("claims", "--json").stdout)["claims"]

    def feed(self) -> list[dict]:
        return json.loads(self.coord("feed", "--json", "--limit", "0").stdout)["notes"]

    def script(self, who: str, *steps) -> Script:
        return self.server.script(f"{self.name}-{who}", *steps)


# MARK: Claude Code

PermissionHandler = Callable[[dict], dict]


def allow_everything(request: dict) -> dict:
    return {"behavior": "allow", "updatedInput": request.get("input", {})}


@dataclass
class ClaudeSession:
    """A long-lived Claude Code session in `worktree`, playing `script`. With `permissions` set, the CLI asks the
    host (this driver) before each tool that needs approval, and `permissions(request)` answers like an SDK
    host's `can_use_tool`; every question is kept in `permission_requests`."""
    lab: Lab
    worktree: Path
    script: Script
    permissions: PermissionHandler | None = allow_everything
    titles: bool = False
    extra_args: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    permission_requests: list = field(default_factory=list)

    def __post_init__(self):
        self.debug_path = self.lab.logs / f"{self.script.name}.claude-debug.log"
        self.stream_path = self.lab.logs / f"{self.script.name}.claude-stream.jsonl"
        self.stderr_path = self.lab.logs / f"{self.script.name}.claude-stderr.log"
        self._cond = threading.Condition()
        self._started = False
        self._prompts = 0

    def start(self) -> "ClaudeSession":
        args = [str(CLAUDE), "--output-format", "stream-json", "--verbose", "--input-format", "stream-json",
                "--include-hook-events", "--debug-file", str(self.debug_path), *self.extra_args]
        if self.permissions:
            args += ["--permission-prompt-tool", "stdio"]
        self._stderr = open(self.stderr_path, "w")
        # As the Agent SDK starts it (an SDK session also generates the session's title, when allowed to).
        env = claude_env(self.lab, self.titles, CLAUDE_CODE_ENTRYPOINT="sdk-py", CLAUDE_AGENT_SDK_VERSION="0.2.189")
        self.process = subprocess.Popen(args, cwd=self.worktree, env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                                        text=True, bufsize=1)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        with open(self.stream_path, "w") as log:
            for line in self.process.stdout:
                log.write(line)
                log.flush()
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if message.get("type") == "control_request":
                    self._answer(message)
                with self._cond:
                    self.messages.append(message)
                    self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def _answer(self, message: dict) -> None:
        request = message.get("request", {})
        if request.get("subtype") == "can_use_tool" and self.permissions:
            self.permission_requests.append(request)
            reply = {"subtype": "success", "request_id": message["request_id"], "response": self.permissions(request)}
        else:
            reply = {"subtype": "error", "request_id": message["request_id"],
                     "error": f"the lab host does not handle {request.get('subtype')}"}
        self._write({"type": "control_response", "response": reply})

    def _write(self, payload: dict) -> None:
        self.process.stdin.write(json.dumps(payload) + "\n")
        self.process.stdin.flush()

    def prompt(self, text: str, *steps, timeout: float = 90) -> dict:
        """Queues `steps` for the model, sends the user's prompt (the first one carries the session's marker),
        and waits for the turn's result."""
        self.script.then(*steps)
        if self._prompts == 0:
            text = f"{self.script.marker} {text}"
        self._prompts += 1
        with self._cond:
            results_before = len(self.results())
        self._write({"type": "user", "message": {"role": "user", "content": text}, "parent_tool_use_id": None,
                     "session_id": "default"})
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.results()) <= results_before:
                if self.process.poll() is not None and not self._reader.is_alive():
                    raise AssertionError(f"claude exited {self.process.returncode}:\n{self.stderr()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{self.script.name}: no result within {timeout}s")
                self._cond.wait(min(left, 0.5))
            return self.results()[-1]

    def results(self) -> list[dict]:
        return [m for m in self.messages if m.get("type") == "result"]

    @property
    def session_id(self) -> str | None:
        for message in self.messages:
            if message.get("session_id") and message.get("type") == "system":
                return message["session_id"]
        return None

    def close(self, timeout: float = 30) -> int:
        """Ends the session as an SDK host does: end of input. The CLI runs SessionEnd and exits."""
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
            except BrokenPipeError:
                pass
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(5)
        self._stderr.close()
        return self.process.returncode

    def stderr(self) -> str:
        return self.stderr_path.read_text() if self.stderr_path.exists() else ""

    def debug_log(self) -> str:
        return self.debug_path.read_text() if self.debug_path.exists() else ""

    def tool_results(self) -> list[dict]:
        """The tool results the CLI gave back to the model, in order (`content`, `is_error`)."""
        results = []
        for message in self.messages:
            if message.get("type") != "user":
                continue
            for block in message.get("message", {}).get("content", []) or []:
                if isinstance(block, dict) and block.get("type") == "tool_result":
                    results.append(block)
        return results


def claude_env(lab: Lab, titles: bool = False, **extra: str) -> dict:
    env = lab.env(ANTHROPIC_BASE_URL=lab.server.url, ANTHROPIC_API_KEY="x", CLAUDE_CODE_DISABLE_AUTOUPDATER="1",
                  DISABLE_AUTOUPDATER="1", **extra)
    if not titles:
        env["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1"
    return env


def claude_print(lab: Lab, worktree: Path, script: Script, prompt: str, *steps, args: tuple = (),
                 timeout: float = 90) -> subprocess.CompletedProcess:
    """One-shot `claude -p` (text output), nobody to answer permission questions."""
    script.then(*steps)
    debug = lab.logs / f"{script.name}.claude-p-debug.log"
    result = subprocess.run([str(CLAUDE), "-p", f"{script.marker} {prompt}", "--debug-file", str(debug), *args],
                            cwd=worktree, env=claude_env(lab), stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=timeout)
    result.debug = debug.read_text() if debug.exists() else ""
    return result


# MARK: Codex CLI


def codex_home(lab: Lab, extra_config: str = "") -> Path:
    """The user's ~/.codex (also passed as CODEX_HOME), whose model provider is the scripted model: Responses API
    on 127.0.0.1, the features that reach the network off. Both worktrees are trusted projects, as for a user who
    answered the TUI's trust question once in each."""
    home = lab.home / ".codex"
    home.mkdir(exist_ok=True)
    trusted = "\n".join(f'[projects."{path}"]\ntrust_level = "trusted"\n' for path in (lab.main, lab.other))
    (home / "config.toml").write_text(f'''model = "{CODEX_MODEL}"
model_provider = "lab"
approval_policy = "never"
{extra_config}
[model_providers.lab]
name = "lab"
base_url = "{lab.server.url}/v1"
wire_api = "responses"

[features]
plugins = false
apps = false
remote_plugin = false

{trusted}''')
    return home


@dataclass
class CodexRun:
    result: subprocess.CompletedProcess
    events: list
    home: Path

    @property
    def thread_id(self) -> str | None:
        for event in self.events:
            if event.get("type") == "thread.started":
                return event.get("thread_id")
        return None

    @property
    def output(self) -> str:
        return self.result.stdout + self.result.stderr


def codex(lab: Lab, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """A codex command other than a session (`codex mcp add ...`), with the lab's CODEX_HOME."""
    return subprocess.run([str(CODEX), *args], cwd=cwd or lab.main, env=lab.env(CODEX_HOME=str(lab.home / ".codex")),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def codex_exec(lab: Lab, worktree: Path, script: Script, prompt: str, *steps, resume: str | None = None,
               args: tuple = (), timeout: float = 120) -> CodexRun:
    """One `codex exec --json` run (its events on stdout, its log on stderr) with the lab's CODEX_HOME; with
    `resume`, `codex exec resume <thread id>` (the conversation already carries the session's marker).

    LAB_CODEX_BYPASS_HOOK_TRUST=1 adds `--dangerously-bypass-hook-trust`: a diagnostic aid to see what lies behind
    untrusted hooks, never a way to make a test pass."""
    script.then(*steps)
    command = [str(CODEX), "exec", "--json", *args]
    if os.environ.get("LAB_CODEX_BYPASS_HOOK_TRUST") == "1":
        command.append("--dangerously-bypass-hook-trust")
    command += ["resume", resume, prompt] if resume else [f"{script.marker} {prompt}"]
    result = subprocess.run(command, cwd=worktree, env=lab.env(RUST_LOG=os.environ.get("LAB_RUST_LOG", "warn")),
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    runs = len(list(lab.logs.glob(f"{script.name}.codex-*.stdout.jsonl")))
    (lab.logs / f"{script.name}.codex-{runs}.stdout.jsonl").write_text(result.stdout)
    (lab.logs / f"{script.name}.codex-{runs}.stderr.log").write_text(result.stderr)
    events = []
    for line in result.stdout.splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            pass
    return CodexRun(result, events, lab.home / ".codex")


def register_codex_mcp(lab: Lab, install_outputs: list) -> None:
    """The MCP registration `git coord install codex` did or told the user to do: nothing when the user's Codex
    config has a git-coord server already; else the `codex mcp add ...` line install printed; else the README's."""
    config = (lab.home / ".codex" / "config.toml").read_text()
    if re.search(r"^\[mcp_servers\.\"?git[-_]coord", config, re.M):
        return
    printed = [line[line.index("codex mcp add"):] for output in install_outputs
               for line in (output.stdout + output.stderr).splitlines() if "codex mcp add" in line]
    command = shlex.split(printed[0].strip().rstrip("`")) if printed else \
        ["codex", "mcp", "add", "git-coord", "--", "git", "coord", "mcp"]
    added = codex(lab, *command[1:])
    assert added.returncode == 0, added.stderr


def install_codex(lab: Lab, *worktrees: Path) -> None:
    """What a Codex user does: their own Codex config (the provider), then `git coord install codex` in each
    worktree, then the MCP registration install did or printed."""
    codex_home(lab)
    outputs = [lab.coord("install", "codex", cwd=worktree) for worktree in worktrees or (lab.main, lab.other)]
    register_codex_mcp(lab, outputs)


def function_outputs(request_body: dict) -> list:
    """The tool outputs in a Responses API request, in order (function_call_output / custom_tool_call_output /
    tool_search_output items)."""
    return [item for item in request_body.get("input", []) if item.get("type", "").endswith("_output")]


def output_text(item: dict) -> str:
    output = item.get("output")
    if isinstance(output, list):
        return "\n".join(part.get("text", "") for part in output)
    return output if isinstance(output, str) else json.dumps(item.get("tools", output))


def make_lab(base: Path, server: ModelServer, name: str) -> Lab:
    """A lab outside pytest (for experiments at a Python prompt): a fresh folder in `base`."""
    root = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=base))
    return Lab(root, binaries_dir(), server, name)


# MARK: What to look for


WAKE_TEXT = "git-coord: new for this session"


def is_wake(line_or_message) -> bool:
    """A waiting Stop hook that woke its session: exit 2 with git-coord's delivery on stderr. Claude Code logs it as
    a hook error ("Hook Stop (Stop) error: status code 2"), but it is the designed answer."""
    if isinstance(line_or_message, dict):
        return (line_or_message.get("hook_event") == "Stop" and line_or_message.get("exit_code") == 2
                and (line_or_message.get("stderr") or "").startswith(WAKE_TEXT))
    return "Hook Stop (Stop) error: status code 2" in line_or_message and WAKE_TEXT in line_or_message


def claude_hook_problems(debug_log: str, messages: list | None = None) -> list[str]:
    """git-coord hook runs that went wrong, as Claude Code logged them: a non-zero exit, an error line, or anything
    git-coord wrote on stderr (its hooks are silent when all is well). Also SessionStart hook responses in the
    stream-json output that are not successes. A wake (`is_wake`) is not one."""
    problems = []
    lines = debug_log.splitlines()
    for index, line in enumerate(lines):
        if is_wake(line):
            continue
        if "git coord hook" in line and re.search(r"(finished|completed) with status [1-9]", line):
            problems.append(line)
        elif "[ERROR]" in line and "Hook" in line:
            problems.append(line)
        elif "git-coord hook " in line and "stderr" in line:
            problems.append(line)
        elif line.startswith("git-coord hook ") and index and "stderr" in lines[index - 1]:
            problems.append(line)
    for message in messages or []:
        if message.get("subtype") == "hook_response" and not is_wake(message) and (
                message.get("exit_code") or message.get("outcome") != "success"):
            problems.append(json.dumps(message))
    return problems


def codex_hook_problems(stderr: str) -> list[str]:
    """Hook failures and git-coord diagnostics in `codex exec`'s log. A hook's deny is not one: Codex logs the
    blocked call at ERROR level ("Command blocked by PreToolUse hook: <reason>")."""
    return [line for line in stderr.splitlines()
            if (("hook" in line.lower() and ("ERROR" in line or "WARN" in line or "failed" in line))
                or "git-coord hook" in line) and "blocked by PreToolUse hook" not in line]
