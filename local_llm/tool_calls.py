"""Tool calls written as text by a small model, turned into OpenAI ``tool_calls`` (stdlib only).

Qwen2.5-Coder does not emit a structured tool call: it writes the call as JSON in its reply,
bare, in a fenced block, as a list, inside ``<tool_call>`` tags, or (rarely) as a Python call.
:func:`parse_tool_calls` finds such calls whose name is a declared tool and returns them with
the rest of the text; anything else stays content. The other helpers build the JSON schema
that forces a call (``tool_choice`` required or named) and spot a call that merely repeats
one whose result the conversation already holds.
"""

from __future__ import annotations

import ast
import json
import re
import uuid
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

_OPENERS = "{["
_WRAPPERS = re.compile(r"```[a-zA-Z]*|</?tool_call>|</?tools?>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n\s*\n(\s*\n)+")
_DEBRIS = re.compile(r"[\s{}\[\],;]*")
_PY_CALL = re.compile(r"(?<![\w.])[A-Za-z_][\w.]*\s*\(")


@dataclass(frozen=True)
class ToolCall:
    """One call of a declared tool with its decoded arguments."""

    name: str
    arguments: dict[str, Any]

    def to_openai(self) -> dict[str, Any]:
        """The OpenAI ``tool_calls`` entry (arguments as a JSON string, as OpenAI sends them)."""
        return {
            "id": f"call_{uuid.uuid4().hex[:24]}",
            "type": "function",
            "function": {"name": self.name,
                         "arguments": json.dumps(self.arguments, ensure_ascii=False)},
        }

    def key(self) -> str:
        """Identity for repeat detection: the name and the arguments, order and case ignored."""
        return json.dumps([self.name, self.arguments], sort_keys=True,
                          ensure_ascii=False).casefold()


def parse_tool_calls(text: str, tool_names: Collection[str]) -> tuple[list[ToolCall], str]:
    """Return the calls of declared tools found in ``text`` and the text left around them.

    Accepted shapes, alone or several in a row, in a JSON list, in a ```json fence or inside
    ``<tool_call>`` tags: ``{"name": N, "arguments": {...}}`` (``arguments`` may be a JSON
    string, or be called ``parameters``), ``{"function": {...}}``, ``{"type": "function",
    "function": {...}}``, ``{"tool_calls": [...]}``, ``{N: {...}}`` and ``N(key=value, ...)``.
    A JSON value that is not a call of a declared tool is left in the text untouched.
    """
    names = set(tool_names)
    if not names or not text:
        return [], text
    calls: list[ToolCall] = []
    spans: list[tuple[int, int]] = []
    for start, end, value in _values(text, names):
        found = _calls_in(value, names)
        if found:
            calls.extend(found)
            spans.append((start, end))
    if not calls:
        return [], text
    return calls, _text_around(text, spans)


def is_only_calls(text: str) -> bool:
    """True when ``text`` holds nothing but tool-call-shaped JSON, whatever the tool names.

    Such a reply naming no declared tool (a small model invents ``get_joke``) is no answer.
    """
    spans = [(start, end) for start, end, value in _values(text, set())
             if _call_shaped(value)]
    return bool(spans) and not _text_around(text, spans)


def _call_shaped(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value) and all(_call_shaped(item) for item in value)
    if not isinstance(value, dict):
        return False
    if isinstance(value.get("function"), dict):
        value = value["function"]
    return isinstance(value.get("name"), str) and ("arguments" in value or "parameters" in value)


def _text_around(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` without ``spans``, fences and tags; stray brackets (``{{call}}``) dropped."""
    rest, position = [], 0
    for start, end in spans:
        rest.append(text[position:start])
        position = end
    rest.append(text[position:])
    left = _BLANK_LINES.sub("\n\n", _WRAPPERS.sub("", "".join(rest))).strip()
    return "" if _DEBRIS.fullmatch(left) else left


def _values(text: str, names: set[str]) -> Iterator[tuple[int, int, Any]]:
    """Every top-level JSON value (or Python call of a declared name) in ``text``, in order."""
    position = 0
    while position < len(text):
        start = _next_candidate(text, position, names)
        if start < 0:
            return
        parsed = _decode_at(text, start, names)
        if parsed is None:
            position = start + 1
            continue
        value, end = parsed
        yield start, end, value
        position = end


def _next_candidate(text: str, position: int, names: set[str]) -> int:
    """Where the next JSON value or call of a declared name may start, or -1."""
    brace = min((i for i in (text.find(c, position) for c in _OPENERS) if i >= 0), default=-1)
    for match in _PY_CALL.finditer(text, position):
        if 0 <= brace < match.start():
            break
        if _call_name(match.group(0)) in names:
            return match.start()
    return brace


def _call_name(head: str) -> str:
    """``functions.get_weather (`` -> ``get_weather``."""
    return head.rstrip("( \t").rsplit(".", 1)[-1]


def _decode_at(text: str, start: int, names: set[str]) -> tuple[Any, int] | None:
    if text[start] not in _OPENERS:
        return _python_call_at(text, start, names)
    try:
        return json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError:
        pass
    end = _balanced_end(text, start)
    if end is None:
        return None
    try:  # single quotes, True/False/None, trailing commas: a Python literal
        return ast.literal_eval(text[start:end]), end
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _balanced_end(text: str, start: int) -> int | None:
    """Index just past the bracket that closes ``text[start]``, skipping quoted strings."""
    depth, quote, escaped = 0, "", False
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return index + 1
    return None


def _python_call_at(text: str, start: int, names: set[str]) -> tuple[Any, int] | None:
    """``get_weather(location="Paris")`` as ``{"name": ..., "arguments": {...}}``."""
    open_paren = text.index("(", start)
    depth, quote = 0, ""
    for index in range(open_paren, len(text)):
        char = text[index]
        if quote:
            quote = "" if char == quote and text[index - 1] != "\\" else quote
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return _python_call(text[start:index + 1], names), index + 1
    return None


def _python_call(source: str, names: set[str]) -> Any:
    try:
        node = ast.parse(source.strip(), mode="eval").body
    except SyntaxError:
        return None
    if not (isinstance(node, ast.Call) and not node.args):
        return None
    name = _call_name(ast.unparse(node.func))
    if name not in names:
        return None
    try:
        arguments = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords if kw.arg}
    except ValueError:
        return None
    return {"name": name, "arguments": arguments}


def _calls_in(value: Any, names: set[str]) -> list[ToolCall]:
    """The calls ``value`` holds, or [] unless every item in it is a call of a declared tool."""
    if isinstance(value, list):
        calls = [_call_from(item, names) for item in value]
        return [c for c in calls if c] if value and all(calls) else []
    if isinstance(value, dict) and isinstance(value.get("tool_calls"), list):
        return _calls_in(value["tool_calls"], names)
    call = _call_from(value, names)
    return [call] if call else []


def _call_from(value: Any, names: set[str]) -> ToolCall | None:
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("function"), dict):
        value = value["function"]
    name = value.get("name")
    if isinstance(name, str) and name in names:
        raw = value.get("arguments", value.get("parameters", {}))
    elif len(value) == 1 and next(iter(value)) in names:
        name, raw = next(iter(value.items()))
    else:
        return None
    arguments = _arguments(raw)
    return None if arguments is None else ToolCall(name, arguments)


def _arguments(raw: Any) -> dict[str, Any] | None:
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return None
    return raw if isinstance(raw, dict) else None


# --- forcing a call, and repeated calls --------------------------------------------------------

def call_schema(tools: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """JSON schema of ``{"name": ..., "arguments": {...}}`` for one of ``tools`` (OpenAI
    ``{"type": "function", "function": {...}}`` entries); used as a grammar to force a call."""
    variants = [{
        "type": "object",
        "properties": {
            "name": {"const": tool["function"]["name"]},
            "arguments": _parameters(tool["function"].get("parameters")),
        },
        "required": ["name", "arguments"],
    } for tool in tools]
    return variants[0] if len(variants) == 1 else {"anyOf": variants}


def _parameters(schema: Any) -> dict[str, Any]:
    if not isinstance(schema, dict) or not schema.get("properties"):
        return {"type": "object"}
    return schema


def answered_calls(messages: Sequence[dict[str, Any]]) -> list[ToolCall]:
    """Calls made since the last user message whose result is already in the conversation."""
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    recent = messages[last_user + 1:]
    answered_ids = {m.get("tool_call_id") for m in recent if m.get("role") == "tool"}
    calls = []
    for message in recent:
        if message.get("role") != "assistant":
            continue
        for entry in message.get("tool_calls") or []:
            function = entry.get("function") or {}
            arguments = _arguments(function.get("arguments"))
            if entry.get("id") in answered_ids and arguments is not None:
                calls.append(ToolCall(str(function.get("name")), arguments))
    return calls


def new_calls(calls: Sequence[ToolCall], messages: Sequence[dict[str, Any]]) -> list[ToolCall]:
    """``calls`` minus those identical to a call already answered since the last user turn."""
    seen = {call.key() for call in answered_calls(messages)}
    return [call for call in calls if call.key() not in seen]
