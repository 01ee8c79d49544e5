"""An OpenAI-compatible chat-completions server over one local GGUF model.

``python -m local_llm.server --model PATH --host 127.0.0.1 --port 8077 --model-name NAME``
(``make llm`` runs it through ``pipeline.stack.llm_service``). Endpoints: ``GET /health``,
``GET /v1/models``, ``POST /v1/chat/completions``. Requests are served one at a time; a
concurrent client simply waits its turn.

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
import contextlib
import json
import socket
import sys
import time
import traceback
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local_llm.tool_calls import ToolCall, call_schema, is_only_calls, new_calls, parse_tool_calls

ROLES = {"system", "developer", "user", "assistant", "tool", "function"}


class ApiError(Exception):
    """An error returned to the client in OpenAI's shape."""

    def __init__(self, message: str, *, status: int = 400, param: str | None = None,
                 code: str | None = None, kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status, self.param, self.code, self.kind = status, param, code, kind

    def body(self) -> dict[str, Any]:
        return error_body(str(self), self.kind, self.param, self.code)


def error_body(message: str, kind: str, param: str | None = None,
               code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


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


def parse_request(body: Any) -> ChatRequest:
    """Validate an OpenAI chat-completions body; raise ApiError (400) on what we cannot serve."""
    if not isinstance(body, dict):
        raise ApiError("The request body must be a JSON object.")
    if body.get("functions") or body.get("function_call"):
        raise ApiError("`functions` is deprecated and not supported: use `tools`.",
                       param="functions")
    n = body.get("n")
    if n not in (None, 1):
        raise ApiError("Only n=1 is supported by the local model server.", param="n")
    tools = _tools(body.get("tools"))
    logprobs = bool(body.get("logprobs"))
    top_logprobs = _number(body, "top_logprobs", int, 0, 20)
    if top_logprobs is not None and not logprobs:
        raise ApiError("top_logprobs requires logprobs to be true.", param="top_logprobs")
    max_tokens = _number(body, "max_completion_tokens", int, 1, None)
    if max_tokens is None:
        max_tokens = _number(body, "max_tokens", int, 1, None)
    stream_options = body.get("stream_options") or {}
    temperature = _number(body, "temperature", float, 0.0, 2.0)
    top_p = _number(body, "top_p", float, 0.0, 1.0)
    return ChatRequest(
        messages=_messages(body.get("messages")),
        tools=tools,
        tool_choice=_tool_choice(body.get("tool_choice"), tools),
        response_format=_response_format(body.get("response_format")),
        temperature=1.0 if temperature is None else temperature,
        top_p=1.0 if top_p is None else top_p,
        max_tokens=max_tokens,
        stop=_stop(body.get("stop")),
        seed=_number(body, "seed", int, None, None),
        logprobs=logprobs,
        top_logprobs=(top_logprobs or 0) if logprobs else None,
        stream=bool(body.get("stream")),
        include_usage=bool(isinstance(stream_options, dict)
                           and stream_options.get("include_usage")),
    )


def _number(body: dict[str, Any], name: str, kind: type, low: float | None,
            high: float | None) -> Any:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or \
            (kind is int and not float(value).is_integer()):
        raise ApiError(f"`{name}` must be a{'n integer' if kind is int else ' number'}, "
                       f"got {value!r}.", param=name)
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"at least {low}" if high is None else f"between {low} and {high}"
        raise ApiError(f"`{name}` must be {bounds}, got {value!r}.", param=name)
    return kind(value)


def _text(content: Any, where: str) -> str:
    """A message content as one string (text parts are joined; other parts are refused)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if not (isinstance(part, dict) and part.get("type") == "text"):
                kind = part.get("type") if isinstance(part, dict) else type(part).__name__
                raise ApiError(f"{where}: only text content parts are supported, got {kind!r}.",
                               param=where)
            texts.append(str(part.get("text", "")))
        return "".join(texts)
    raise ApiError(f"{where}: content must be a string or a list of text parts.", param=where)


def _messages(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise ApiError("`messages` must be a non-empty list of messages.", param="messages")
    messages = []
    for index, message in enumerate(raw):
        where = f"messages[{index}]"
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            role = message.get("role") if isinstance(message, dict) else None
            raise ApiError(f"{where}: role must be one of {sorted(ROLES)}, got {role!r}.",
                           param=f"{where}.role")
        role = {"developer": "system", "function": "tool"}.get(message["role"], message["role"])
        content = message.get("content")
        if content is None and role in ("system", "user"):
            raise ApiError(f"{where}: a {role} message needs content.", param=f"{where}.content")
        normal: dict[str, Any] = {"role": role, "content": _text(content, f"{where}.content")}
        if role == "tool":
            normal["tool_call_id"] = message.get("tool_call_id") or message.get("name")
        if role == "assistant" and message.get("tool_calls"):
            normal["tool_calls"] = _history_calls(message["tool_calls"], where)
        messages.append(normal)
    return messages


def _history_calls(raw: Any, where: str) -> list[dict[str, Any]]:
    """Earlier assistant tool calls, with arguments decoded to objects for the chat template."""
    if not isinstance(raw, list):
        raise ApiError(f"{where}.tool_calls must be a list.", param=f"{where}.tool_calls")
    calls = []
    for entry in raw:
        function = entry.get("function") if isinstance(entry, dict) else None
        if not isinstance(function, dict) or not function.get("name"):
            raise ApiError(f"{where}.tool_calls: each call needs function.name.",
                           param=f"{where}.tool_calls")
        arguments = function.get("arguments") or "{}"
        if isinstance(arguments, str):
            with contextlib.suppress(json.JSONDecodeError):
                arguments = json.loads(arguments)
        calls.append({"id": entry.get("id"), "type": "function",
                      "function": {"name": function["name"], "arguments": arguments}})
    return calls


def _tools(raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ApiError("`tools` must be a list.", param="tools")
    tools = []
    for index, tool in enumerate(raw):
        function = tool.get("function") if isinstance(tool, dict) else None
        if tool.get("type", "function") != "function" or not isinstance(function, dict) \
                or not isinstance(function.get("name"), str) or not function["name"]:
            raise ApiError(f"tools[{index}] must be {{'type': 'function', 'function': "
                           "{'name': ..., 'parameters': {...}}}.", param=f"tools[{index}]")
        tools.append({"type": "function", "function": function})
    return tools


def _tool_choice(raw: Any, tools: list[dict[str, Any]]) -> str | dict[str, Any]:
    if raw is None:
        return "auto" if tools else "none"
    if raw in ("auto", "none", "required"):
        if raw == "required" and not tools:
            raise ApiError("tool_choice 'required' needs `tools`.", param="tool_choice")
        return raw
    name = raw.get("function", {}).get("name") if isinstance(raw, dict) else None
    if not name:
        raise ApiError("tool_choice must be 'auto', 'none', 'required' or "
                       "{'type': 'function', 'function': {'name': ...}}.", param="tool_choice")
    if name not in [tool["function"]["name"] for tool in tools]:
        raise ApiError(f"tool_choice names {name!r}, which is not in `tools`.",
                       param="tool_choice")
    return {"type": "function", "function": {"name": name}}


def _response_format(raw: Any) -> dict[str, Any] | None:
    if raw is None or (isinstance(raw, dict) and raw.get("type") == "text"):
        return None
    kind = raw.get("type") if isinstance(raw, dict) else None
    if kind == "json_object":
        return {"schema": raw.get("schema")}
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

def grammar_for(schema: dict[str, Any] | None, param: str) -> Any:
    """A llama.cpp grammar for ``schema`` (None: any JSON object)."""
    from llama_cpp.llama_grammar import JSON_GBNF, LlamaGrammar, json_schema_to_gbnf

    if schema is None:
        return LlamaGrammar.from_string(JSON_GBNF, verbose=False)
    try:
        return LlamaGrammar.from_string(json_schema_to_gbnf(json.dumps(schema)), verbose=False)
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


def answer(engine: Any, request: ChatRequest) -> Answer:
    """Run the model for ``request``, applying the tool-choice policy in the module docstring."""
    sampling = {"temperature": request.temperature, "top_p": request.top_p,
                "max_tokens": request.max_tokens, "stop": request.stop, "seed": request.seed,
                "top_logprobs": request.top_logprobs}
    offered = request.tools if request.tool_choice != "none" else []
    forced = request.forced_tools()
    if forced:
        grammar = grammar_for(call_schema(forced), "tools")
    elif request.response_format is not None:
        grammar = grammar_for(request.response_format["schema"], "response_format")
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


# --- HTTP ---------------------------------------------------------------------------------------

def create_app(engine: Any, model_name: str) -> Any:
    """The FastAPI application serving ``engine`` under ``model_name``."""
    from fastapi import FastAPI, Request
    from fastapi.concurrency import run_in_threadpool
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse, StreamingResponse
    from starlette.exceptions import HTTPException

    from local_llm.engine import ContextOverflow

    app = FastAPI(title="judge-align local model", docs_url=None, redoc_url=None)
    started = int(time.time())

    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError) -> JSONResponse:
        return JSONResponse(error.body(), status_code=error.status)

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
            raise ApiError(f"The model {model!r} does not exist; this server has "
                           f"{model_name!r}.", status=404, param="model",
                           code="model_not_found")
        return model_card()

    @app.post("/v1/chat/completions")
    @app.post("/chat/completions")
    async def chat_completions(http_request: Request) -> Any:
        try:
            payload = await http_request.json()
        except ValueError:
            raise ApiError("The request body is not valid JSON.") from None
        request = parse_request(payload)
        try:
            reply = await run_in_threadpool(answer, engine, request)
        except ContextOverflow as error:
            raise ApiError(str(error), param="messages",
                           code="context_length_exceeded") from None
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m local_llm.server", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, type=Path, help="a .gguf file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8077)
    parser.add_argument("--model-name", default=None, help="the id clients pass as `model`")
    parser.add_argument("--n-ctx", type=int, default=4096, help="context window in tokens")
    parser.add_argument("--threads", type=int, default=None, help="default: all usable cores")
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
    config = uvicorn.Config(create_app(engine, name), log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    sys.exit(main())
