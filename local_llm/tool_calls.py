"""Tool calls written as text by a small model, turned into OpenAI ``tool_calls`` (stdlib only).

Qwen2.5-Coder does not emit a structured tool call: it writes the call as JSON in its reply,
bare, in a fenced block, as a list, inside ``<tool_call>`` tags, as XML-ish ``<function>``
markup inside ``<tools>`` tags, or (rarely) as a Python call.
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
import xml.etree.ElementTree as ElementTree
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_OPENERS = "{["
_WRAPPERS = re.compile(r"```[a-zA-Z]*|</?tool_(?:call|response)>|</?tools?>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n\s*\n(\s*\n)+")
_DEBRIS = re.compile(r"[\s{}\[\],;]*")
_PY_CALL = re.compile(r"(?<![\w.])[A-Za-z_][\w.]*\s*\(")
_XML_CALL = re.compile(r"<function[\s/>]")
_XML_START_TAG = re.compile(r"""<function(?:[^>"']|"[^"]*"|'[^']*')*>""")
_XML_END_TAG = "</function>"
_XML_LEAF = re.compile(r"<([A-Za-z_][\w.-]*)>([^<>]*)</[A-Za-z_][\w.-]*>")
_ARGUMENT_TAGS = ("arguments", "parameters")
_SCALAR_TYPES = {"integer": (int,), "number": (int, float), "boolean": (bool,)}


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


def parse_tool_calls(text: str, tool_names: Collection[str], *,
                     schemas: Mapping[str, Any] | None = None) -> tuple[list[ToolCall], str]:
    """Return the calls of declared tools found in ``text`` and the text left around them.

    Accepted shapes, alone or several in a row, in a JSON list, in a ```json fence or inside
    ``<tool_call>`` or ``<tools>`` tags: ``{"name": N, "arguments": {...}}`` (``arguments``
    may be a JSON string, or be called ``parameters``), ``{"function": {...}}``, ``{"type":
    "function", "function": {...}}``, ``{"tool_calls": [...]}``, ``{N: {...}}``,
    ``N(key=value, ...)``, ``<function name="N" arguments='{...}'/>`` and ``<function>
    <name>N</name><arguments><key>value</key>...</arguments></function>``.
    A value that is not a call of a declared tool is left in the text untouched.
    ``schemas`` (tool name -> JSON schema of its parameters), when given, turns a string
    argument into the integer, number or boolean its schema declares, if it reads as one.
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
    if schemas:
        calls = [_typed(call, schemas.get(call.name)) for call in calls]
    return calls, _text_around(text, spans)


def is_only_calls(text: str) -> bool:
    """True when ``text`` holds nothing but tool-call-shaped JSON or markup, whatever the tool
    names, or nothing but empty tags (``<tool_response></tool_response>``, echoed after a
    tool result).

    Such a reply naming no declared tool (a small model invents ``get_joke``) is no answer.
    """
    spans = [(start, end) for start, end, value in _values(text, set())
             if _call_shaped(value)]
    return bool(spans or _WRAPPERS.search(text)) and not _text_around(text, spans)


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
    """Every top-level JSON value, ``<function>`` element or Python call of a declared name
    in ``text``, in order; the last two as ``{"name": ..., "arguments": ...}``."""
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
    """Where the next JSON value, ``<function>`` element or call of a declared name may start,
    or -1."""
    xml = _XML_CALL.search(text, position)
    starts = [text.find(c, position) for c in _OPENERS] + [xml.start() if xml else -1]
    first = min((i for i in starts if i >= 0), default=-1)
    for match in _PY_CALL.finditer(text, position):
        if 0 <= first < match.start():
            break
        if _call_name(match.group(0)) in names:
            return match.start()
    return first


def _call_name(head: str) -> str:
    """``functions.get_weather (`` -> ``get_weather``."""
    return head.rstrip("( \t").rsplit(".", 1)[-1]


def _decode_at(text: str, start: int, names: set[str]) -> tuple[Any, int] | None:
    if text[start] == "<":
        return _xml_call_at(text, start)
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


def _xml_call_at(text: str, start: int) -> tuple[Any, int] | None:
    """The ``<function ...>`` element at ``start`` as ``{"name": ..., "arguments": ...}``."""
    tag = _XML_START_TAG.match(text, start)
    if tag is None:
        return None
    if tag.group(0).endswith("/>"):
        end = tag.end()
    else:
        close = text.find(_XML_END_TAG, tag.end())
        if close < 0:
            return None
        end = close + len(_XML_END_TAG)
    try:  # a leaf closed under another name (<wind_unit>mph</unit>) is closed under its own
        element = ElementTree.fromstring(_XML_LEAF.sub(r"<\1>\2</\1>", text[start:end]))
    except ElementTree.ParseError:
        return None
    name = (element.get("name") or element.findtext("name") or "").strip()
    return ({"name": name, "arguments": _xml_arguments(element)}, end) if name else None


def _xml_arguments(function: ElementTree.Element) -> Any:
    """From an ``arguments`` attribute (JSON), an ``<arguments>`` child (JSON text or one
    child element per argument) or, lacking both, the other children of ``<function>``."""
    attribute = next((function.get(key) for key in _ARGUMENT_TAGS if key in function.attrib),
                     None)
    if attribute is not None:
        return attribute
    box = next((child for child in function if child.tag in _ARGUMENT_TAGS), None)
    if box is not None:
        return _xml_value(box)
    return ({child.tag: _xml_value(child) for child in function if child.tag != "name"}
            or (function.text or "").strip())


def _xml_value(element: ElementTree.Element) -> Any:
    """A leaf's text (stripped), or a dict of the children's values."""
    if len(element):
        return {child.tag: _xml_value(child) for child in element}
    return (element.text or "").strip()


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


def _typed(call: ToolCall, schema: Any) -> ToolCall:
    """``call`` with string arguments read as the integer, number or boolean ``schema``
    declares for them (``"3"`` -> 3, ``"True"`` -> true); anything else unchanged."""
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        return call
    return ToolCall(call.name, {key: _typed_value(value, properties.get(key))
                                for key, value in call.arguments.items()})


def _typed_value(value: Any, schema: Any) -> Any:
    kind = schema.get("type") if isinstance(schema, dict) else None
    kinds = _SCALAR_TYPES.get(kind) if isinstance(kind, str) else None
    if not kinds or not isinstance(value, str):
        return value
    try:
        decoded = json.loads(value.strip().lower())
    except json.JSONDecodeError:
        return value
    fits = isinstance(decoded, kinds) and (bool in kinds or not isinstance(decoded, bool))
    return decoded if fits else value


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
