"""A scripted model on 127.0.0.1 that the real agent CLIs talk to instead of a real model.

One HTTP server answers both APIs:
- Anthropic Messages (`POST /v1/messages`, SSE when `stream` is true, as Claude Code asks) plus the side endpoints
  Claude Code calls (`/v1/messages/count_tokens`, anything else gets a recorded 404);
- OpenAI Responses (`POST /v1/responses`, SSE, as Codex with `wire_api = "responses"` asks).

Each agent session plays its own script: a queue of steps (a text answer, or a tool call) that the test fills
before it sends the user's prompt. Requests are told apart by a marker (`Script.marker`, e.g. `[lab:alice]`)
that the test puts in the session's first prompt: every later request of that conversation carries it again.
Every request is recorded (in memory and one JSON line each in `log_path`), with the session it belongs to and
what was answered, so a test can assert exactly what the model was shown.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

TITLE_SYSTEM = "You are naming a coding session"
MARKER = re.compile(r"\[lab:([A-Za-z0-9_-]+)\]")


# MARK: Steps


@dataclass
class Text:
    """The model answers with text and ends its turn."""
    text: str


@dataclass
class Tool:
    """The model calls one tool. `name`/`input` in the CLI's own terms (Claude: `Bash` with `{"command": ...}`;
    Codex: `exec_command` with `{"cmd": ...}`). Responses API only: `kind` is the output item's type,
    `function_call`, `custom_tool_call` (Codex's freeform `apply_patch`, whose input is plain text) or
    `tool_search_call` (Codex's client-side search of deferred tools); `namespace` is the namespace of a deferred
    tool that search loaded (Codex's MCP tools)."""
    name: str
    input: Any
    kind: str = "function_call"
    namespace: str | None = None


Step = Text | Tool | Callable[[dict], "Text | Tool"]


def hold(gate: threading.Event, step: "Text | Tool", timeout: float = 60) -> Callable[[dict], "Text | Tool"]:
    """A step that keeps the model's answer back until `gate` is set: the CLI waits for its model, so the session
    stays live, mid-turn, while the test does something else (start a second session, look at `git coord list`)."""
    def play(_body: dict) -> "Text | Tool":
        if not gate.wait(timeout):
            return Text("(the lab's gate was never opened)")
        return step
    return play


# Claude Code's tools, as the model calls them.
def bash(command: str) -> Tool:
    return Tool("Bash", {"command": command, "description": "run a command"})


def edit(path: str, old: str, new: str) -> Tool:
    return Tool("Edit", {"file_path": path, "old_string": old, "new_string": new})


def write(path: str, content: str) -> Tool:
    return Tool("Write", {"file_path": path, "content": content})


def tool_search(query: str) -> Tool:
    return Tool("ToolSearch", {"query": query, "max_results": 5})


# Codex's tools.
def exec_command(command: str, workdir: str | None = None) -> Tool:
    arguments = {"cmd": command, "yield_time_ms": 10000}
    if workdir:
        arguments["workdir"] = workdir
    return Tool("exec_command", arguments)


def apply_patch(patch: str) -> Tool:
    return Tool("apply_patch", patch, kind="custom_tool_call")


def codex_tool_search(query: str, limit: int = 8) -> Tool:
    return Tool("tool_search", {"query": query, "limit": limit}, kind="tool_search_call")


def codex_mcp(namespace: str, name: str, arguments: dict) -> Tool:
    return Tool(name, arguments, namespace=namespace)


# MARK: Scripts and records


@dataclass
class Request:
    seq: int
    at: float
    path: str
    api: str            # "anthropic" | "openai" | "other"
    kind: str           # "turn" | "title" | "count_tokens" | "side" | "unknown"
    session: str | None
    headers: dict
    body: Any
    answer: str = ""

    @property
    def shown(self) -> str:
        """Everything the model is shown in this request (system prompt, messages, tool results), as one text."""
        return shown_text(self.body)


@dataclass
class Script:
    name: str
    steps: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    unscripted: int = 0
    cond: threading.Condition = field(default_factory=threading.Condition)

    @property
    def marker(self) -> str:
        return f"[lab:{self.name}]"

    def then(self, *steps: Step) -> "Script":
        with self.cond:
            self.steps.extend(steps)
        return self

    def turns(self) -> list[Request]:
        return [r for r in self.requests if r.kind == "turn"]

    def last(self) -> Request:
        return self.turns()[-1]

    def wait_requests(self, count: int, timeout: float = 60) -> list[Request]:
        """Blocks until the session's model has had `count` turn requests."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.turns()) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{self.name}: {len(self.turns())} model requests, waited for {count}")
                self.cond.wait(left)
            return self.turns()


def shown_text(body: Any) -> str:
    """The text parts of a request body (both APIs), joined: what the model reads."""
    return "\n".join(shown_parts(body))


def shown_parts(body: Any) -> list[str]:
    """The text parts of a request body (both APIs), in order."""
    parts: list[str] = []

    def walk(value: Any, key: str | None = None) -> None:
        if isinstance(value, str):
            if key in ("text", "content", "system", "instructions", "output", "input", "arguments"):
                parts.append(value)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)
        elif isinstance(value, dict):
            for k, v in value.items():
                if k in ("tools", "metadata", "cache_control", "signature"):
                    continue
                walk(v, k)

    walk({k: v for k, v in body.items() if k in ("system", "messages", "instructions", "input")}
         if isinstance(body, dict) else body)
    return parts


# MARK: The server


class ModelServer:
    """Start with `ModelServer(log_path).start()`; `url` is its base URL; `script(name)` makes a session script."""

    def __init__(self, log_path: str, title: str = "Lab session title"):
        self.log_path = log_path
        self.title = title
        self.scripts: dict[str, Script] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self._ids = itertools.count(1)
        self._log = open(log_path, "a", encoding="utf-8")
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet: everything is in the JSONL log
                pass

            def do_GET(self):
                server._record(self, None, "other", "unknown", None, "404")
                self._send(404, {"error": {"type": "not_found", "message": "not scripted"}})

            def do_HEAD(self):
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if self.headers.get("Content-Encoding") == "zstd":
                    server._record(self, raw.decode("latin-1"), "other", "unknown", None, "415 zstd")
                    self._send(415, {"error": {"message": "zstd bodies are not supported here"}})
                    return
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                path = self.path.split("?")[0]
                if path.endswith("/v1/messages/count_tokens"):
                    server._record(self, body, "anthropic", "count_tokens", server._session_of(body), "count")
                    self._send(200, {"input_tokens": max(1, len(json.dumps(body)) // 4)})
                elif path.endswith("/v1/messages"):
                    server._anthropic(self, body)
                elif path.endswith("/responses"):
                    server._openai(self, body)
                else:
                    server._record(self, body, "other", "unknown", None, "404")
                    self._send(404, {"error": {"type": "not_found", "message": "not scripted"}})

            def _send(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def sse(self, events):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                for name, data in events:
                    self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
                self.wfile.flush()
                self.close_connection = True

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    def start(self) -> "ModelServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._log.close()

    def script(self, name: str, *steps: Step) -> Script:
        with self._lock:
            script = self.scripts[name] = Script(name)
        script.then(*steps)
        return script

    # MARK: Routing

    def _session_of(self, body: Any) -> str | None:
        """The session whose marker starts a text the model is shown: the drivers put it at the start of the first
        prompt. Other sessions' markers can appear inside a text too (git-coord tells a model the other sessions'
        tasks, taken from their first prompts), never at its start. Else the first marker anywhere."""
        parts = shown_parts(body) if isinstance(body, dict) else [str(body)]
        for part in parts:
            match = MARKER.match(part.lstrip())
            if match and match.group(1) in self.scripts:
                return match.group(1)
        for match in MARKER.finditer("\n".join(parts)):
            if match.group(1) in self.scripts:
                return match.group(1)
        return None

    def _record(self, handler, body, api, kind, session, answer) -> Request:
        headers = {k.lower(): v for k, v in handler.headers.items()
                   if k.lower() not in ("authorization", "x-api-key", "content-length")}
        request = Request(next(self._seq), time.time(), handler.path, api, kind, session, headers, body, answer)
        with self._lock:
            self.requests.append(request)
            self._log.write(json.dumps(request.__dict__, default=str) + "\n")
            self._log.flush()
        script = self.scripts.get(session) if session else None
        if script:
            with script.cond:
                script.requests.append(request)
                script.cond.notify_all()
        return request

    def _next_step(self, session: str | None, body: dict) -> Text | Tool:
        script = self.scripts.get(session) if session else None
        if script is None:
            return Text("(no script for this conversation)")
        with script.cond:
            if not script.steps:
                script.unscripted += 1
                return Text("(script finished)")
            step = script.steps.pop(0)
        return step(body) if callable(step) else step

    # MARK: Anthropic Messages

    def _anthropic(self, handler, body: dict) -> None:
        system = body.get("system")
        system_text = system if isinstance(system, str) else shown_text({"system": system})
        session = self._session_of(body)
        if TITLE_SYSTEM in system_text:
            step, kind = Text(json.dumps({"title": self.title})), "title"
        elif not body.get("tools") and session is None:
            step, kind = Text("ok"), "side"
        else:
            kind = "turn"
            step = None
        request = self._record(handler, body, "anthropic", kind, session, "")
        if step is None:
            step = self._next_step(session, body)
        request.answer = describe(step)
        self._log_answer(request)
        model = body.get("model", "claude-lab")
        message_id = f"msg_lab{next(self._ids)}"
        if isinstance(step, Tool):
            tool_id = f"toolu_lab{next(self._ids)}"
            block = {"type": "tool_use", "id": tool_id, "name": step.name, "input": step.input}
            stop = "tool_use"
        else:
            block = {"type": "text", "text": step.text}
            stop = "end_turn"
        usage = {"input_tokens": 100, "output_tokens": 10, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        if not body.get("stream"):
            handler._send(200, {"id": message_id, "type": "message", "role": "assistant", "model": model,
                                "content": [block], "stop_reason": stop, "stop_sequence": None, "usage": usage})
            return
        events = [("message_start", {"type": "message_start", "message": {
            "id": message_id, "type": "message", "role": "assistant", "model": model, "content": [],
            "stop_reason": None, "stop_sequence": None, "usage": usage}})]
        if block["type"] == "text":
            events += [("content_block_start", {"type": "content_block_start", "index": 0,
                                                "content_block": {"type": "text", "text": ""}}),
                       ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                "delta": {"type": "text_delta", "text": block["text"]}})]
        else:
            events += [("content_block_start", {"type": "content_block_start", "index": 0, "content_block":
                                                {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}}),
                       ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta":
                                                {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}})]
        events += [("content_block_stop", {"type": "content_block_stop", "index": 0}),
                   ("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                                      "usage": {"output_tokens": 10}}),
                   ("message_stop", {"type": "message_stop"})]
        handler.sse(events)

    # MARK: OpenAI Responses

    def _openai(self, handler, body: dict) -> None:
        session = self._session_of(body)
        request = self._record(handler, body, "openai", "turn" if session else "side", session, "")
        step = self._next_step(session, body) if session else Text("ok")
        request.answer = describe(step)
        self._log_answer(request)
        response_id = f"resp_lab{next(self._ids)}"
        item_id = f"item_lab{next(self._ids)}"
        if isinstance(step, Tool):
            call_id = f"call_lab{next(self._ids)}"
            if step.kind == "custom_tool_call":
                item = {"type": "custom_tool_call", "id": item_id, "status": "completed", "call_id": call_id,
                        "name": step.name, "input": step.input}
            elif step.kind == "tool_search_call":
                item = {"type": "tool_search_call", "id": item_id, "status": "completed", "call_id": call_id,
                        "execution": "client", "arguments": step.input}
            else:
                item = {"type": "function_call", "id": item_id, "status": "completed", "call_id": call_id,
                        "name": step.name, "arguments": json.dumps(step.input)}
                if step.namespace:
                    item["namespace"] = step.namespace
        else:
            item = {"type": "message", "id": item_id, "role": "assistant", "status": "completed",
                    "content": [{"type": "output_text", "text": step.text, "annotations": []}]}
        response = {"id": response_id, "object": "response", "created_at": int(time.time()), "status": "in_progress",
                    "model": body.get("model", "lab"), "output": []}
        done = dict(response, status="completed", output=[item], usage={
            "input_tokens": 100, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 10,
            "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 110})
        handler.sse([
            ("response.created", {"type": "response.created", "response": response}),
            ("response.output_item.added", {"type": "response.output_item.added", "output_index": 0, "item": item}),
            ("response.output_item.done", {"type": "response.output_item.done", "output_index": 0, "item": item}),
            ("response.completed", {"type": "response.completed", "response": done}),
        ])

    def _log_answer(self, request: Request) -> None:
        with self._lock:
            self._log.write(json.dumps({"seq": request.seq, "answer": request.answer}) + "\n")
            self._log.flush()


def describe(step: Text | Tool) -> str:
    if isinstance(step, Tool):
        return f"tool {step.name} {json.dumps(step.input)[:300]}"
    return f"text {step.text[:300]}"
