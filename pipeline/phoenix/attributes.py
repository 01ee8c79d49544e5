"""A span's attributes in nested form, and paths into nested values.

Phoenix's REST API gives a span's attributes flat (``llm.input_messages.0.message.role``);
``SpanQuery.select("llm.input_messages")`` gives that attribute already nested (a list of
``{"message": {"role": ...}}``). :func:`unflatten` turns either into one nested mapping, so
the span readers (:mod:`pipeline.phoenix.span_text`) see the same thing whichever way the span
was read.

A path is dotted keys with list positions, as in Python or JavaScript: ``query``,
``messages[-1].content``, ``choices[0].message.content``, ``llm.input_messages.1.message``
(a number after a dot is a position in a list, or a key in an object). Negative positions
count from the end.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

Step = str | int
_FIRST = re.compile(r"([^.\[\]]+)|\[(-?\d+)\]")
_NEXT = re.compile(r"\.([^.\[\]]+)|\[(-?\d+)\]")


class PathError(ValueError):
    """A path that cannot be read (the message says where)."""


def parse_path(text: str) -> tuple[Step, ...]:
    """``messages[-1].content`` -> ``("messages", -1, "content")``; raise PathError."""
    text = text.strip()
    if not text:
        raise PathError("the path is empty")
    steps: list[Step] = []
    position = 0
    while position < len(text):
        match = (_NEXT if steps else _FIRST).match(text, position)
        if match is None:
            raise PathError(f"cannot read the path {text!r} from {text[position:]!r} on: "
                            "write keys with dots and positions in brackets, e.g. "
                            "messages[-1].content")
        key, index = match.groups()
        steps.append(int(index) if index is not None else key)
        position = match.end()
    return tuple(steps)


def format_path(steps: tuple[Step, ...]) -> str:
    """The inverse of :func:`parse_path` (positions in brackets)."""
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


MISSING = object()
"""What :func:`walk` returns where the path leads nowhere."""


def walk(value: Any, steps: tuple[Step, ...]) -> Any:
    """The value at ``steps`` inside ``value``, or :data:`MISSING`: objects by key, lists
    by position (a digit key indexes a list, a position keys an object), and JSON text on
    the way read as JSON (so ``input.value.query`` reaches into the input's JSON)."""
    for step in steps:
        if isinstance(value, str) and (parsed := loads(value)) is not MISSING:
            value = parsed
        if isinstance(value, dict):
            key = str(step)
            if key not in value:
                return MISSING
            value = value[key]
        elif isinstance(value, list | tuple):
            try:
                value = value[int(step)]
            except (ValueError, IndexError):
                return MISSING
        else:
            return MISSING
    return value


def unflatten(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Nested attributes from dotted names (``{"input.value": v}`` -> ``{"input": {"value":
    v}}``); objects whose keys are all positions become lists. Values that are already
    nested (a selected ``llm.input_messages``) are placed as they are."""
    root: dict[str, Any] = {}
    positions = False
    for name, value in attributes.items():
        *parents, last = name.split(".")
        node = root
        for part in parents:
            positions = positions or part.isdigit()
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[last] = value
        positions = positions or last.isdigit()
    return _lists(root) if positions else root


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        items = {key: _lists(item) for key, item in value.items()}
        if items and all(key.isdigit() for key in items):
            ordered = [None] * (max(int(key) for key in items) + 1)
            for key, item in items.items():
                ordered[int(key)] = item
            return ordered
        return items
    return value


def loads(value: Any) -> Any:
    """``value`` parsed as JSON when it is JSON text, else :data:`MISSING`."""
    if not isinstance(value, str):
        return MISSING
    try:
        return json.loads(value)
    except ValueError:
        return MISSING
