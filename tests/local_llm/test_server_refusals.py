"""The local model server's HTTP layer (local_llm.server), in-process with a fake engine: what
it refuses and with which OpenAI-style error, its bounded queue, and what a disconnecting
client stops. No model is loaded; ``fastapi`` comes with the ``dev`` extra."""

from __future__ import annotations

import asyncio
import copy
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from local_llm.errors import Cancelled
from local_llm.server import MAX_BODY_BYTES, RETRY_AFTER_SECONDS, create_app

MODEL = "served-model"
JSON_HEADERS = {"content-type": "application/json"}
HELLO = {"model": MODEL, "messages": [{"role": "user", "content": "Hello"}]}
WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather for a city.",
    "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}}}
# Every field the server reads, in one valid request.
FULL = {
    "model": MODEL,
    "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "Weather in Paris?"}]},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function",
             "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
    ],
    "tools": [WEATHER_TOOL],
    "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
    "response_format": {"type": "json_schema",
                        "json_schema": {"name": "x", "schema": {"type": "object"}}},
    "temperature": 0.5, "top_p": 0.9, "max_tokens": 5, "max_completion_tokens": 5, "n": 1,
    "seed": 7, "stop": ["\n"], "logprobs": True, "top_logprobs": 2, "stream": False,
    "stream_options": {"include_usage": True},
}


class FakeEngine:
    """Stands in for ``local_llm.engine.Engine``. A generation runs until ``release`` is set,
    checking ``cancelled`` meanwhile, as the real engine does between tokens."""

    def __init__(self, *, hold: bool = False) -> None:
        self.generations = 0  # begun
        self.stopped_early = 0
        self.release = threading.Event()
        if not hold:
            self.release.set()

    def render(self, messages: list[dict[str, Any]], tools: Any) -> str:
        return json.dumps([messages, tools])

    def grammar(self, schema: Any) -> Any:
        return ("grammar", schema)

    def generate(self, prompt: str, *, cancelled: Callable[[], bool] | None = None,
                 **_: Any) -> SimpleNamespace:
        self.generations += 1
        while not self.release.wait(0.01):
            if cancelled is not None and cancelled():
                self.stopped_early += 1
                raise Cancelled("stopped by the fake engine")
        return SimpleNamespace(text="ok", finish_reason="stop", prompt_tokens=3,
                               completion_tokens=1, cached_tokens=0, seconds=0.01,
                               logprobs=None)


def client(engine: FakeEngine | None = None, **options: Any) -> TestClient:
    return TestClient(create_app(engine or FakeEngine(), MODEL, **options))


def post(test_client: TestClient, body: Any, headers: dict[str, str] | None = None) -> Any:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return test_client.post("/v1/chat/completions", content=content,
                            headers=JSON_HEADERS if headers is None else headers)


def error_of(status: int, body: Any) -> dict[str, Any]:
    """The OpenAI-style error in ``body``, checked for its shape."""
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"message", "type", "param", "code"}, error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["type"], str) and error["type"], error
    assert status >= 400
    return error


def refused(response: Any, status: int, *, param: str | None = None,
            code: str | None = None) -> dict[str, Any]:
    """Assert ``response`` is an OpenAI-style error with this status, param and code."""
    assert response.status_code == status, response.text
    error = error_of(status, response.json())
    assert (error["param"], error["code"]) == (param, code), error
    return error


# --- raw ASGI, for what a test client cannot do: count body reads, disconnect, overlap ----------

@dataclass
class Exchange:
    """What the app sent back for one request, and how many body messages it read."""

    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    pulled: int = 0

    def json(self) -> Any:
        return json.loads(self.body)


async def exchange(app: Any, chunks: Iterable[bytes], *,
                   headers: dict[str, str] | None = None,
                   leave: asyncio.Event | None = None) -> Exchange:
    """POST ``chunks`` to the app; the client disconnects when ``leave`` is set."""
    result = Exchange()
    messages = [{"type": "http.request", "body": chunk, "more_body": True} for chunk in chunks]
    messages.append({"type": "http.request", "body": b"", "more_body": False})
    answered = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if result.pulled < len(messages):
            result.pulled += 1
            return messages[result.pulled - 1]
        await (leave or answered).wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            result.status = message["status"]
            result.headers = {k.decode(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            result.body += message.get("body", b"")
            if not message.get("more_body"):
                answered.set()

    raw_headers = [(k.encode(), v.encode()) for k, v in (headers or JSON_HEADERS).items()]
    scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"},
             "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/v1/chat/completions", "raw_path": b"/v1/chat/completions",
             "query_string": b"", "root_path": "", "headers": raw_headers,
             "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}
    await app(scope, receive, send)
    return result


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.005)


HELLO_BYTES = json.dumps(HELLO).encode()


# --- 415, 404, 413 ------------------------------------------------------------------------------

@pytest.mark.parametrize("content_type", [
    "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x", "application/jsonx", None])
def test_a_body_not_declared_as_json_is_refused_with_415(content_type: str | None) -> None:
    engine = FakeEngine()
    headers = {} if content_type is None else {"content-type": content_type}

    response = post(client(engine), HELLO, headers=headers)

    refused(response, 415, code="unsupported_media_type")
    assert engine.generations == 0


def test_415_comes_before_anything_else() -> None:
    response = post(client(max_body_bytes=10), b"{nope" * 10,
                    headers={"content-type": "text/plain"})

    refused(response, 415, code="unsupported_media_type")


@pytest.mark.parametrize("content_type", ["application/json", "Application/JSON; charset=utf-8"])
def test_a_json_body_is_served(content_type: str) -> None:
    response = post(client(), HELLO, headers={"content-type": content_type})

    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"] == "ok"


def test_a_model_this_server_does_not_serve_is_404() -> None:
    test_client = client()

    error = refused(post(test_client, {**HELLO, "model": "gpt-4o"}), 404, param="model",
                    code="model_not_found")
    assert "gpt-4o" in error["message"] and MODEL in error["message"]
    refused(post(test_client, {**HELLO, "model": MODEL.upper()}), 404, param="model",
            code="model_not_found")
    refused(test_client.get("/v1/models/gpt-4o"), 404, param="model", code="model_not_found")


@pytest.mark.parametrize("model", [None, 5, ["x"], {"id": MODEL}])
def test_a_missing_or_non_string_model_is_400(model: Any) -> None:
    body = {key: value for key, value in HELLO.items() if key != "model"}
    if model is not None:
        body["model"] = model

    refused(post(client(), body), 400, param="model")


def test_a_body_declared_too_large_is_refused_with_413_unread() -> None:
    app = create_app(FakeEngine(), MODEL, max_body_bytes=1000)
    headers = {**JSON_HEADERS, "content-length": "1001"}

    sent = asyncio.run(exchange(app, [b" " * 1001], headers=headers))

    assert sent.pulled == 0
    assert sent.status == 413
    assert error_of(413, sent.json())["code"] == "request_too_large"


def test_a_streamed_body_is_refused_with_413_once_over_the_limit() -> None:
    app = create_app(FakeEngine(), MODEL, max_body_bytes=1000)

    sent = asyncio.run(exchange(app, [b" " * 100] * 1000))  # no Content-Length: chunked

    assert sent.status == 413
    assert error_of(413, sent.json())["code"] == "request_too_large"
    assert sent.pulled == 11  # stopped reading at the first chunk over the limit


def test_a_body_at_the_limit_is_served() -> None:
    padded = HELLO_BYTES + b" " * (1000 - len(HELLO_BYTES))

    assert post(client(max_body_bytes=1000), padded).status_code == 200
    refused(post(client(max_body_bytes=999), padded), 413, code="request_too_large")
    assert MAX_BODY_BYTES >= 1024 * 1024


# --- 400 for bodies and fields ------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    b"", b"{nope", b"[1, 2]", b'"text"', b"null", b"\xff\xfe\x00", b"[" * 100_000,
    b'{"a": ' * 50_000, b'{"model": "\xed\xa0\x80"}'])
def test_malformed_bodies_are_400(raw: bytes) -> None:
    refused(post(client(), raw), 400)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999", "-1e400"])
@pytest.mark.parametrize("name", ["temperature", "top_p", "max_tokens", "seed", "top_logprobs",
                                  "presence_penalty"])
def test_non_finite_numbers_are_refused_anywhere(number: str, name: str) -> None:
    body = HELLO_BYTES[:-1] + f', "{name}": {number}}}'.encode()

    error = refused(post(client(), body), 400)
    assert "finite" in error["message"]


def test_non_finite_numbers_deep_inside_are_refused() -> None:
    body = json.dumps({**HELLO, "metadata": {"a": [1, 2, "x"]}}).replace('"x"', "NaN")

    refused(post(client(), body.encode()), 400)


def test_a_lone_surrogate_is_refused() -> None:
    body = json.dumps({**HELLO, "messages": [{"role": "user", "content": "\ud800"}]})
    assert "\\ud800" in body

    refused(post(client(), body.encode()), 400)


def test_the_full_request_is_served() -> None:
    response = post(client(), FULL)

    assert response.status_code == 200, response.text


def with_value(body: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    holder: Any = changed
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value
    return changed


@pytest.mark.parametrize(("path", "value", "param"), [
    (("tools",), ["x"], "tools[0]"),
    (("tools",), "get_weather", "tools"),
    (("tools", 0, "function", "parameters"), "x", "tools[0].function.parameters"),
    (("tools", 0, "function", "description"), 5, "tools[0].function.description"),
    (("tool_choice",), {"function": "f"}, "tool_choice"),
    (("tool_choice",), {"type": "function", "function": {"name": ["get_weather"]}},
     "tool_choice"),
    (("tool_choice",), ["auto"], "tool_choice"),
    (("tool_choice",), 5, "tool_choice"),
    (("messages", 0, "role"), ["user"], "messages[0].role"),
    (("messages", 0, "role"), {"a": 1}, "messages[0].role"),
    (("messages", 0), "hi", "messages[0]"),
    (("messages", 1, "content", 0, "text"), 5, "messages[1].content[0].text"),
    (("messages", 1, "content", 0), "hi", "messages[1].content[0]"),
    (("messages", 2, "tool_calls"), "call_1", "messages[2].tool_calls"),
    (("messages", 2, "tool_calls", 0, "id"), ["call_1"], "messages[2].tool_calls[0].id"),
    (("messages", 2, "tool_calls", 0, "function", "name"), 5, "messages[2].tool_calls[0]"),
    (("messages", 2, "tool_calls", 0, "function", "arguments"), 5,
     "messages[2].tool_calls[0].function.arguments"),
    (("messages", 3, "tool_call_id"), ["call_1"], "messages[3].tool_call_id"),
    (("response_format",), {"type": "json_object", "schema": "x"}, "response_format.schema"),
    (("response_format",), "json", "response_format"),
    (("temperature",), "0.5", "temperature"),
    (("temperature",), 10**400, "temperature"),
    (("max_tokens",), 1.5, "max_tokens"),
    (("seed",), 10**400, "seed"),
    (("n",), True, "n"),
    (("logprobs",), "yes", "logprobs"),
    (("stream",), 1, "stream"),
    (("stream_options",), ["include_usage"], "stream_options"),
    (("stream_options", "include_usage"), "yes", "stream_options.include_usage"),
])
def test_known_wrong_types_are_400_naming_the_field(path: tuple[str | int, ...], value: Any,
                                                    param: str) -> None:
    refused(post(client(), with_value(FULL, path, value)), 400, param=param)


WRONG_VALUES = [None, True, False, 0, -1, 1.5, -0.5, 10**30, 10**400, 1e308, "", "x", "auto",
                "required", "none", "text", "user", [], ["x"], [1], [[]], [{}], [None],
                [{"type": "text"}], {}, {"a": 1}, {"type": "function"},
                {"function": {"name": "get_weather"}}, {"type": "json_object"}]
# Every place in FULL that the server reads (the top-level fields, then what is inside them).
PATHS: list[tuple[str | int, ...]] = [
    *[(name,) for name in FULL if name != "model"],
    ("messages", 0), ("messages", 0, "role"), ("messages", 0, "content"),
    ("messages", 1, "content", 0), ("messages", 1, "content", 0, "type"),
    ("messages", 1, "content", 0, "text"),
    ("messages", 2, "content"), ("messages", 2, "tool_calls", 0),
    ("messages", 2, "tool_calls", 0, "id"), ("messages", 2, "tool_calls", 0, "function"),
    ("messages", 2, "tool_calls", 0, "function", "name"),
    ("messages", 2, "tool_calls", 0, "function", "arguments"),
    ("messages", 3, "tool_call_id"), ("messages", 3, "name"),
    ("tools", 0), ("tools", 0, "type"), ("tools", 0, "function"),
    ("tools", 0, "function", "name"), ("tools", 0, "function", "parameters"),
    ("tools", 0, "function", "description"),
    ("tool_choice", "function"), ("tool_choice", "function", "name"),
    ("response_format", "type"), ("response_format", "json_schema"),
    ("response_format", "json_schema", "schema"), ("stream_options", "include_usage"),
]


def test_no_value_of_any_type_in_any_field_gives_a_server_error() -> None:
    """Property-style: each wrong value in each place is served or refused with a 400 that
    names a field of the request, never a 500."""
    test_client = client()
    outcomes = []
    for path in PATHS:
        for value in WRONG_VALUES:
            body = with_value(FULL, path, value)
            response = post(test_client, body)
            outcomes.append(response.status_code)
            assert response.status_code in (200, 400), (path, value, response.text)
            if response.status_code == 400:
                error = error_of(400, response.json())
                named = error["param"].split("[")[0].split(".")[0] if error["param"] else None
                assert named in body, (path, value, error)
    assert outcomes.count(400) > len(PATHS) * len(WRONG_VALUES) // 2


# --- one at a time, a bounded queue, and clients that go away -------------------------------------

def test_a_full_queue_is_refused_at_once_with_429_and_retry_after() -> None:
    engine = FakeEngine(hold=True)
    app = create_app(engine, MODEL, max_queue=1)

    async def scenario() -> list[Exchange]:
        first = asyncio.create_task(exchange(app, [HELLO_BYTES]))
        await until(lambda: engine.generations == 1)
        second = asyncio.create_task(exchange(app, [HELLO_BYTES]))
        await until(lambda: app.state.gate.waiting == 1)
        third = await asyncio.wait_for(exchange(app, [HELLO_BYTES]), timeout=2)
        assert engine.generations == 1
        engine.release.set()
        return [await first, await second, third]

    first, second, third = asyncio.run(scenario())

    assert third.status == 429
    assert third.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    error = error_of(429, third.json())
    assert (error["type"], error["code"], error["param"]) == ("rate_limit_error", "queue_full",
                                                              None)
    assert (first.status, second.status) == (200, 200)
    assert engine.generations == 2


def test_requests_are_served_one_at_a_time() -> None:
    engine = FakeEngine(hold=True)
    app = create_app(engine, MODEL)

    async def scenario() -> list[Exchange]:
        tasks = [asyncio.create_task(exchange(app, [HELLO_BYTES])) for _ in range(5)]
        await until(lambda: app.state.gate.waiting == 4)
        assert engine.generations == 1
        engine.release.set()
        return list(await asyncio.gather(*tasks))

    assert [sent.status for sent in asyncio.run(scenario())] == [200] * 5
    assert engine.generations == 5


def test_a_client_gone_while_waiting_is_never_started() -> None:
    engine = FakeEngine(hold=True)
    app = create_app(engine, MODEL)

    async def scenario() -> tuple[Exchange, Exchange, Exchange]:
        first = asyncio.create_task(exchange(app, [HELLO_BYTES]))
        await until(lambda: engine.generations == 1)
        leave = asyncio.Event()
        waiting = asyncio.create_task(exchange(app, [HELLO_BYTES], leave=leave))
        await until(lambda: app.state.gate.waiting == 1)
        leave.set()
        gone = await asyncio.wait_for(waiting, timeout=2)
        assert app.state.gate.waiting == 0
        engine.release.set()
        return await first, gone, await exchange(app, [HELLO_BYTES])

    first, gone, later = asyncio.run(scenario())

    assert (first.status, gone.status, later.status) == (200, 499, 200)
    assert engine.generations == 2  # the first and the later one, never the one that left
    assert engine.stopped_early == 0


def test_a_client_gone_during_generation_stops_it() -> None:
    engine = FakeEngine(hold=True)
    app = create_app(engine, MODEL)

    async def scenario() -> tuple[Exchange, Exchange]:
        leave = asyncio.Event()
        running = asyncio.create_task(exchange(app, [HELLO_BYTES], leave=leave))
        await until(lambda: engine.generations == 1)
        leave.set()
        gone = await asyncio.wait_for(running, timeout=2)
        engine.release.set()
        return gone, await exchange(app, [HELLO_BYTES])  # the model is free again

    gone, later = asyncio.run(scenario())

    assert engine.stopped_early == 1
    assert (gone.status, later.status) == (499, 200)
