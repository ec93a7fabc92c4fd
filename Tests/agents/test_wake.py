"""An idle session woken by a direct message, in the real Claude Code 2.1.332 and Codex CLI 0.163.0, after
`git coord init` and `git coord install` only.

Claude Code: long-lived stream-json sessions (as the Agent SDK runs them). Its Stop hook runs in the background
(`asyncRewake`) while the session idles; exit 2 wakes the model with the delivered message. Codex: the TUI in tmux,
hosted by an app-server (`codex --remote`), where `codex queue` starts a turn in an idle session. The wake latency is
measured by `make bench` (area "wake"); here it is only printed.
"""

import time

from agents import ClaudeSession, claude_print, install_codex
from model_server import Text, bash
from scenarios import install_claude, no_claude_hook_problems, session_in
from tui import CodexTUI, processes_of, wait_until


def armed(lab, kind, agent_session_id=None):
    """Whether a waiter of that agent session (of any, without an id) is armed in the repository's git folder."""
    folder = lab.main / ".git" / "coord" / "wake"
    if agent_session_id:
        return (folder / f"{kind}-{agent_session_id}").exists()
    return folder.exists() and any(p.name.startswith(kind + "-") and ".tmp" not in p.name for p in folder.iterdir())


def test_claude_an_idle_session_is_woken_by_a_direct_message_once(lab):
    install_claude(lab)
    alice = ClaudeSession(lab, lab.main, lab.script("alice")).start()
    bob = ClaudeSession(lab, lab.other, lab.script("bob"))
    try:
        alice.prompt("Hello, I am working on the parser.", Text("Noted."))
        alice_name = session_in(lab, lab.main, "claude")["name"]
        bob.start().prompt("Hello, I am writing the docs.", Text("Noted."))
        # alice finished her turn: her Stop hook waits in the background.
        assert wait_until(lambda: armed(lab, "claude", alice.session_id)), "alice's Stop hook is not waiting"

        message = "Alice, please review the router change before you merge"
        alice.script.then(Text("I read bob's message."))
        before = len(alice.script.turns())
        bob.prompt("Tell alice.", bash(f"git coord send {alice_name} '{message}'"), Text("Told her."))
        sent = bob.script.turns()[-1].at  # the request after the send: the message was written by then
        woken = alice.script.wait_requests(before + 1, timeout=30)[-1]
        print(f"\nClaude Code woke {woken.at - sent:.3f} s after bob's send returned (make bench measures it)")
        assert woken.shown.count(message) == 1, woken.shown[-2000:]
        assert "git-coord woke this idle session" in woken.shown
        # The woken turn ends; alice idles again, re-armed.
        assert wait_until(lambda: len(alice.results()) == 2, timeout=30)
        assert wait_until(lambda: armed(lab, "claude", alice.session_id)), "not re-armed after the woken turn"
        alice.prompt("Anything else?", Text("No."))

        # After `git pack-refs --all` the refs live in packed-refs: a second message still wakes her.
        assert wait_until(lambda: armed(lab, "claude", alice.session_id))
        lab.git("pack-refs", "--all")
        assert not (lab.main / ".git" / "refs" / "coord" / "v1" / "log").exists()
        second = "Second message: the CI is green again"
        alice.script.then(Text("I read the second one."))
        before = len(alice.script.turns())
        bob_id = session_in(lab, lab.other, "claude")["id"]
        lab.coord("send", alice_name, second, "--session", bob_id, cwd=lab.other)
        alice.script.wait_requests(before + 1, timeout=30)
        assert wait_until(lambda: len(alice.results()) == 4, timeout=30)
        alice.prompt("Still there?", Text("Yes."))

        # From the woken request on, each message is in every request exactly once: the prompt hook of the woken
        # turn found it delivered already, and nothing delivered it again.
        turns = alice.script.turns()
        first_woken = next(i for i, r in enumerate(turns) if message in r.shown)
        assert [r.shown.count(message) for r in turns[first_woken:]] == [1] * len(turns[first_woken:])
        second_woken = next(i for i, r in enumerate(turns) if second in r.shown)
        assert [r.shown.count(second) for r in turns[second_woken:]] == [1] * len(turns[second_woken:])
        assert all(r.shown.count(message) == 0 for r in bob.script.turns()), "a DM reaches only its recipient"

        # Ending the session (end of input, as an SDK host does) does not wait for the waiting hook, and leaves
        # no git-coord process of hers behind.
        pid = alice.process.pid
        assert wait_until(lambda: processes_of(f"CLAUDE_PID={pid}")), "no waiter to end"
        started = time.monotonic()
        assert alice.close() == 0
        assert time.monotonic() - started < 15, "Claude Code waited for a pending hook (it waits ~30 s)"
        assert wait_until(lambda: not processes_of(f"CLAUDE_PID={pid}"), timeout=5), processes_of(f"CLAUDE_PID={pid}")
        assert session_in(lab, lab.main, "claude", all=True)["state"] == "ended"
        no_claude_hook_problems(alice, bob)
    finally:
        alice.close(), bob.close()


def test_claude_a_killed_session_leaves_no_waiter(lab):
    install_claude(lab, lab.main)
    alice = ClaudeSession(lab, lab.main, lab.script("alice")).start()
    try:
        alice.prompt("Hello.", Text("Hi."))
        assert wait_until(lambda: armed(lab, "claude", alice.session_id))
        pid = alice.process.pid
        assert processes_of(f"CLAUDE_PID={pid}")
        alice.process.kill()  # SIGKILL: no SessionEnd, and Claude Code's background hooks are orphaned
        alice.process.wait()
        assert wait_until(lambda: not processes_of(f"CLAUDE_PID={pid}"), timeout=5), processes_of(f"CLAUDE_PID={pid}")
    finally:
        alice.close()


def test_claude_one_shot_runs_are_not_held_by_the_stop_hook(lab):
    install_claude(lab, lab.main)
    script = lab.script("alice")
    started = time.monotonic()
    result = claude_print(lab, lab.main, script, "Hello.", Text("Hi."))
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 60
    stop = [line for line in result.debug.splitlines() if "Stop [git coord hook claude]" in line]
    assert stop and all("status 0" in line for line in stop), stop  # ran in the foreground, returned at once
    assert not processes_of(f"HOME={lab.home}"), "a hook of the one-shot run is still running"


def test_codex_an_idle_tui_session_is_nudged_and_gets_the_message_once(lab):
    install_codex(lab, lab.main)
    script = lab.script("alice")
    script.then(Text("Hi from Codex."))
    tui = CodexTUI(lab, lab.main, script).start("Hello, I am working on the parser.")
    try:
        tui.wait_for("Hi from Codex.")
        assert wait_until(lambda: armed(lab, "codex"), timeout=20), "Codex's Stop hook is not waiting (untrusted?)"
        alice_name = session_in(lab, lab.main, "codex")["name"]
        bob = lab.coord("start", "--name", "bob", cwd=lab.other).stdout.strip()

        message = "Alice, the schema moved to db/schema.sql"
        script.then(Text("Read bob's message."))
        before = len(script.turns())
        sent = time.time()
        lab.coord("send", alice_name, message, "--session", bob, cwd=lab.other)
        woken = script.wait_requests(before + 1, timeout=30)[-1]
        print(f"\nCodex started a turn {woken.at - sent:.3f} s after the send")
        # The turn's prompt is git-coord's nudge, which carries nothing bob wrote; the message itself comes once, in
        # the context the prompt hook added.
        prompts = [item for item in woken.body.get("input", []) if item.get("role") == "user"]
        nudge = "\n".join(part.get("text", "") for part in prompts[-1].get("content", []))
        assert "git-coord: A direct message" in nudge and message not in nudge, nudge
        assert woken.shown.count(message) == 1, woken.shown[-3000:]
        tui.wait_for("Read bob's message.")
        assert wait_until(lambda: armed(lab, "codex"), timeout=20), "not re-armed after the woken turn"

        # Quitting the TUI leaves the thread in the app-server (Codex's design: `codex resume` and `codex queue`
        # still reach it); when the app-server goes, the waiter goes with it.
        tui.quit()
        tui.stop_server()
        assert wait_until(lambda: not processes_of(f"HOME={lab.home}"), timeout=5), processes_of(f"HOME={lab.home}")
        later = [r for r in script.turns()[before:] if message in r.shown]
        assert [r.shown.count(message) for r in later] == [1] * len(later)
    finally:
        tui.close()
