"""Steps the tests of both CLIs share."""

from agents import ClaudeSession, claude_hook_problems
from model_server import Text


def install_claude(lab, *worktrees):
    for worktree in worktrees or (lab.main, lab.other):
        lab.coord("install", "claude", cwd=worktree)


def session_in(lab, worktree, agent, all=False):
    """The one session of `agent` in `worktree` (live only, unless `all`)."""
    found = [s for s in lab.sessions(all=all) if s["worktree"] == str(worktree) and s["agent"] == agent]
    assert len(found) == 1, f"one {agent} session in {worktree}: {found}"
    return found[0]


def no_claude_hook_problems(*sessions):
    for session in sessions:
        problems = claude_hook_problems(session.debug_log(), session.messages)
        assert not problems, f"{session.script.name}: hook problems:\n" + "\n".join(problems)


def claude_holder(lab, *claim_steps):
    """bob, a Claude Code session in the linked worktree, claims shared.txt through his model (`claim_steps`) and
    stays live; returns the session and bob's record."""
    bob = ClaudeSession(lab, lab.other, lab.script("bob")).start()
    bob.prompt("I am rewriting shared.txt; hold it.", *claim_steps, Text("Claimed."))
    record = session_in(lab, lab.other, "claude")
    claims = lab.claims()
    assert [(c["pattern"], c["session"]) for c in claims] == [("shared.txt", record["id"])], claims
    return bob, record
