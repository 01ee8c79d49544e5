"""Nested attributes and paths into them: no server needed."""

from __future__ import annotations

import pytest

from pipeline.phoenix.attributes import (
    MISSING,
    PathError,
    format_path,
    parse_path,
    unflatten,
    walk,
)
from tests.support.recorded_spans import roots


@pytest.mark.parametrize(("text", "steps"), [
    ("query", ("query",)),
    ("messages[-1].content", ("messages", -1, "content")),
    ("choices[0].message.content", ("choices", 0, "message", "content")),
    ("llm.input_messages.1.message", ("llm", "input_messages", "1", "message")),
    ("[2]", (2,)),
])
def test_paths_read_keys_and_positions(text: str, steps: tuple) -> None:
    assert parse_path(text) == steps
    assert parse_path(format_path(steps)) == steps


@pytest.mark.parametrize("text", ["", "a..b", ".a", "a.", "a[x]", "a[1"])
def test_a_broken_path_says_where(text: str) -> None:
    with pytest.raises(PathError, match="path"):
        parse_path(text)


def test_walk_follows_keys_positions_and_json_text() -> None:
    value = {"input": {"value": '{"messages": [{"content": "a"}, {"content": "b"}]}'},
             "items": ["x", "y"]}
    assert walk(value, parse_path("input.value.messages[-1].content")) == "b"
    assert walk(value, parse_path("items.1")) == "y"
    assert walk(value, parse_path("items[5]")) is MISSING
    assert walk(value, parse_path("input.nothing")) is MISSING


def test_rest_and_selected_forms_unflatten_alike() -> None:
    """A span as the REST API gives it (flat names) and as SpanQuery.select gives its
    columns (``llm.input_messages`` already nested) become the same nested attributes."""
    flat = roots("openai_tools")[1]["attributes"]
    nested = unflatten(flat)
    selected = {"input.value": flat["input.value"],
                "llm.input_messages": nested["llm"]["input_messages"]}
    assert unflatten(selected)["llm"]["input_messages"] == nested["llm"]["input_messages"]
    messages = nested["llm"]["input_messages"]
    assert isinstance(messages, list) and messages[-1]["message"]["role"] == "tool"
    assert nested["input"]["value"] == flat["input.value"]
