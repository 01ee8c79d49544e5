"""An OpenAI-compatible chat-completions server over one local GGUF model.

``python -m local_llm.server --model PATH --host 127.0.0.1 --port 8077 --model-name NAME``
(``make llm`` runs it through ``pipeline.stack.llm_service``). Endpoints: ``GET /health``,
``GET /v1/models``, ``POST /v1/chat/completions``.

Requests are served one at a time, in arrival order. What is refused, in the order it is
checked, each with an OpenAI-style body ``{"error": {"message", "type", "param", "code"}}``:

- 415 unless the body is declared ``Content-Type: application/json`` (so a web page cannot
  queue generations with a ``text/plain`` form post, which needs no CORS preflight);
- 413 when the body is larger than ``--max-body-bytes`` (default 1 MiB): the declared
  ``Content-Length`` is checked first and the bytes are counted as they arrive, so an
  oversized body is never held in memory;
- 400 when the body is not a JSON object, or holds ``NaN``, ``Infinity``, a number that
  overflows to infinity, or a lone UTF-16 surrogate;
- 400 (``param: "model"``) without a string ``model``: the OpenAI API requires one, and the
  project's clients always send it; 404 (``code: "model_not_found"``) when it is not the
  ``--model-name`` this server was started with;
- 400 naming the field (``param``) for a field of the wrong type or out of range; fields the
  server does not read (``user``, ``presence_penalty``, ...) are ignored;
- 429 (``code: "queue_full"``, with ``Retry-After``) at once when ``--max-queue`` requests
  (default 32) already wait for their turn, instead of queueing without bound.

A request whose client disconnects while it waits is never started; one whose client
disconnects during generation is stopped before the next token.

Tool calling: the model writes calls as JSON text; :mod:`local_llm.tool_calls` turns them
into ``tool_calls`` when the name is a declared tool. ``tool_choice``:

- ``"none"``: tools are not shown to the model, so it answers in text;
- ``"required"`` or a named function: a grammar forces ``{"name": ..., "arguments": ...}``
  matching the tool's parameter schema;
- ``"auto"`` (the default with tools): free text, then parsed. A small model tends to repeat
  the call it just made once the result is in the conversation; a call identical to one
  already answered since the last user message is dropped, and when nothing new is left the
  model is asked again without tools, so the reply is the final answer built from the result.
  A reply that is nothing but a call of an undeclared tool is treated the same way.

``stream=true`` is accepted: the finished reply is sent as server-sent events.
"""

import argparse
import asyncio
import contextlib
import json
import math
import socket
import sys
import threading
import time
import traceback
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local_llm.errors import Cancelled, ContextOverflow, PromptError
from local_llm.tool_calls import ToolCall, call_schema, is_only_calls, new_calls, parse_tool_calls

ROLES = {"system", "developer", "user", "assistant", "tool", "function"}
TOOL_CHOICES = ("auto", "none", "required")
JSON_MEDIA_TYPE = "application/json"
MAX_BODY_BYTES = 1024 * 1024  # a 4096-token context is about 16 KB of text: ample headroom
MAX_QUEUE = 32  # requests waiting for the model; more are refused with 429
RETRY_AFTER_SECONDS = 5  # what a refused client is told to wait
SEED_RANGE = (-(2**63), 2**63 - 1)
SHOWN_CHARS = 60  # of a refused value, in an error message


class ApiError(Exception):
    """An error returned to the client in OpenAI's shape."""

    def __init__(self, message: str, *, status: int = 400, param: str | None = None,
                 code: str | None = None, kind: str = "invalid_request_error",
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.param, self.code, self.kind = status, param, code, kind
        self.headers = headers

    def body(self) -> dict[str, Any]:
        return error_body(str(self), self.kind, self.param, self.code)


def error_body(message: str, kind: str, param: str | None = None,
               code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def unknown_model(name: str, served: str) -> ApiError:
    """404 for a model this server does not serve."""
    return ApiError(f"The model {_show(name)} does not exist; this server has {served!r}.",
                    status=404, param="model", code="model_not_found")


def _show(value: Any) -> str:
    """``repr(value)``, cut short: error messages echo what was refused, not all of it."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 3] + "..."


def _json_type(value: Any) -> str:
    """The JSON name of a decoded value's type, for error messages."""
    names = [(bool, "a boolean"), (int | float, "a number"), (str, "a string"),
             (list, "an array"), (dict, "an object")]
    return next((name for kind, name in names if isinstance(value, kind)), "null")


# --- the body -----------------------------------------------------------------------------------

def check_media_type(content_type: str | None) -> None:
    """Refuse (415) a body not declared as JSON, before anything else is looked at."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != JSON_MEDIA_TYPE:
        raise ApiError(f"Content-Type must be {JSON_MEDIA_TYPE}, got {_show(content_type)}.",
                       status=415, code="unsupported_media_type")


def too_large(limit: int) -> ApiError:
    """413 for a body over ``limit`` bytes."""
    return ApiError(f"The request body is larger than {limit} bytes, this server's limit "
                    "(--max-body-bytes).", status=413, code="request_too_large")


def check_declared_size(content_length: str | None, limit: int) -> None:
    """Refuse (413) a body whose ``Content-Length`` is over ``limit``, without reading it."""
    if content_length is None:
        return
    try:
        size = int(content_length)
    except ValueError:
        raise ApiError(f"Content-Length must be a number, got {_show(content_length)}."
                       ) from None
    if size > limit:
        raise too_large(limit)


async def read_body(chunks: AsyncIterable[bytes], limit: int) -> bytes:
    """The body from ``chunks``, refused (413) as soon as more than ``limit`` bytes came."""
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise too_large(limit)
    return bytes(body)


def _refuse_constant(name: str) -> Any:
    raise ApiError(f"The request body holds {name}: JSON numbers must be finite.")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ApiError(f"The request body holds {_show(text)}, which overflows to infinity: "
                       "JSON numbers must be finite.")
    return value


def decode_json(raw: bytes) -> Any:
    """The body as JSON: non-finite numbers and lone surrogates are refused (400)."""
    try:
        value = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError("The request body holds a lone UTF-16 surrogate (an unpaired "
                       "\\ud800-\\udfff escape): text must be valid Unicode.") from None
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError included
        raise ApiError("The request body is not valid JSON.") from None
    return value


# --- the request ------------------------------------------------------------------------------

@dataclass
class ChatRequest:
    """A validated chat-completions request."""

    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] = field(default_factory=list)
    tool_choice: str | dict[str, Any] = "none"
    response_format: dict[str, Any] | None = None
    temperature: float = 1.0
    top_p: float = 1.0
    max_tokens: int | None = None
    stop: list[str] = field(default_factory=list)
    seed: int | None = None
    logprobs: bool = False
    top_logprobs: int | None = None
    stream: bool = False
    include_usage: bool = False

    @property
    def tool_names(self) -> list[str]:
        return [tool["function"]["name"] for tool in self.tools]

    def forced_tools(self) -> list[dict[str, Any]]:
        """The tools a call must be made to: all for "required", one when named, else none."""
        if self.tool_choice == "required":
            return self.tools
        if isinstance(self.tool_choice, dict):
            name = self.tool_choice["function"]["name"]
            return [tool for tool in self.tools if tool["function"]["name"] == name]
        return []


def parse_request(body: Any, model_name: str) -> ChatRequest:
    """Validate an OpenAI chat-completions body for the model served as ``model_name``.

    Raises ApiError: 404 for another model, 400 naming the field for anything else that
    cannot be served (a wrong type, a value out of range, an unsupported option)."""
    if not isinstance(body, dict):
        raise ApiError("The request body must be a JSON object.")
    _check_model(body.get("model"), model_name)
    if body.get("functions") or body.get("function_call"):
        raise ApiError("`functions` is deprecated and not supported: use `tools`.",
                       param="functions")
    if _number(body, "n", int, 1, None) not in (None, 1):
        raise ApiError("Only n=1 is supported by the local model server.", param="n")
    tools = _tools(body.get("tools"))
    logprobs = _flag(body, "logprobs")
    top_logprobs = _number(body, "top_logprobs", int, 0, 20)
    if top_logprobs is not None and not logprobs:
        raise ApiError("top_logprobs requires logprobs to be true.", param="top_logprobs")
    max_tokens = _number(body, "max_tokens", int, 1, None)
    newer_max = _number(body, "max_completion_tokens", int, 1, None)  # wins over max_tokens
    temperature = _number(body, "temperature", float, 0.0, 2.0)
    top_p = _number(body, "top_p", float, 0.0, 1.0)
    return ChatRequest(
        messages=_messages(body.get("messages")),
        tools=tools,
        tool_choice=_tool_choice(body.get("tool_choice"), tools),
        response_format=_response_format(body.get("response_format")),
        temperature=1.0 if temperature is None else temperature,
        top_p=1.0 if top_p is None else top_p,
        max_tokens=max_tokens if newer_max is None else newer_max,
        stop=_stop(body.get("stop")),
        seed=_number(body, "seed", int, *SEED_RANGE),
        logprobs=logprobs,
        top_logprobs=(top_logprobs or 0) if logprobs else None,
        stream=_flag(body, "stream"),
        include_usage=_include_usage(body.get("stream_options")),
    )


def _check_model(model: Any, served: str) -> None:
    """A ``model`` is required (as in the OpenAI API) and must be the one served."""
    if model is None:
        raise ApiError(f"You must provide a model parameter (this server has {served!r}).",
                       param="model")
    if not isinstance(model, str):
        raise ApiError(f"`model` must be a string, got {_json_type(model)}.", param="model")
    if model != served:
        raise unknown_model(model, served)


def _wrong(param: str, expected: str, value: Any) -> ApiError:
    """400: ``param`` holds a value of the wrong type."""
    return ApiError(f"`{param}` must be {expected}, got {_json_type(value)}.", param=param)


def _field(where: str, name: str) -> str:
    """The ``param`` of field ``name`` in the object at ``where`` ("" for the body)."""
    return f"{where}.{name}" if where else name


def _flag(holder: dict[str, Any], name: str, where: str = "") -> bool:
    """An optional boolean field of ``holder`` (absent or null: false)."""
    value = holder.get(name)
    if value is not None and not isinstance(value, bool):
        raise _wrong(_field(where, name), "a boolean", value)
    return bool(value)


def _optional_text(holder: dict[str, Any], name: str, where: str = "") -> str | None:
    """An optional string field of ``holder``."""
    value = holder.get(name)
    if value is not None and not isinstance(value, str):
        raise _wrong(_field(where, name), "a string", value)
    return value


def _number(body: dict[str, Any], name: str, kind: type, low: float | None,
            high: float | None) -> Any:
    """An optional finite number (``kind`` int: a whole one) within [low, high].

    A ``float`` field needs both bounds: an unbounded huge integer would overflow."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or \
            (isinstance(value, float) and not math.isfinite(value)) or \
            (kind is int and isinstance(value, float) and not value.is_integer()):
        raise ApiError(f"`{name}` must be a{'n integer' if kind is int else ' finite number'}, "
                       f"got {_show(value)}.", param=name)
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"at least {low}" if high is None else f"between {low} and {high}"
        raise ApiError(f"`{name}` must be {bounds}, got {_show(value)}.", param=name)
    return kind(value)


def _include_usage(raw: Any) -> bool:
    """``stream_options.include_usage``."""
    if raw is None:
        return False
    if not isinstance(raw, dict):
        raise _wrong("stream_options", "an object", raw)
    return _flag(raw, "include_usage", "stream_options")


def _text(content: Any, where: str) -> str:
    """A message content as one string (text parts are joined; other parts are refused)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(_text_part(part, f"{where}[{index}]")
                       for index, part in enumerate(content))
    raise ApiError(f"{where}: content must be a string or a list of text parts.", param=where)


def _text_part(part: Any, where: str) -> str:
    """One ``{"type": "text", "text": ...}`` content part."""
    if not (isinstance(part, dict) and part.get("type") == "text"):
        kind = part.get("type") if isinstance(part, dict) else _json_type(part)
        raise ApiError(f"{where}: only text content parts are supported, got {_show(kind)}.",
                       param=where)
    text = part.get("text")
    if not isinstance(text, str):
        raise _wrong(f"{where}.text", "a string", text)
    return text


def _messages(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise ApiError("`messages` must be a non-empty list of messages.", param="messages")
    return [_message(message, f"messages[{index}]") for index, message in enumerate(raw)]


def _message(message: Any, where: str) -> dict[str, Any]:
    """One message, normalized for the chat template: string content, known role names."""
    if not isinstance(message, dict):
        raise _wrong(where, "an object with a role", message)
    role = message.get("role")
    if not isinstance(role, str) or role not in ROLES:
        raise ApiError(f"{where}: role must be one of {sorted(ROLES)}, got {_show(role)}.",
                       param=f"{where}.role")
    role = {"developer": "system", "function": "tool"}.get(role, role)
    content = message.get("content")
    if content is None and role in ("system", "user"):
        raise ApiError(f"{where}: a {role} message needs content.", param=f"{where}.content")
    normal: dict[str, Any] = {"role": role, "content": _text(content, f"{where}.content")}
    if role == "tool":
        normal["tool_call_id"] = (_optional_text(message, "tool_call_id", where)
                                  or _optional_text(message, "name", where))
    calls = message.get("tool_calls")
    if role == "assistant" and calls is not None:
        if not isinstance(calls, list):
            raise _wrong(f"{where}.tool_calls", "an array", calls)
        if calls:
            normal["tool_calls"] = [_history_call(call, f"{where}.tool_calls[{index}]")
                                    for index, call in enumerate(calls)]
    return normal


def _history_call(entry: Any, where: str) -> dict[str, Any]:
    """An earlier assistant tool call, its arguments decoded to an object for the template."""
    function = entry.get("function") if isinstance(entry, dict) else None
    if not isinstance(function, dict) or not isinstance(function.get("name"), str) \
            or not function["name"]:
        raise ApiError(f"{where}: a call needs function.name (a string).", param=where)
    call_id = _optional_text(entry, "id", where)
    arguments = function.get("arguments")
    if arguments is None or arguments == "":
        arguments = {}
    elif isinstance(arguments, str):
        with contextlib.suppress(ValueError, RecursionError):  # kept as text if not JSON
            arguments = json.loads(arguments)
    elif not isinstance(arguments, dict):
        raise _wrong(f"{where}.function.arguments", "a string", arguments)
    return {"id": call_id, "type": "function",
            "function": {"name": function["name"], "arguments": arguments}}


def _tools(raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _wrong("tools", "an array", raw)
    return [_tool(tool, f"tools[{index}]") for index, tool in enumerate(raw)]


def _tool(tool: Any, where: str) -> dict[str, Any]:
    """One ``{"type": "function", "function": {"name": ..., "parameters": {...}}}``."""
    function = tool.get("function") if isinstance(tool, dict) else None
    if not isinstance(function, dict) or tool.get("type", "function") != "function" \
            or not isinstance(function.get("name"), str) or not function["name"]:
        raise ApiError(f"{where} must be {{'type': 'function', 'function': "
                       "{'name': ..., 'parameters': {...}}}.", param=where)
    _optional_text(function, "description", f"{where}.function")
    parameters = function.get("parameters")
    if parameters is not None and not isinstance(parameters, dict):
        raise _wrong(f"{where}.function.parameters", "an object (a JSON schema)", parameters)
    return {"type": "function", "function": function}


def _tool_choice(raw: Any, tools: list[dict[str, Any]]) -> str | dict[str, Any]:
    if raw is None:
        return "auto" if tools else "none"
    if isinstance(raw, str) and raw in TOOL_CHOICES:
        if raw == "required" and not tools:
            raise ApiError("tool_choice 'required' needs `tools`.", param="tool_choice")
        return raw
    function = raw.get("function") if isinstance(raw, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    if not isinstance(name, str) or not name:
        raise ApiError("tool_choice must be 'auto', 'none', 'required' or "
                       "{'type': 'function', 'function': {'name': ...}}.", param="tool_choice")
    if name not in [tool["function"]["name"] for tool in tools]:
        raise ApiError(f"tool_choice names {_show(name)}, which is not in `tools`.",
                       param="tool_choice")
    return {"type": "function", "function": {"name": name}}


def _response_format(raw: Any) -> dict[str, Any] | None:
    kind = raw.get("type") if isinstance(raw, dict) else None
    if raw is None or kind == "text":
        return None
    if kind == "json_object":
        schema = raw.get("schema")
        if schema is not None and not isinstance(schema, dict):
            raise _wrong("response_format.schema", "an object (a JSON schema)", schema)
        return {"schema": schema}
    if kind == "json_schema":
        spec = raw.get("json_schema")
        if not isinstance(spec, dict) or not isinstance(spec.get("schema"), dict):
            raise ApiError("response_format json_schema needs json_schema.schema (an object).",
                           param="response_format")
        return {"schema": spec["schema"]}
    raise ApiError("response_format type must be 'text', 'json_object' or 'json_schema'.",
                   param="response_format")


def _stop(raw: Any) -> list[str]:
    if raw is None:
        return []
    stops = [raw] if isinstance(raw, str) else raw
    if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops) \
            or len(stops) > 4:
        raise ApiError("`stop` must be a string or a list of up to 4 strings.", param="stop")
    return stops


# --- answering ----------------------------------------------------------------------------------

def grammar_for(engine: Any, schema: dict[str, Any] | None, param: str) -> Any:
    """The engine's grammar for ``schema`` (None: any JSON object); 400 naming ``param`` for a
    schema it cannot turn into one."""
    try:
        return engine.grammar(schema)
    except Exception as error:  # the converter raises assorted types on schemas it cannot map
        raise ApiError(f"cannot turn this JSON schema into a grammar: {error}",
                       param=param) from None


@dataclass
class Answer:
    """The assistant's reply and what it cost."""

    content: str | None
    calls: list[ToolCall]
    finish_reason: str
    logprobs: list[dict[str, Any]] | None
    usage: dict[str, Any]


def answer(engine: Any, request: ChatRequest,
           cancelled: Callable[[], bool] | None = None) -> Answer:
    """Run the model for ``request``, applying the tool-choice policy in the module docstring.

    ``cancelled`` goes to the engine, which raises :class:`Cancelled` once it is true."""
    sampling = {"temperature": request.temperature, "top_p": request.top_p,
                "max_tokens": request.max_tokens, "stop": request.stop, "seed": request.seed,
                "top_logprobs": request.top_logprobs, "cancelled": cancelled}
    offered = request.tools if request.tool_choice != "none" else []
    forced = request.forced_tools()
    if forced:
        grammar = grammar_for(engine, call_schema(forced), "tools")
    elif request.response_format is not None:
        grammar = grammar_for(engine, request.response_format["schema"],
                              "response_format")
    else:
        grammar = None
    runs = [engine.generate(engine.render(request.messages, offered), grammar=grammar,
                            **sampling)]
    calls: list[ToolCall] = []
    content: str | None = runs[0].text
    if offered:
        found, rest = parse_tool_calls(runs[0].text, request.tool_names)
        calls = found if forced else new_calls(found, request.messages)
        content = rest or None
        if not forced and not calls and (found or is_only_calls(runs[0].text)):
            # Only repeats of answered calls, or a call of an undeclared tool: ask again
            # without tools, so the reply is an answer (from the tool results, if any).
            runs.append(engine.generate(engine.render(request.messages, None), grammar=grammar,
                                        **sampling))
            content = runs[-1].text
    last = runs[-1]
    prompt = sum(run.prompt_tokens for run in runs)
    completion = sum(run.completion_tokens for run in runs)
    return Answer(
        content=content,
        calls=calls,
        finish_reason="tool_calls" if calls else last.finish_reason,
        logprobs=last.logprobs if not calls else None,
        usage={"prompt_tokens": prompt, "completion_tokens": completion,
               "total_tokens": prompt + completion,
               "prompt_tokens_details": {"cached_tokens": sum(r.cached_tokens for r in runs)},
               "seconds": round(sum(run.seconds for run in runs), 3)},
    )


def completion_body(reply: Answer, request: ChatRequest, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content, "refusal": None}
    if reply.calls:
        message["tool_calls"] = [call.to_openai() for call in reply.calls]
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": None,
        "choices": [{
            "index": 0,
            "message": message,
            "logprobs": ({"content": reply.logprobs or [], "refusal": None}
                         if request.logprobs else None),
            "finish_reason": reply.finish_reason,
        }],
        "usage": reply.usage,
    }


def stream_events(body: dict[str, Any], include_usage: bool) -> Iterator[str]:
    """A finished completion as ``chat.completion.chunk`` server-sent events."""
    base = {key: body[key] for key in ("id", "created", "model", "system_fingerprint")}
    base["object"] = "chat.completion.chunk"
    choice = body["choices"][0]
    message = choice["message"]

    def event(delta: dict[str, Any], finish: str | None = None,
              logprobs: Any = None) -> str:
        chunk = {**base, "choices": [{"index": 0, "delta": delta, "logprobs": logprobs,
                                      "finish_reason": finish}]}
        return f"data: {json.dumps(chunk)}\n\n"

    yield event({"role": "assistant", "content": ""})
    if message["content"]:
        yield event({"content": message["content"]}, logprobs=choice["logprobs"])
    if message.get("tool_calls"):
        yield event({"tool_calls": [{"index": i, **call}
                                    for i, call in enumerate(message["tool_calls"])]})
    yield event({}, choice["finish_reason"])
    if include_usage:
        yield f"data: {json.dumps({**base, 'choices': [], 'usage': body['usage']})}\n\n"
    yield "data: [DONE]\n\n"


# --- one request at a time ----------------------------------------------------------------------

class Gate:
    """The model serves one request at a time, in arrival order; at most ``max_waiting`` more
    wait for their turn. Used from the event loop only, so the counter needs no lock."""

    def __init__(self, max_waiting: int) -> None:
        self.max_waiting = max_waiting
        self.waiting = 0
        self._lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def turn(self, gone: asyncio.Event) -> AsyncIterator[None]:
        """Hold the model for the ``async with`` body.

        Refuses at once (429) when the queue is full; raises :class:`Cancelled` when ``gone``
        is set before the turn comes: the request leaves the queue and is never started."""
        if self._lock.locked() and self.waiting >= self.max_waiting:
            raise ApiError("The local model server is busy: its queue of waiting requests is "
                           f"full (--max-queue {self.max_waiting}). Retry later.",
                           status=429, kind="rate_limit_error", code="queue_full",
                           headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        self.waiting += 1
        try:
            held = await self._acquire_unless(gone)
        finally:
            self.waiting -= 1
        if not held:
            raise Cancelled("the client went away while waiting for its turn")
        try:
            yield
        finally:
            self._lock.release()

    async def _acquire_unless(self, gone: asyncio.Event) -> bool:
        """Take the lock, unless ``gone`` is set first; True when it is held."""
        acquire = asyncio.ensure_future(self._lock.acquire())
        leave = asyncio.ensure_future(gone.wait())
        held = False
        try:
            await asyncio.wait({acquire, leave}, return_when=asyncio.FIRST_COMPLETED)
            held = acquire.done() and not gone.is_set()
        finally:
            leave.cancel()
            if not acquire.done():
                acquire.cancel()  # out of the queue (asyncio.Lock passes on a late grant)
            elif not held:
                self._lock.release()  # granted, but no longer wanted
        return held


async def watch_disconnect(receive: Callable[[], Awaitable[dict[str, Any]]],
                           gone: asyncio.Event, stop: threading.Event) -> None:
    """Set ``gone`` (seen by the queue) and ``stop`` (seen by the engine's thread) when the
    client disconnects. Call it once the body is read: the next ASGI message is then the
    disconnect."""
    while (await receive())["type"] != "http.disconnect":
        pass
    gone.set()
    stop.set()


async def generate(engine: Any, gate: Gate, request: ChatRequest,
                   receive: Callable[[], Awaitable[dict[str, Any]]]) -> Answer:
    """Wait for the model, then answer ``request`` in a worker thread; give up (Cancelled)
    as soon as the client disconnects, whether it is still waiting or already generating."""
    gone, stop = asyncio.Event(), threading.Event()
    watcher = asyncio.create_task(watch_disconnect(receive, gone, stop))
    try:
        async with gate.turn(gone):
            return await asyncio.to_thread(answer, engine, request, stop.is_set)
    except ContextOverflow as error:
        raise ApiError(str(error), param="messages", code="context_length_exceeded") from None
    except PromptError as error:
        raise ApiError(f"The chat template refused these messages: {error}",
                       param="messages") from None
    finally:
        watcher.cancel()


# --- HTTP ---------------------------------------------------------------------------------------

def create_app(engine: Any, model_name: str, *, max_queue: int = MAX_QUEUE,
               max_body_bytes: int = MAX_BODY_BYTES) -> Any:
    """The FastAPI application serving ``engine`` under ``model_name``."""
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse, StreamingResponse
    from starlette.exceptions import HTTPException
    from starlette.requests import ClientDisconnect

    app = FastAPI(title="judge-align local model", docs_url=None, redoc_url=None)
    started = int(time.time())
    gate = app.state.gate = Gate(max_queue)

    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError) -> JSONResponse:
        if error.status == 429:
            print(f"chat.completion refused: {error}", flush=True)
        return JSONResponse(error.body(), status_code=error.status, headers=error.headers)

    @app.exception_handler(Cancelled)
    async def cancelled(_: Request, error: Cancelled) -> JSONResponse:
        print(f"chat.completion cancelled: {error}", flush=True)
        return JSONResponse(error_body(str(error), "client_closed_request"), status_code=499)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, error: HTTPException) -> JSONResponse:
        code = "not_found" if error.status_code == 404 else None
        return JSONResponse(error_body(str(error.detail), "invalid_request_error", None, code),
                            status_code=error.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body(str(error), "invalid_request_error"), status_code=400)

    @app.exception_handler(Exception)
    async def server_error(_: Request, error: Exception) -> JSONResponse:
        traceback.print_exception(error)
        return JSONResponse(error_body(f"{type(error).__name__}: {error}", "server_error"),
                            status_code=500)

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "model": model_name}

    def model_card() -> dict[str, Any]:
        return {"id": model_name, "object": "model", "created": started, "owned_by": "local"}

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [model_card()]}

    @app.get("/v1/models/{model:path}")
    async def model(model: str) -> dict[str, Any]:
        if model != model_name:
            raise unknown_model(model, model_name)
        return model_card()

    @app.post("/v1/chat/completions")
    @app.post("/chat/completions")
    async def chat_completions(http_request: Request) -> Any:
        check_media_type(http_request.headers.get("content-type"))
        check_declared_size(http_request.headers.get("content-length"), max_body_bytes)
        try:
            raw = await read_body(http_request.stream(), max_body_bytes)
        except ClientDisconnect:
            raise Cancelled("the client went away while sending the request") from None
        request = parse_request(decode_json(raw), model_name)
        reply = await generate(engine, gate, request, http_request.receive)
        body = completion_body(reply, request, model_name)
        usage = body["usage"]
        print(f"chat.completion prompt={usage['prompt_tokens']} "
              f"(cached {usage['prompt_tokens_details']['cached_tokens']}) "
              f"completion={usage['completion_tokens']} finish={reply.finish_reason} "
              f"{usage['seconds']:.2f}s", flush=True)
        if request.stream:
            return StreamingResponse(stream_events(body, request.include_usage),
                                     media_type="text/event-stream")
        return body

    return app


def bind(host: str, port: int) -> socket.socket:
    """Claim ``host:port`` before the slow model load, so a taken port fails at once."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise SystemExit(f"error: cannot listen on {host}:{port} ({error.strerror}): the port "
                         "is taken by another program; stop it, or choose another port "
                         "with LOCAL_LLM_PORT") from None
    return sock


def _count(text: str) -> int:
    """An argparse type: a whole number, 0 or more."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m local_llm.server", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, type=Path, help="a .gguf file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8077)
    parser.add_argument("--model-name", default=None, help="the id clients pass as `model`")
    parser.add_argument("--n-ctx", type=int, default=4096, help="context window in tokens")
    parser.add_argument("--threads", type=int, default=None, help="default: all usable cores")
    parser.add_argument("--max-queue", type=_count, default=MAX_QUEUE,
                        help="requests that may wait for the model; more get 429 "
                             f"(default {MAX_QUEUE})")
    parser.add_argument("--max-body-bytes", type=_count, default=MAX_BODY_BYTES,
                        help=f"larger request bodies get 413 (default {MAX_BODY_BYTES})")
    args = parser.parse_args(argv)
    if not args.model.is_file():
        raise SystemExit(f"error: model file {args.model} does not exist: run `make llm`, "
                         "or point LOCAL_MODEL_PATH at a .gguf file")
    sock = bind(args.host, args.port)

    import uvicorn

    from local_llm.engine import Engine

    try:
        engine = Engine(args.model, n_ctx=args.n_ctx, n_threads=args.threads)
    except ValueError as error:
        raise SystemExit(f"error: cannot load {args.model} ({error}): is it a GGUF model "
                         "file?") from None
    name = args.model_name or args.model.stem
    print(f"loaded {args.model.name} in {engine.load_seconds:.1f} s "
          f"({engine.n_threads} threads, context {engine.n_ctx}); serving {name!r} on "
          f"http://{args.host}:{args.port}/v1", flush=True)
    app = create_app(engine, name, max_queue=args.max_queue, max_body_bytes=args.max_body_bytes)
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    sys.exit(main())
