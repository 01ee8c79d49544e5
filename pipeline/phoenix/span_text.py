"""The question and the answer of a root span, whatever instrumentation recorded it.

Each side is read by the first of these readers that finds text in the span (the question
in its input, the answer in its output):

1. ``path``: ``--question`` / ``--answer`` when given (then the only reader of its side),
   see :class:`TextPath`;
2. ``messages``: OpenInference's ``llm.input_messages`` (the last user message) /
   ``llm.output_messages`` (the assistant's reply), as LLM spans carry them;
3. ``text``: ``input.value`` / ``output.value`` recorded as text (mime type ``text/plain``,
   or no mime type and a value that is no JSON object or list), as AGENT and CHAIN spans
   of plain functions carry them;
4. ``openai``: an OpenAI chat request / response in ``input.value`` / ``output.value``
   (``{"messages": [...]}``: the last user message; ``{"choices": [{"message": ...}]}``:
   the first choice's reply);
5. ``fields``: a JSON object with a text field ``input``, ``question`` or ``query`` /
   ``output``, ``answer`` or ``response``, as LangChain or LlamaIndex chains record them.

A side none of them can read gets a one-line reason: what was missing and which option
reads it. Everything here is pure: spans come as their nested attributes
(:func:`pipeline.phoenix.attributes.unflatten`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.errors import UserError
from pipeline.phoenix import messages
from pipeline.phoenix.attributes import (
    MISSING,
    PathError,
    Step,
    format_path,
    loads,
    parse_path,
    walk,
)

ATTRIBUTE_PREFIX = "attributes."
TEXT_MIME = "text/plain"
COLUMNS = ("input.value", "input.mime_type", "output.value", "output.mime_type",
           "llm.input_messages", "llm.output_messages")
"""The attributes the default readers need (what ``SpanQuery.select`` asks Phoenix for)."""
@dataclass(frozen=True)
class Side:
    """What differs between reading the question and reading the answer."""

    name: str
    io: str
    messages: str
    roles: tuple[str, ...]
    fields: tuple[str, ...]

    @property
    def option(self) -> str:
        return f"--{self.name}"

    @property
    def example(self) -> str:
        """A path into this side's JSON, as OpenAI's request / response put the text."""
        return "messages[-1].content" if self.io == "input" else "choices[0].message.content"

    def help(self) -> str:
        """The help of the option (``--question`` / ``--answer``): its syntax."""
        return (f"Where the {self.name} is: a path into the root span's {self.io} JSON "
                f"(keys with dots, list positions in brackets, e.g. '{self.fields[-1]}' or "
                f"'{self.example}'), or a span attribute: {self.io}.value, or any name after "
                f"'attributes.', e.g. 'attributes.llm.{self.messages}[-1].message.content'. "
                f"Default: the first reader that finds text: llm.{self.messages}, plain "
                f"text, an OpenAI {'request' if self.io == 'input' else 'response'}, a JSON "
                f"field {' / '.join(self.fields)}.")


QUESTION = Side("question", "input", "input_messages", (messages.USER,),
                ("input", "question", "query"))
ANSWER = Side("answer", "output", "output_messages", (messages.ASSISTANT, "model", "ai"),
              ("output", "answer", "response"))


@dataclass(frozen=True)
class TextPath:
    """Where ``--question`` / ``--answer`` says the text is: ``steps`` from the span's
    attributes (``attributes.llm.input_messages[-1].message.content``, ``input.value``) or
    from its input / output JSON (``messages[-1].content``, ``query``)."""

    spec: str
    steps: tuple[Step, ...]
    column: str
    """The attribute Phoenix is asked for."""

    @classmethod
    def parse(cls, spec: str, side: Side) -> TextPath:
        """Read ``spec``; raise UserError saying how to write it."""
        text = spec.strip()
        try:
            if text.startswith(ATTRIBUTE_PREFIX):
                steps = parse_path(text.removeprefix(ATTRIBUTE_PREFIX))
            elif text.split(".")[:2] in (["input", "value"], ["output", "value"]):
                steps = parse_path(text)
            else:
                steps = (side.io, "value", *parse_path(text))
        except PathError as error:
            raise UserError(f"{side.option} {spec!r}: {error}") from None
        names = []
        for step in steps[:2]:  # an attribute is named by its first two keys at most
            if isinstance(step, int) or step.isdigit():
                break
            names.append(step)
        if not names:
            raise UserError(f"{side.option} {spec!r}: name an attribute before a list "
                            "position, e.g. attributes.llm.input_messages[-1].message.content")
        return cls(spec=text, steps=steps, column=".".join(names))

    def describe(self) -> str:
        return format_path(self.steps)


@dataclass(frozen=True)
class Reading:
    """What the readers found in one span: both texts (empty when not found), the reader of
    each side, and, when a side has no text, which one and why (with the option to use)."""

    question: str = ""
    answer: str = ""
    read_by: tuple[str, str] = ("", "")
    missing: str | None = None
    reason: str = ""


def _text_of(value: Any) -> str:
    """Text from what a path or a field leads to: a string, a number, a message (its
    content), or content parts."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or value is None or value is MISSING:
        return ""
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Mapping):
        inner = value.get("message", value)
        if isinstance(inner, Mapping):
            for key in ("content", "contents", "text"):
                if key in inner:
                    return messages.content_text(inner[key])
        return ""
    return messages.content_text(value)


def _value(attributes: Mapping[str, Any], side: Side) -> Any:
    return walk(attributes, (side.io, "value"))


def _json(attributes: Mapping[str, Any], side: Side) -> Any:
    return loads(_value(attributes, side))


def _by_messages(attributes: Mapping[str, Any], side: Side) -> str:
    found = messages.from_attributes(walk(attributes, ("llm", side.messages)))
    return next((m.text for m in reversed(found) if m.role in side.roles and m.text), "")


def _by_text(attributes: Mapping[str, Any], side: Side) -> str:
    value = _value(attributes, side)
    if not isinstance(value, str):
        return ""
    mime = walk(attributes, (side.io, "mime_type"))
    if mime == TEXT_MIME:
        return value.strip()
    parsed = loads(value)
    if isinstance(parsed, str):
        return parsed.strip()
    if mime is MISSING or mime is None:
        return "" if isinstance(parsed, dict | list) else value.strip()
    return ""


def _by_openai(attributes: Mapping[str, Any], side: Side) -> str:
    data = _json(attributes, side)
    if side is QUESTION:
        chat = data.get("messages") if isinstance(data, dict) else data
        found = messages.from_openai(chat)
        return next((m.text for m in reversed(found) if m.role in side.roles and m.text), "")
    return _text_of(walk(data, ("choices", 0, "message"))) if isinstance(data, dict) else ""


def _by_fields(attributes: Mapping[str, Any], side: Side) -> str:
    data = _json(attributes, side)
    if not isinstance(data, dict):
        return ""
    return next((text for key in side.fields if (text := _text_of(data.get(key)))), "")


READERS = (("messages", _by_messages), ("text", _by_text), ("openai", _by_openai),
           ("fields", _by_fields))
"""The default readers, in the order they are tried."""


def _why(attributes: Mapping[str, Any], side: Side) -> str:
    """What the span holds instead of text, for the reason line."""
    found = messages.from_attributes(walk(attributes, ("llm", side.messages)))
    value, data = _value(attributes, side), _json(attributes, side)
    if found:
        if side is ANSWER and any(m.tool_calls for m in found):
            return ("the assistant's reply in llm.output_messages is only a tool call, no "
                    "text (a step before the answer?)")
        return f"llm.{side.messages} holds no {side.roles[0]} message with text"
    if value is MISSING or value is None or (isinstance(value, str) and not value.strip()):
        return f"the span has no {side.io}.value"
    if isinstance(data, dict):
        keys = ", ".join(sorted(map(str, data))[:8]) or "none"
        return (f"{side.io}.value is a JSON object without a text field "
                f"({', '.join(side.fields)}, messages); its keys: {keys}")
    return f"{side.io}.value is JSON without a {side.roles[0]} message with text"


def _hint(attributes: Mapping[str, Any], side: Side) -> str:
    """The option to use, with an example path fitting the span's JSON where it can."""
    found = messages.from_attributes(walk(attributes, ("llm", side.messages)))
    if side is ANSWER and any(m.tool_calls for m in found):
        return f"use {side.option} PATH if this span holds the answer elsewhere"
    data = _json(attributes, side)
    example = side.example
    if isinstance(data, dict) and not {"messages", "choices"} & set(data):
        example = next((str(k) for k, v in data.items() if isinstance(v, str) and v.strip()),
                       example)
    return f"use {side.option} PATH (e.g. {side.option} {example!r})"


@dataclass(frozen=True)
class SpanText:
    """How to read root spans: the default readers, or a path for either side."""

    question: TextPath | None = None
    answer: TextPath | None = None

    @classmethod
    def of(cls, question: str | None = None, answer: str | None = None) -> SpanText:
        """From the ``--question`` / ``--answer`` options (None: the default readers)."""
        return cls(question=TextPath.parse(question, QUESTION) if question else None,
                   answer=TextPath.parse(answer, ANSWER) if answer else None)

    def columns(self) -> tuple[str, ...]:
        """The attributes to ask Phoenix for."""
        paths = [path.column for path in (self.question, self.answer) if path]
        return tuple(dict.fromkeys([*COLUMNS, *paths]))

    def describe(self) -> str:
        return ", ".join(f"{side.option} {path.spec}" for side, path
                         in ((QUESTION, self.question), (ANSWER, self.answer)) if path)

    def read(self, attributes: Mapping[str, Any]) -> Reading:
        """Both texts of a span given by its nested attributes."""
        texts, names = [], []
        for side, path in ((QUESTION, self.question), (ANSWER, self.answer)):
            text, name, reason = _read_side(attributes, side, path)
            if not text:
                return Reading(missing=side.name, reason=f"no {side.name}: {reason}")
            texts.append(text)
            names.append(name)
        return Reading(question=texts[0], answer=texts[1], read_by=(names[0], names[1]))


def _read_side(attributes: Mapping[str, Any], side: Side, path: TextPath | None
               ) -> tuple[str, str, str]:
    """(the text, the reader that found it, "") or ("", "", why there is none)."""
    if path is not None:
        found = walk(attributes, path.steps)
        if text := _text_of(found):
            return text, "path", ""
        data = _json(attributes, side)
        keys = (f" ({side.io}.value's keys: {', '.join(sorted(map(str, data))[:8])})"
                if isinstance(data, dict) and path.column == f"{side.io}.value" else "")
        what = "leads nowhere in this span" if found is MISSING or found is None \
            else f"leads to {type(found).__name__}, not text"
        return "", "", f"{side.option} {path.spec!r} {what}{keys}; fix {side.option} PATH"
    for name, reader in READERS:
        if text := reader(attributes, side):
            return text, name, ""
    return "", "", f"{_why(attributes, side)}; {_hint(attributes, side)}"
