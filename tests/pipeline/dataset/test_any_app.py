"""A dataset from any OpenInference project, on a real Phoenix: apps instrumented as Phoenix's
quick start shows (tests/support/recorded_spans.py) send their traces, and ``dataset build``
reads their root spans of any kind, with the tool record of TOOL spans or of LLM spans."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from pipeline.dataset.build import build
from pipeline.phoenix import spans
from pipeline.phoenix.attributes import unflatten
from pipeline.phoenix.span_text import SpanText
from pipeline.settings import Settings
from tests.conftest import scripted_settings
from tests.support import recorded_spans as recorded
from tests.support.experiments import judge_new_traces
from tests.support.scripted_llm import ScriptedLLM
from tests.support.stack import base_url, connect
from tests.support.traces import run_judge_align

CHAINS = ("chain_tools", "chain_tool_spans", "chain_json", "chain_custom", "chain_text_json")
WEATHER = {"tool": "get_weather", "arguments": recorded.TOOL_ARGUMENTS,
           "result": recorded.TOOL_RESULT}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def root_id(trace: list[dict[str, Any]]) -> str:
    return next(s for s in trace if not s.get("parent_id"))["context"]["span_id"]


def rest_examples(settings: Settings, name: str) -> list[dict[str, Any]]:
    dataset = connect(settings).client.datasets.get_dataset(dataset=name)
    response = httpx.get(f"{base_url(settings)}/v1/datasets/{dataset.id}/examples", timeout=30)
    response.raise_for_status()
    return response.json()["data"]["examples"]


@pytest.fixture(scope="module")
def plain_app(phoenix: Settings) -> tuple[str, dict[str, list[list[dict[str, Any]]]]]:
    """A project of the plain ``openai`` SDK under OpenAIInstrumentor: LLM roots only."""
    project = unique("plain-openai")
    return project, recorded.record(phoenix, project, ("openai_chat", "openai_tools"))


@pytest.fixture(scope="module")
def chains(phoenix: Settings) -> tuple[str, dict[str, list[list[dict[str, Any]]]]]:
    """A project of CHAIN roots made with phoenix.otel's tracer decorators."""
    project = unique("chains")
    return project, recorded.record(phoenix, project, CHAINS)


def test_a_plain_openai_app_becomes_a_dataset(phoenix: Settings, plain_app: tuple) -> None:
    project, traces = plain_app
    name = unique("plain-ds")
    done = run_judge_align(phoenix, "dataset", "build", project=project, dataset=name)
    assert done.returncode == 0, done.stderr
    (chat,) = traces["openai_chat"]
    tool_step, answered = traces["openai_tools"]
    # The first call of the tool loop is a trace of its own that ends in a tool call.
    assert "skipped 1 root span (1 without an answer)" in done.stdout, done.stdout
    assert f"span {root_id(tool_step)}: no answer: the assistant's reply" in done.stdout
    assert "--answer PATH" in done.stdout and "added 2 new spans" in done.stdout
    assert "question: messages 2; answer: messages 2" in done.stdout

    examples = {e["source"]["span_id"]: e for e in rest_examples(phoenix, name)}
    assert set(examples) == {root_id(chat), root_id(answered)}  # linked to their spans
    assert examples[root_id(chat)]["input"] == {
        "question": recorded.CHAT_QUESTION, "answer": recorded.CHAT_ANSWER, "tools": []}
    assert examples[root_id(answered)]["input"] == {
        "question": recorded.TOOL_QUESTION, "answer": recorded.TOOL_ANSWER,
        "tools": [WEATHER]}  # the call and its result, from the LLM span's messages


def test_judge_traces_reads_the_same_spans(phoenix: Settings, plain_app: tuple) -> None:
    project, _ = plain_app
    seen: list[str] = []

    def judge(request: dict[str, Any]) -> dict[str, Any]:
        seen.append(request["messages"][-1]["content"])
        return {"content": "helpful\nIt answers."}

    with ScriptedLLM(judge) as server:
        report = judge_new_traces(scripted_settings(phoenix, server), project=project,
                                  dataset=unique("none"), prompt="v3",
                                  prompt_name=unique("any-app"))
    assert (report.selected, len(report.skipped), sum(report.new.values())) == (2, 1, 2)
    asked = "\n".join(seen)
    assert recorded.CHAT_QUESTION in asked and recorded.TOOL_ANSWER in asked
    assert "get_weather(city=Oslo) -> {city: Oslo, temperature: 2.0" in asked
    assert "(no tool was called)" in asked  # the plain chat: a record of no call


def test_chain_roots_with_tool_spans_or_llm_tool_calls(phoenix: Settings, chains: tuple
                                                       ) -> None:
    project, traces = chains
    px = connect(phoenix)
    name = unique("chains-ds")
    report = build(px, name, project)
    assert report.added == 4 and len(report.skipped) == 1, report.skipped.reasons()
    (custom,) = traces["chain_custom"]
    assert report.skipped.spans[0].span_id == root_id(custom)
    assert "--question 'subject'" in report.skipped.spans[0].problem

    examples = {e["source"]["span_id"]: e["input"] for e in rest_examples(phoenix, name)}
    # The same record whether the app traced its tool (TOOL spans) or not (LLM spans only).
    for scenario in ("chain_tools", "chain_tool_spans"):
        (trace,) = traces[scenario]
        assert examples[root_id(trace)]["tools"] == [WEATHER], scenario
    (json_chain,) = traces["chain_json"]
    assert examples[root_id(json_chain)]["question"] == recorded.CHAIN_QUESTION

    # The unknown shape, read with paths given on the command line.
    done = run_judge_align(phoenix, "dataset", "build", "--question", "body", "--answer",
                           "reply.text", project=project, dataset=name)
    assert done.returncode == 0, done.stderr
    assert "added 1 new spans" in done.stdout, done.stdout
    examples = {e["source"]["span_id"]: e["input"] for e in rest_examples(phoenix, name)}
    assert examples[root_id(custom)] == {"question": recorded.CHAIN_QUESTION,
                                         "answer": recorded.CHAIN_ANSWER, "tools": []}


def test_spans_read_from_phoenix_match_the_recorded_files(phoenix: Settings,
                                                          chains: tuple, plain_app: tuple
                                                          ) -> None:
    """The selected columns (nested) and the REST form (flat) give the same readings, so
    the unit tests on tests/data/spans/ hold for what the pipeline reads."""
    px = connect(phoenix)
    for project, traces in (chains, plain_app):
        read = {span.span_id: span for span in spans.root_spans(px, project)}
        for scenario_traces in traces.values():
            for trace in scenario_traces:
                root = next(s for s in trace if not s.get("parent_id"))
                expected = SpanText().read(unflatten(root["attributes"]))
                found = read[root["context"]["span_id"]]
                assert (found.question, found.answer, found.read_by, found.kind) == (
                    expected.question, expected.answer, expected.read_by, root["span_kind"])


def test_an_unreadable_project_says_why_in_one_line(phoenix: Settings, chains: tuple) -> None:
    project, _ = chains
    done = run_judge_align(phoenix, "dataset", "build", "--query", "name == 'support_bot'",
                           project=project, dataset=unique("none"))
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert "none of the 1 root spans" in done.stderr and "--question" in done.stderr
