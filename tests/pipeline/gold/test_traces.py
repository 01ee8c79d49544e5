"""A recorded trace's question, answer and tool record, as the gold files keep them, for
traces of any app (tests/data/spans/): no server needed."""

from __future__ import annotations

from pipeline.gold.files import DEMO
from pipeline.gold.traces import read_traces, trace_record, trace_tools
from tests.support import recorded_spans as recorded

WEATHER = ("get_weather", recorded.TOOL_ARGUMENTS, recorded.TOOL_RESULT)


def test_a_chain_with_tool_spans_or_only_llm_tool_calls_has_the_same_record() -> None:
    for scenario in ("chain_tool_spans", "chain_tools"):
        (trace,) = recorded.load(scenario)
        record = trace_record(trace)
        assert (record["question"], record["answer"]) == (recorded.TOOL_QUESTION,
                                                          recorded.TOOL_ANSWER)
        assert [(c.tool, c.arguments, c.result) for c in trace_tools(record)] == [WEATHER]


def test_an_llm_root_is_read_from_its_messages() -> None:
    (trace,) = recorded.load("openai_chat")
    record = trace_record(trace)
    assert (record["question"], record["answer"]) == (recorded.CHAT_QUESTION,
                                                      recorded.CHAT_ANSWER)
    assert trace_tools(record) == []


def test_the_gold_traces_read_as_their_root_spans_say() -> None:
    """The demo agent's AGENT roots: plain text, unchanged by the readers; a trace without
    TOOL spans still has a record of no call (its LLM spans asked for no tool)."""
    traces = read_traces(DEMO.traces)
    assert traces
    for trace in traces:
        again = trace_record(trace["spans"])
        root = next(s for s in trace["spans"] if not s.get("parent_id"))
        assert again["question"] == root["attributes"]["input.value"].strip()
        assert again["answer"] == (root["attributes"].get("output.value") or "").strip()
        tool_spans = [s for s in trace["spans"] if s["span_kind"] == "TOOL"]
        assert len(trace_tools(trace)) == len(tool_spans)
