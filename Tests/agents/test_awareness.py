"""Awareness nobody has to type, inside the real Claude Code 2.1.332 and Codex CLI 0.163.0: tasks from what the user
asked, names from where a session works, arrivals and departures at the next turn, a killed CLI gone in seconds,
pinned findings for every newcomer."""

import os
import signal
import time

import scenarios
from agents import ClaudeSession, codex_exec, install_codex
from model_server import Text, bash
from scenarios import install_claude, no_claude_hook_problems


def test_claude_session_named_after_its_branch_with_its_first_prompt_as_task(lab):
    lab.git("worktree", "add", "-q", "-b", "ui/fixes", str(lab.root / "ui"))
    ui = lab.root / "ui"
    install_claude(lab, ui)
    session = ClaudeSession(lab, ui, lab.script("ui")).start()
    try:
        session.prompt("Make the table responsive on phones\nand keep the header sticky", Text("On it."))
        record = scenarios.session_in(lab, ui, "claude")
        assert record["name"] == "ui-fixes", record
        # (The lab puts its session marker at the start of the first prompt.)
        task = record["task"]
        assert task.endswith("Make the table responsive on phones") and "sticky" not in task, record
        assert record["taskFrom"] == "prompt", record
        no_claude_hook_problems(session)
    finally:
        session.close()


def test_codex_task_from_its_prompt(lab):
    install_codex(lab, lab.main)
    run = codex_exec(lab, lab.main, lab.script("cx"), "Port the CLI parser to argparse", Text("Done."))
    assert run.result.returncode == 0, run.output
    record = scenarios.session_in(lab, lab.main, "codex", all=True)
    assert record["task"].endswith("Port the CLI parser to argparse") and record["name"] == "main", record


def test_a_live_session_is_told_once_that_another_joined_and_that_it_left(lab):
    install_claude(lab)
    alice = ClaudeSession(lab, lab.main, lab.script("alice")).start()
    try:
        alice.prompt("Working on the parser.", Text("Noted."))
        bob = ClaudeSession(lab, lab.other, lab.script("bob")).start()
        bob.prompt("Writing the docs.", Text("Noted."))
        before = len(alice.script.turns())
        alice.prompt("Anything new?", Text("Yes."))
        alice.prompt("And now?", Text("No."))
        # The conversation is resent whole: told once means once in every request from then on.
        joined = 'joined: session "feature"'
        assert [turn.shown.count(joined) for turn in alice.script.turns()[before:]] == [1, 1]
        assert "Writing the docs." in alice.script.turns()[before].shown
        bob.close()
        before = len(alice.script.turns())
        alice.prompt("And after bob left?", Text("Noted."))
        alice.prompt("Once more.", Text("Ok."))
        assert [turn.shown.count('session "feature" ended') for turn in alice.script.turns()[before:]] == [1, 1]
        no_claude_hook_problems(alice)
    finally:
        alice.close()


def test_a_killed_cli_is_gone_within_seconds_and_its_claim_no_longer_blocks(lab):
    install_claude(lab)
    bob = ClaudeSession(lab, lab.other, lab.script("bob")).start()
    bob.prompt("Hold shared.txt for me.", bash("git coord claim shared.txt"), Text("Claimed."))
    record = scenarios.session_in(lab, lab.other, "claude")
    assert [c["pattern"] for c in lab.claims()] == ["shared.txt"]
    os.kill(bob.process.pid, signal.SIGKILL)
    bob.process.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(s["id"] == record["id"] for s in lab.sessions()):
        time.sleep(0.2)
    assert not any(s["id"] == record["id"] for s in lab.sessions()), "still listed 5 s after kill -9"
    mine = lab.coord("start", "--name", "survivor").stdout.strip()
    claimed = lab.coord("claim", "--session", mine, "shared.txt", check=False)
    assert claimed.returncode == 0, claimed.stderr


def test_a_pin_reaches_the_session_context_of_a_session_started_later(lab):
    install_claude(lab)
    alice = ClaudeSession(lab, lab.main, lab.script("alice")).start()
    try:
        alice.prompt("Remember where auth lives.", bash("git coord pin 'Auth lives in src/auth/'"), Text("Pinned."))
        assert "Auth lives in src/auth/" in lab.coord("pins").stdout
        bob = ClaudeSession(lab, lab.other, lab.script("bob")).start()
        try:
            bob.prompt("Hello.", Text("Hi."))
            assert "Auth lives in src/auth/" in bob.script.turns()[0].shown
            no_claude_hook_problems(alice, bob)
        finally:
            bob.close()
    finally:
        alice.close()
