"""An independent MCP client for git-coord's server: the official MCP Python SDK over stdio.

Run by Tests/GitCoordTests/MCPServerTests.swift as
    .venv/bin/python Tests/mcp/client.py WORKTREE OTHER_SESSION_NAME CLAIMED_PATH INCOMING_NOTE -- SERVER_COMMAND...
in a repository the test set up: a session of our own live in WORKTREE, and OTHER_SESSION_NAME holding a claim on
CLAIMED_PATH and having posted INCOMING_NOTE since. It lists the tools, calls each one (successes and failures), checks the answers, and prints one JSON
report on stdout. Exit 0 when every check held; 1 with the failed checks listed otherwise.
"""

import asyncio
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

failures = []
report = {"checks": 0}


def check(condition, what):
    report["checks"] += 1
    if not condition:
        failures.append(what)


def field(model, name, old_name):
    """The SDK's 2.x models name fields in snake_case, its 1.x models in camelCase: accept both."""
    return getattr(model, name) if hasattr(model, name) else getattr(model, old_name)


def text_of(result):
    return "".join(getattr(part, "text", "") for part in result.content)


async def call(session, name, arguments):
    result = await session.call_tool(name, arguments)
    text = text_of(result)
    return bool(field(result, "is_error", "isError")), text


async def main(worktree, other, claimed, incoming, command):
    params = StdioServerParameters(command=command[0], args=command[1:], cwd=worktree, env=dict(os.environ))
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()

            listed = await session.list_tools()
            names = sorted(tool.name for tool in listed.tools)
            report["tools"] = names
            for tool in listed.tools:
                schema = field(tool, "input_schema", "inputSchema")
                check(schema.get("type") == "object", f"{tool.name}: input schema is an object")
                check(bool(tool.description), f"{tool.name}: has a description")

            # list_sessions: both sessions, as git-coord.sessions/1 JSON.
            error, text = await call(session, "list_sessions", {})
            check(not error, f"list_sessions succeeds: {text}")
            sessions = json.loads(text)
            check(sessions.get("schema") == "git-coord.sessions/1", "list_sessions uses the documented schema")
            check(other in [s["name"] for s in sessions["sessions"]], f"list_sessions shows {other}")
            report["sessions"] = len(sessions["sessions"])

            # set_task: for this worktree's one live session (no session argument needed).
            error, text = await call(session, "set_task", {"task": "Wire the MCP client in"})
            check(not error and json.loads(text)["task"] == "Wire the MCP client in", f"set_task: {text}")

            # check: the other session's claim shows, with its name.
            error, text = await call(session, "check", {"paths": [claimed]})
            overlaps = json.loads(text) if not error else {}
            check(not error and other in text, f"check names the holder of {claimed}: {text}")
            report["check"] = overlaps

            # claim: refused on the other session's path, naming it; granted on a free one.
            error, text = await call(session, "claim", {"paths": [claimed], "reason": "try"})
            check(error and other in text and "Nothing was claimed" in text, f"claim of a held path is a tool error: {text}")
            error, text = await call(session, "claim", {"paths": ["docs/mine.md"], "ttl": "30m", "reason": "writing docs"})
            check(not error and "docs/mine.md" in text, f"claim of a free path: {text}")

            # release: the claim just taken.
            error, text = await call(session, "release", {"all": True})
            check(not error and json.loads(text)["released"] == ["docs/mine.md"], f"release all: {text}")

            # note, send, inbox: the other session's note and message reach this one; peek does not consume.
            error, text = await call(session, "note", {"text": "Wired the MCP client in"})
            check(not error and json.loads(text)["kind"] == "note", f"note: {text}")
            error, text = await call(session, "send", {"to": other, "text": "Your router is next"})
            check(not error and json.loads(text)["kind"] == "message", f"send: {text}")
            error, text = await call(session, "inbox", {"peek": True})
            peeked = json.loads(text)["items"] if not error else []
            check(not error and [i["text"] for i in peeked] == [incoming], f"inbox peek shows the other's note: {text}")
            error, text = await call(session, "inbox", {})
            check(not error and [i["text"] for i in json.loads(text)["items"]] == [incoming], f"inbox consumes it: {text}")
            error, text = await call(session, "inbox", {})
            check(not error and json.loads(text)["items"] == [], f"a second inbox is empty: {text}")

            # Bad calls are tool errors, and the server lives on.
            for name, arguments, expect in [
                ("set_task", {}, "'task' is required"),
                ("claim", {"paths": "x", "ttl": "soon"}, "duration"),
                ("check", {"paths": ["../../outside"]}, "outside the repository"),
                ("set_task", {"task": "x", "session": "nobody-here"}, "no session 'nobody-here'"),
                ("release", {}, "either paths or all"),
                ("teleport", {}, "unknown tool"),
                ("note", {"text": ""}, "empty"),
                ("send", {"to": "nobody-here", "text": "hi"}, "no session 'nobody-here'"),
            ]:
                error, text = await call(session, name, arguments)
                check(error and expect in text, f"{name}({arguments}) is a tool error saying '{expect}': {text}")
            error, text = await call(session, "list_sessions", {"all": True})
            check(not error, "the server still answers after the errors")

            report["tool_calls"] = True


if __name__ == "__main__":
    separator = sys.argv.index("--")
    worktree, other, claimed, incoming = sys.argv[1:separator]
    asyncio.run(main(worktree, other, claimed, incoming, sys.argv[separator + 1:]))
    report["failures"] = failures
    print(json.dumps(report))
    sys.exit(1 if failures else 0)
