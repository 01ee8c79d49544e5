"""Chat messages as spans record them, and the tool calls they hold.

Two shapes carry the same conversation: OpenInference's ``llm.input_messages`` /
``llm.output_messages`` attributes (nested: ``[{"message": {"role", "content" or
"contents", "tool_calls": [{"tool_call": {"id", "function": {"name", "arguments"}}}],
"tool_call_id"}}]``) and OpenAI's request/response JSON (``{"role", "content",
"tool_calls": [{"id", "function": {...}}], "tool_call_id"}``). Both become
:class:`Message`. A message's content may be text or a list of parts; the text parts are
joined by line breaks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from evaluators.evidence import ToolCall, compact_call

USER, ASSISTANT, TOOL = "user", "assistant", "tool"


@dataclass(frozen=True)
class Request:
    """A tool call the model asked for."""

    name: str
    arguments: str
    id: str = ""


@dataclass(frozen=True)
class Message:
    """One chat message: its role, its text ("" when none), the tool calls it asks for, and
    for a tool's reply, the call it answers."""

    role: str
    text: str = ""
    tool_calls: tuple[Request, ...] = ()
    tool_call_id: str = ""

    @property
    def about_tools(self) -> bool:
        return bool(self.tool_calls) or self.role == TOOL


def content_text(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a list of parts
    (OpenAI's ``{"type": "text", "text"}``, OpenInference's ``{"message_content": {...}}``)."""
    if isinstance(content, str):
        return content.strip()
    if not isinstance(content, list | tuple):
        return ""
    texts = []
    for part in content:
        if isinstance(part, dict):
            part = part.get("message_content", part)
        if isinstance(part, dict) and part.get("type", "text") == "text" \
                and isinstance(part.get("text"), str):
            texts.append(part["text"].strip())
        elif isinstance(part, str):
            texts.append(part.strip())
    return "\n".join(text for text in texts if text)


def _requests(calls: Any, nested: bool) -> tuple[Request, ...]:
    requests = []
    for call in calls if isinstance(calls, list | tuple) else ():
        if nested and isinstance(call, dict):
            call = call.get("tool_call")
        if not isinstance(call, dict):
            continue
        function = call.get("function") if isinstance(call.get("function"), dict) else {}
        if name := function.get("name"):
            arguments = function.get("arguments")
            requests.append(Request(str(name), arguments if isinstance(arguments, str)
                                    else _dumps(arguments), str(call.get("id") or "")))
    return tuple(requests)


def _dumps(value: Any) -> str:
    return "" if value is None else json.dumps(value)


def _message(data: Any, nested: bool) -> Message | None:
    if not isinstance(data, dict):
        return None
    content = data.get("contents") if data.get("content") is None else data.get("content")
    return Message(role=str(data.get("role") or ""), text=content_text(content),
                   tool_calls=_requests(data.get("tool_calls"), nested),
                   tool_call_id=str(data.get("tool_call_id") or ""))


def from_attributes(value: Any) -> list[Message]:
    """Messages from a nested ``llm.input_messages`` or ``llm.output_messages`` value."""
    items = value if isinstance(value, list | tuple) else []
    messages = (_message(item.get("message") if isinstance(item, dict) else None, True)
                for item in items)
    return [message for message in messages if message is not None]


def from_openai(value: Any) -> list[Message]:
    """Messages from OpenAI's ``messages`` list (a request's)."""
    items = value if isinstance(value, list | tuple) else []
    return [message for message in (_message(item, False) for item in items)
            if message is not None]


def tool_messages(attributes: Any) -> tuple[Message, ...]:
    """The messages of a span (its nested attributes) that ask for a tool call or bring a
    tool's result, input messages first."""
    llm = attributes.get("llm") if isinstance(attributes, dict) else None
    llm = llm if isinstance(llm, dict) else {}
    return tuple(message for key in ("input_messages", "output_messages")
                 for message in from_attributes(llm.get(key)) if message.about_tools)


def last_text(messages: Iterable[Message], role: str) -> str:
    """The text of the last message of ``role`` that has text ("" when none)."""
    return next((m.text for m in reversed(list(messages)) if m.role == role and m.text), "")


def tool_record(messages: Iterable[Message]) -> list[ToolCall]:
    """The tool calls the assistant asked for, in order, each with the result of the tool
    message that answers it (by call id, else the first unanswered call). A call recorded
    twice (asked in one span, repeated in the next span's history) counts once: calls are
    told apart by id, or without one by name and arguments."""
    calls: dict[str, Request] = {}
    results: dict[str, str] = {}
    for message in messages:
        for call in message.tool_calls:
            calls.setdefault(call.id or f"{call.name}({call.arguments})", call)
        if message.role == TOOL:
            key = message.tool_call_id if message.tool_call_id in calls else next(
                (k for k in calls if k not in results), "")
            if key:
                results.setdefault(key, message.text)
    return [compact_call(call.name, call.arguments, results.get(key)) for key, call
            in calls.items()]
