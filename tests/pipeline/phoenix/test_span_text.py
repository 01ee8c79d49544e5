"""Each reader of a root span's question and answer, on spans recorded from real
instrumentations (tests/data/spans/, made by tests/support/recorded_spans.py): no server
needed. The expected texts are what the recorded apps sent and the scripted model replied."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import UserError
from pipeline.phoenix.attributes import unflatten
from pipeline.phoenix.span_text import ANSWER, QUESTION, SpanText, TextPath
from tests.support import recorded_spans as recorded


def attributes(scenario: str, index: int = 0) -> dict[str, Any]:
    return unflatten(recorded.roots(scenario)[index]["attributes"])


@pytest.mark.parametrize(("scenario", "index", "question", "answer", "readers"), [
    # the openai SDK under OpenAIInstrumentor: an LLM root with OpenInference messages
    ("openai_chat", 0, recorded.CHAT_QUESTION, recorded.CHAT_ANSWER, ("messages", "messages")),
    # the question's content as a list of parts
    ("openai_parts", 0, recorded.CHAT_QUESTION.replace(" for ", "\nfor "), recorded.CHAT_ANSWER,
     ("messages", "messages")),
    # the last user message after a tool call and its result
    ("openai_tools", 1, recorded.TOOL_QUESTION, recorded.TOOL_ANSWER, ("messages", "messages")),
    # messages hidden by TraceConfig: only the OpenAI request / response JSON is left
    ("openai_json_only", 0, recorded.CHAT_QUESTION, recorded.CHAT_ANSWER, ("openai", "openai")),
    # phoenix.otel's @tracer.chain around a function of a string: plain text
    ("chain_tools", 0, recorded.TOOL_QUESTION, recorded.TOOL_ANSWER, ("text", "text")),
    # a chain of JSON objects: {"query": ...} in, {"answer": ...} out
    ("chain_json", 0, recorded.CHAIN_QUESTION, recorded.CHAIN_ANSWER, ("fields", "fields")),
])
def test_the_default_readers(scenario: str, index: int, question: str, answer: str,
                             readers: tuple[str, str]) -> None:
    reading = SpanText().read(attributes(scenario, index))
    assert (reading.question, reading.answer) == (question, answer)
    assert reading.read_by == readers and reading.missing is None


def test_an_answer_recorded_as_text_stays_text_even_when_it_is_json() -> None:
    """A broken answer that is JSON (as the demo agent's provoked failures write) must
    reach the judge as it is, not be taken apart."""
    reading = SpanText().read(attributes("chain_text_json"))
    assert reading.read_by == ("text", "text")
    assert reading.answer.startswith('{"answer": ') and recorded.CHAIN_ANSWER in reading.answer


def test_the_demo_agents_root_span_is_read_as_before() -> None:
    """An AGENT root as the demo agent records it (tests/support/traces.py's contract)."""
    spans = {"input.value": "Weather in Oslo?", "input.mime_type": "text/plain",
             "output.value": "3 C and dry.", "output.mime_type": "text/plain",
             "metadata": '{"category": "forecast"}'}
    reading = SpanText().read(unflatten(spans))
    assert (reading.question, reading.answer, reading.read_by) == (
        "Weather in Oslo?", "3 C and dry.", ("text", "text"))


def test_a_reply_that_is_only_a_tool_call_has_no_answer_and_says_why() -> None:
    reading = SpanText().read(attributes("openai_tools", 0))
    assert reading.missing == "answer" and not reading.answer
    assert "only a tool call" in reading.reason and "--answer" in reading.reason


def test_json_of_an_unknown_shape_names_its_keys_and_the_option() -> None:
    reading = SpanText().read(attributes("chain_custom"))
    assert reading.missing == "question"
    assert "keys: body, subject" in reading.reason
    assert "--question 'subject'" in reading.reason  # a text field of the span's own JSON


def test_paths_read_what_the_default_readers_cannot() -> None:
    text = SpanText.of("body", "reply.text")
    reading = text.read(attributes("chain_custom"))
    assert (reading.question, reading.answer) == (recorded.CHAIN_QUESTION,
                                                  recorded.CHAIN_ANSWER)
    assert reading.read_by == ("path", "path")
    assert set(text.columns()) >= {"input.value", "output.value"}


@pytest.mark.parametrize(("question", "answer", "column"), [
    ("messages[-1].content", "choices[0].message.content", "input.value"),
    ("attributes.llm.input_messages[-1].message.content",
     "attributes.llm.output_messages[0].message", "llm.input_messages"),
    ("input.value.messages[1].content", "output.value", "input.value"),
])
def test_paths_into_json_and_attributes(question: str, answer: str, column: str) -> None:
    text = SpanText.of(question, answer)
    reading = text.read(attributes("openai_chat"))
    assert reading.question == recorded.CHAT_QUESTION
    assert column in text.columns()
    if answer != "output.value":
        assert reading.answer == recorded.CHAT_ANSWER
    else:  # the attribute itself: the response JSON as text
        assert recorded.CHAT_ANSWER in reading.answer and reading.answer.startswith("{")


def test_a_path_that_leads_nowhere_says_so_and_names_the_keys() -> None:
    reading = SpanText.of("ticket.body").read(attributes("chain_custom"))
    assert reading.missing == "question"
    assert "--question 'ticket.body' leads nowhere" in reading.reason
    assert "keys: body, subject" in reading.reason
    reading = SpanText.of("body", "escalate").read(attributes("chain_custom"))
    assert "leads to bool, not text" in reading.reason


@pytest.mark.parametrize(("spec", "side", "column"), [
    ("query", QUESTION, "input.value"),
    ("choices[0].message.content", ANSWER, "output.value"),
    ("attributes.llm.output_messages.0.message.content", ANSWER, "llm.output_messages"),
    ("attributes.metadata.topic", QUESTION, "metadata.topic"),
    ("output.value", ANSWER, "output.value"),
])
def test_a_path_asks_phoenix_for_one_attribute(spec: str, side: Any, column: str) -> None:
    assert TextPath.parse(spec, side).column == column


@pytest.mark.parametrize("spec", ["messages[", "attributes.[0].x", "a..b"])
def test_a_broken_path_is_refused_with_the_option(spec: str) -> None:
    with pytest.raises(UserError, match=r"^--question"):
        SpanText.of(spec)


@pytest.mark.parametrize("command", [["dataset", "build"], ["judge-traces"],
                                     ["suggest-labels"], ["annotate"]])
def test_every_command_reading_root_spans_refuses_a_broken_path_first(
        command: list[str], tmp_path: Path) -> None:
    """Before any server is reached (none runs here): one line naming the option."""
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", *command, "--answer",
                           "choices[0"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "JUDGE_ALIGN_RUN_DIR": str(tmp_path),
                               "PHOENIX_PORT": "9"})
    assert done.returncode == 1
    assert done.stderr.startswith("error: --answer 'choices[0': cannot read the path")
    assert done.stderr.count("\n") == 1
