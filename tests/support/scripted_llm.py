"""A scripted OpenAI-compatible chat-completions server for deterministic tests.

A test passes a ``reply(request) -> dict`` function; the server wraps what it returns into a
chat completion. The reply dict may hold ``content``, ``tool_calls`` (list of
``{"name", "arguments"}``), ``finish_reason`` (default ``stop``, or ``tool_calls`` with calls),
``status`` (an HTTP error to return instead), ``delay`` (seconds),
``raw`` (bytes to send as the body, for garbage responses) or ``drop`` (close the connection
without answering, like a reset).
"""

from __future__ import annotations

import json
import math
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[dict[str, Any]], dict[str, Any]]


def completion(request: dict[str, Any], reply: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI chat.completion object for ``reply``."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.get("content")}
    finish = "stop"
    if reply.get("tool_calls"):
        finish = "tool_calls"
        message["tool_calls"] = [
            {"id": f"call_{uuid.uuid4().hex[:8]}", "type": "function",
             "function": {"name": call["name"], "arguments": json.dumps(call["arguments"])}}
            for call in reply["tool_calls"]
        ]
    choice: dict[str, Any] = {"index": 0, "message": message,
                              "finish_reason": reply.get("finish_reason", finish)}
    if "logprobs" in reply:
        choice["logprobs"] = reply["logprobs"]
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion",
        "created": int(time.time()), "model": request.get("model", "scripted"),
        "choices": [choice],
        "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12},
    }


class ScriptedLLM:
    """Serve ``reply`` on 127.0.0.1 (``port``; 0: a free one) in a background thread; use as a
    context manager."""

    def __init__(self, reply: Reply, port: int = 0) -> None:
        self.reply = reply
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._send(200, {"object": "list", "data": [{"id": "scripted", "object": "model"}]})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with owner._lock:
                    owner.requests.append(body)
                answer = owner.reply(body)
                time.sleep(answer.get("delay", 0))
                if answer.get("drop"):
                    self.close_connection = True
                elif "raw" in answer:
                    self._send_bytes(200, answer["raw"])
                elif "status" in answer:
                    error = {"error": {"message": "scripted failure", "type": "server_error"}}
                    self._send(answer["status"], error)
                else:
                    self._send(200, completion(body, answer))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                self._send_bytes(status, json.dumps(payload).encode())

            def _send_bytes(self, status: int, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that gave up (timed out) before the reply: expected

        self.server = Server(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> ScriptedLLM:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def label_logprobs(label: str, probability: float) -> dict[str, Any]:
    """OpenAI-style ``logprobs`` for a reply starting with ``label`` given with
    ``probability`` (the other label holds the rest, among the first token's candidates)."""
    first, other = (("helpful", "not") if label == "helpful" else ("not", "helpful"))
    candidates = [{"token": first, "logprob": math.log(probability), "bytes": None},
                  {"token": other, "logprob": math.log(max(1e-9, 1 - probability)),
                   "bytes": None}]
    return {"content": [{"token": first, "logprob": math.log(probability), "bytes": None,
                         "top_logprobs": candidates}]}


def tagged(content: str, tag: str) -> str:
    """The row's data between ``<tag>`` and ``</tag>`` in a judge prompt ("" if absent)."""
    start = content.find(f"<{tag}>\n")
    end = content.find(f"\n</{tag}>", start)
    return content[start + len(tag) + 3:end] if start >= 0 and end >= 0 else ""
