"""The model's reading of a question for the checks: the fields a checks module's
:class:`~evaluators.checks.base.Reading` names (for the weather checks: the places and what
is asked for).

A small model is poor at judging subtle failures but decent at reading a question; code
then compares that reading with the answer and the tool record. The reply is constrained to
JSON by ``response_format``; in ``combined`` mode one call reads every field, in
``separate`` mode one call reads each (measured against each other by the bench).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from evaluators.chat import Chat
from evaluators.checks.base import Reading

MAX_TOKENS = 80


def _schema(fields: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {"type": "json_schema", "json_schema": {"name": "reading", "schema": {
        "type": "object", "properties": dict(fields), "required": list(fields),
        "additionalProperties": False}}}


def _parse(content: str | None, fields: Mapping[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(content or "")
    except ValueError:
        return {}
    return {k: v for k, v in data.items() if k in fields} if isinstance(data, dict) else {}


async def read_question(chat: Chat, prompt: str, reading: Reading, *,
                        separate: bool = False) -> dict[str, Any]:
    """The model's reading of the question in ``prompt`` (the rendered reading template): a
    JSON object of the reading's fields; raises the call's error after its retries."""
    if not separate:
        response = await chat.complete(prompt, max_tokens=MAX_TOKENS,
                                       response_format=_schema(reading.fields))
        return _parse(response.choices[0].message.content, reading.fields)
    found: dict[str, Any] = {}
    for name, schema in reading.fields.items():
        hint = reading.hints.get(name, f"List only the {name}.")
        response = await chat.complete(f"{prompt}\n{hint}", max_tokens=MAX_TOKENS,
                                       response_format=_schema({name: schema}))
        found.update(_parse(response.choices[0].message.content, {name: schema}))
    return found
