"""Chat messages and the tool calls in them, read from spans recorded from the ``openai``
SDK under OpenInference's instrumentor (tests/data/spans/): no server needed."""

from __future__ import annotations

import json

from pipeline.phoenix import messages
from pipeline.phoenix.attributes import unflatten, walk
from tests.support import recorded_spans as recorded


def llm_messages(trace: list[dict]) -> list[messages.Message]:
    """Every message of the trace's LLM spans, in start order, as attributes give them."""
    return [message for span in trace if span["span_kind"] == "LLM"
            for key in ("input_messages", "output_messages")
            for message in messages.from_attributes(
                walk(unflatten(span["attributes"]), ("llm", key)))]


def test_attributes_and_openai_json_give_the_same_messages() -> None:
    (root,) = recorded.roots("openai_chat")
    from_attributes = messages.from_attributes(
        unflatten(root["attributes"])["llm"]["input_messages"])
    request = json.loads(root["attributes"]["input.value"])
    assert messages.from_openai(request["messages"]) == from_attributes
    assert [m.role for m in from_attributes] == ["system", "user"]
    assert messages.last_text(from_attributes, messages.USER) == recorded.CHAT_QUESTION


def test_content_parts_are_joined_as_lines() -> None:
    (root,) = recorded.roots("openai_parts")
    asked = messages.from_attributes(unflatten(root["attributes"])["llm"]["input_messages"])
    request = json.loads(root["attributes"]["input.value"])
    joined = recorded.CHAT_QUESTION.replace(" for ", "\nfor ")
    assert asked[0].text == joined == messages.from_openai(request["messages"])[0].text


def test_the_tool_record_of_llm_spans_pairs_calls_and_results() -> None:
    (trace,) = recorded.load("chain_tools")  # a CHAIN root; calls only in its LLM spans
    (call,) = messages.tool_record(llm_messages(trace))  # asked, then repeated: one call
    assert call.tool == "get_weather" and call.arguments == recorded.TOOL_ARGUMENTS
    assert call.result == recorded.TOOL_RESULT and call.error is None


def test_a_call_without_its_result_has_an_empty_result() -> None:
    first, _ = recorded.load("openai_tools")  # the reply is only the tool call
    (call,) = messages.tool_record(llm_messages(first))
    assert call.arguments == recorded.TOOL_ARGUMENTS and call.result == {}


def test_a_conversation_without_tools_has_a_record_of_no_call() -> None:
    (trace,) = recorded.load("openai_chat")
    assert messages.tool_record(llm_messages(trace)) == []


def test_calls_without_ids_pair_with_the_next_tool_message() -> None:
    asked = messages.Message("assistant", tool_calls=(
        messages.Request("a", '{"x": 1}'), messages.Request("b", '{"y": 2}')))
    found = messages.tool_record([asked, messages.Message("tool", '{"v": 1}'),
                                  messages.Message("tool", '{"error": "down"}')])
    assert [(c.tool, c.result, c.error) for c in found] == [("a", {"v": 1}, None),
                                                          ("b", {}, "down")]
