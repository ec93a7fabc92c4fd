"""git-coord inside the real Claude Code 2.1.332, after `git coord init` and `git coord install claude` only.

Sessions are long-lived stream-json processes (as the Agent SDK runs them) whose permission questions the test
answers as an SDK host would (allow, except where a test says otherwise), or one-shot `claude -p` runs, where
nobody can answer. The model is scripted (model_server.py); every request it gets is recorded.
"""

import json

import pytest

import scenarios
from agents import ClaudeSession, allow_everything, claude_hook_problems, claude_print
from model_server import Text, Tool, bash, edit, tool_search
from scenarios import claude_holder, install_claude, no_claude_hook_problems

ONE_SHOT_EDITS = ("--permission-mode", "acceptEdits")  # what a user of `claude -p` who lets it edit passes


def session_in(lab, worktree):
    return scenarios.session_in(lab, worktree, "claude")


no_hook_problems = no_claude_hook_problems


def count(text, needle):
    return text.count(needle)


def start_pair(lab, alice_permissions=allow_everything, bob_permissions=allow_everything):
    """alice in the main checkout, then bob in the linked worktree, each through one first prompt. (Claude Code
    runs SessionStart when its process starts, before any prompt: bob starts once alice is registered.)"""
    alice = ClaudeSession(lab, lab.main, lab.script("alice"), permissions=alice_permissions).start()
    alice.prompt("Hello, I am working on the parser.", Text("Noted."))
    bob = ClaudeSession(lab, lab.other, lab.script("bob"), permissions=bob_permissions).start()
    bob.prompt("Hello, I am writing the docs.", Text("Noted."))
    return alice, bob


def test_presence_and_session_start_context(lab):
    install_claude(lab)
    alice, bob = start_pair(lab)
    try:
        sessions = lab.sessions()
        assert sorted((s["agent"], s["branch"], s["worktree"], s["state"]) for s in sessions) == [
            ("claude", "feature", str(lab.other), "live"), ("claude", "main", str(lab.main), "live")]
        alice_record, bob_record = session_in(lab, lab.main), session_in(lab, lab.other)

        # Each model was told who it is (name and id, for the MCP tools), and bob (who came second) that alice is
        # there, and on which branch.
        alice_first, bob_first = alice.script.turns()[0].shown, bob.script.turns()[0].shown
        assert alice_record["name"] in alice_first and alice_record["id"] in alice_first
        assert bob_record["name"] in bob_first and bob_record["id"] in bob_first
        assert f'session "{alice_record["name"]}" (claude), on branch "main"' in bob_first
        no_hook_problems(alice, bob)
    finally:
        alice.close(), bob.close()


def test_model_shell_acts_for_its_own_session_in_a_shared_checkout(lab):
    install_claude(lab, lab.main)
    alice = ClaudeSession(lab, lab.main, lab.script("alice")).start()
    bob = ClaudeSession(lab, lab.main, lab.script("bob"))
    try:
        alice.prompt("Hello.", Text("Hi."))
        [alice_id] = [s["id"] for s in lab.sessions()]
        bob.start().prompt("Hello.", Text("Hi."))
        [bob_id] = [s["id"] for s in lab.sessions() if s["id"] != alice_id]
        # Both are live in one checkout: only the session each command comes from tells them apart.
        alice.prompt("Parser work.", bash("git coord task 'Rewrite the parser'"), bash("git coord note 'alice was here'"),
                     Text("Done."))
        bob.prompt("Docs work.", bash("git coord task 'Write the docs'"), bash("git coord claim README.md"), Text("Done."))
        tasks = {s["id"]: s["task"] for s in lab.sessions()}
        assert tasks == {alice_id: "Rewrite the parser", bob_id: "Write the docs"}
        assert [(n["from"]["id"], n["text"]) for n in lab.feed()] == [(alice_id, "alice was here")]
        assert [(c["pattern"], c["session"]) for c in lab.claims()] == [("README.md", bob_id)]
        assert all(not r["is_error"] for r in alice.tool_results() + bob.tool_results()), alice.tool_results() + bob.tool_results()
        no_hook_problems(alice, bob)
    finally:
        alice.close(), bob.close()


def test_notes_and_messages_reach_the_other_model_exactly_once(lab):
    install_claude(lab)
    alice, bob = start_pair(lab)
    try:
        bob_name = session_in(lab, lab.other)["name"]
        note, message = "Renamed getLabel to translate in i18n.js", "Please keep the nav item in AdminDashboard.jsx"
        alice.prompt("Tell the others.", bash(f"git coord note '{note}'"), bash(f"git coord send {bob_name} '{message}'"),
                     Text("Told them."))
        before = len(bob.script.turns())
        bob.prompt("Carry on.", bash("git status --short"), Text("Carrying on."))
        bob.prompt("And now?", Text("Still fine."))

        requests = bob.script.turns()[before:]
        assert len(requests) == 3
        # From the first request after the prompt on, each is in every request exactly once (the conversation is
        # resent whole: a second delivery would show up as a second copy).
        assert [(count(r.shown, note), count(r.shown, message)) for r in requests] == [(1, 1)] * 3
        # A session never gets its own note back.
        assert all(count(r.shown, note) == 0 for r in alice.script.turns())
        no_hook_problems(alice, bob)
    finally:
        alice.close(), bob.close()


def test_note_and_message_from_stdin_lose_the_heredoc_newline(lab):
    install_claude(lab)
    alice, bob = start_pair(lab)
    try:
        bob_name = session_in(lab, lab.other)["name"]
        alice.prompt("Tell them, word for word.",
                     bash("git coord note - <<'GIT_COORD_NOTE'\nThe build needs Swift 6\nGIT_COORD_NOTE"),
                     bash(f"git coord send {bob_name} - <<'GIT_COORD_MESSAGE'\nYour router is next\nGIT_COORD_MESSAGE"),
                     Text("Sent."))
        bob.prompt("Anything new?", Text("Let me see."))
        assert [n["text"] for n in lab.feed()] == ["The build needs Swift 6"]
        inbox = json.loads(lab.coord("inbox", "--peek", "--json", "--session", bob_name).stdout)
        shown = bob.script.last().shown
        assert "> The build needs Swift 6\n" in shown and "> Your router is next\n" in shown
        for line in ("The build needs Swift 6", "Your router is next"):
            after = shown.split("> " + line + "\n", 1)[1]
            assert not after.lstrip(" ").startswith(">"), f"an empty quoted line follows {line!r}: {after[:80]!r}"
        assert inbox["items"] == [] or all(not i["text"].endswith("\n") for i in inbox["items"])
    finally:
        alice.close(), bob.close()


def test_edit_guard_stops_a_one_shot_edit_of_a_file_claimed_through_bash(lab):
    install_claude(lab)
    bob, holder = claude_holder(lab, bash("git coord claim shared.txt --reason 'bob rewrites it'"))
    try:
        shared, readme = lab.main / "shared.txt", lab.main / "README.md"
        script = lab.script("alice")
        result = claude_print(lab, lab.main, script, "Edit shared.txt and README.md.",
                              Tool("Read", {"file_path": str(shared)}), edit(str(shared), "line one", "line ALICE"),
                              Tool("Read", {"file_path": str(readme)}), edit(str(readme), "# app", "# app, by alice"),
                              Text("Tried both."), args=ONE_SHOT_EDITS)
        assert result.returncode == 0, result.stderr
        assert shared.read_text() == "line one\n", "the claimed file was edited"
        assert readme.read_text() == "# app, by alice\n", "the control edit of a free file did not land"
        refusal = script.turns()[2].body["messages"][-1]["content"][0]
        assert refusal["is_error"] and holder["name"] in refusal["content"] and "claimed" in refusal["content"]
        assert not claude_hook_problems(result.debug)
        no_hook_problems(bob)
    finally:
        bob.close()


def test_edit_guard_asks_the_sdk_host_before_an_edit_of_a_file_claimed_through_mcp(lab):
    install_claude(lab)
    bob, holder = claude_holder(lab, tool_search("select:mcp__git-coord__claim"),
                                Tool("mcp__git-coord__claim", {"paths": ["shared.txt"], "reason": "bob rewrites it"}))
    asked = []

    def person(request):
        """Allows everything, except what git-coord's hook flags: that, the person refuses."""
        if request.get("decision_reason_type") == "hook" and "git-coord" in (request.get("decision_reason") or ""):
            asked.append(request)
            return {"behavior": "deny", "message": "No: another session holds that file."}
        return allow_everything(request)

    alice = ClaudeSession(lab, lab.main, lab.script("alice"), permissions=person).start()
    try:
        shared = lab.main / "shared.txt"
        alice.prompt("Edit shared.txt.", Tool("Read", {"file_path": str(shared)}),
                     Tool("Write", {"file_path": str(shared), "content": "alice's version\n"}), Text("Refused."))
        assert shared.read_text() == "line one\n", "the claimed file was written"
        assert [a["tool_name"] for a in asked] == ["Write"]
        assert holder["name"] in asked[0]["decision_reason"] and "claimed" in asked[0]["decision_reason"]
        assert alice.tool_results()[-1]["is_error"]
        no_hook_problems(alice, bob)
    finally:
        alice.close(), bob.close()


def test_mcp_tools_through_claude_code(lab):
    install_claude(lab)
    alice, bob = start_pair(lab)
    try:
        bob.prompt("Use git-coord's tools.",
                   tool_search("select:mcp__git-coord__list_sessions,mcp__git-coord__set_task,mcp__git-coord__note"),
                   Tool("mcp__git-coord__list_sessions", {}),
                   Tool("mcp__git-coord__set_task", {"task": "Docs, through MCP"}),
                   Tool("mcp__git-coord__note", {"text": "bob's note, through MCP"}),
                   Text("Done."))
        results = bob.tool_results()[-4:]
        assert [r.get("is_error", False) for r in results] == [False] * 4, results
        loaded = [block.get("tool_name") for block in results[0]["content"]]
        assert sorted(loaded) == ["mcp__git-coord__list_sessions", "mcp__git-coord__note", "mcp__git-coord__set_task"]
        listed = json.loads(results[1]["content"][0]["text"])
        assert listed["schema"] == "git-coord.sessions/1" and len(listed["sessions"]) == 2
        bob_record = session_in(lab, lab.other)
        assert bob_record["task"] == "Docs, through MCP"
        assert [(n["from"]["id"], n["text"]) for n in lab.feed()] == [(bob_record["id"], "bob's note, through MCP")]
        no_hook_problems(alice, bob)
    finally:
        alice.close(), bob.close()


def test_session_end_ends_the_session(lab):
    install_claude(lab, lab.main)
    alice = ClaudeSession(lab, lab.main, lab.script("alice")).start()
    alice.prompt("Hello.", Text("Hi."))
    alice_id = session_in(lab, lab.main)["id"]
    assert alice.close() == 0
    one_shot = claude_print(lab, lab.main, lab.script("carol"), "Hello.", Text("Hi."))
    assert one_shot.returncode == 0, one_shot.stderr
    states = {s["id"]: s["state"] for s in lab.sessions(all=True)}
    assert len(states) == 2 and set(states.values()) == {"ended"}, states
    assert alice_id in states
    assert lab.sessions() == []
    no_hook_problems(alice)
    assert not claude_hook_problems(one_shot.debug)


def test_one_shot_model_may_run_git_coords_local_commands_and_tools(lab):
    install_claude(lab, lab.main)
    script = lab.script("alice")
    result = claude_print(lab, lab.main, script, "Say what you do.",
                          bash("git coord task 'Parser, from claude -p'"),
                          tool_search("select:mcp__git-coord__note"),
                          Tool("mcp__git-coord__note", {"text": "note from claude -p"}),
                          bash("git coord list"), Text("Done."))
    assert result.returncode == 0, result.stderr
    results = [r.body["messages"][-1]["content"][0] for r in script.turns()[1:]]
    assert [r.get("is_error", False) for r in results] == [False] * 4, results
    [session] = lab.sessions(all=True)
    assert session["task"] == "Parser, from claude -p"
    assert [n["text"] for n in lab.feed()] == ["note from claude -p"]


def test_one_shot_model_may_not_sync_or_init_without_asking(lab):
    """What `install` allows must stop at git-coord's local commands: anything that reaches a remote or changes
    settings stays behind the user's approval."""
    install_claude(lab, lab.main)
    script = lab.script("alice")
    result = claude_print(lab, lab.main, script, "Share it.", bash("git coord sync"),
                          bash("git coord init --uninstall"), Text("Done."))
    assert result.returncode == 0, result.stderr
    results = [r.body["messages"][-1]["content"][0] for r in script.turns()[1:]]
    assert len(results) == 2
    for refused in results:  # refused before it ran: no output of git-coord's
        assert refused["is_error"] and "fatal:" not in str(refused["content"]), refused
    assert lab.git("config", "--get", "coord.enabled").stdout.strip() == "true"


def test_task_comes_from_the_title_claude_code_generated(lab):
    install_claude(lab, lab.main)
    alice = ClaudeSession(lab, lab.main, lab.script("alice"), titles=True).start()
    try:
        alice.prompt("Please fix the flaky parser test in tests/parser.", Text("On it."))
        alice.prompt("Go on.", Text("Done."))
        assert [r.kind for r in alice.script.requests].count("title") == 1, "Claude Code asked for no title"
        assert session_in(lab, lab.main)["task"] == lab.server.title
        no_hook_problems(alice)
    finally:
        alice.close()
