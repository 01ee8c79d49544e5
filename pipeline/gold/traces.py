"""The gold set's recorded traces: ``traces.jsonl``, one trace per line, its spans as
Phoenix's REST API returns them (:mod:`pipeline.gold.files` says where)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from evaluators.evidence import ToolCall, compact_call
from pipeline.phoenix import messages
from pipeline.phoenix.attributes import unflatten
from pipeline.phoenix.span_text import SpanText


def read_traces(path: Path) -> list[dict[str, Any]]:
    """The recorded traces, in file order (none when the file does not exist)."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def root_span(spans: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The span without a parent, if any."""
    return next((span for span in spans if not span.get("parent_id")), None)


def group_traces(spans: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Spans grouped by trace, each trace's spans in start order (Phoenix's row ``id``
    dropped: it is not part of the span)."""
    by_trace: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for span in spans:
        span = {key: value for key, value in span.items() if key != "id"}
        by_trace[span["context"]["trace_id"]].append(span)
    for trace in by_trace.values():
        yield sorted(trace, key=lambda span: span["start_time"])


def trace_record(spans: list[dict[str, Any]]) -> dict[str, Any]:
    """One line of the traces file for a trace's spans; ``variant`` names the deliberately
    altered agent of a provoked failure (None for the agent as it is)."""
    root = root_span(spans)
    if root is None:
        raise ValueError("trace has no root span")
    attributes = root.get("attributes", {})
    reading = SpanText().read(unflatten(attributes))
    return {
        "trace_id": root["context"]["trace_id"],
        "root_span_id": root["context"]["span_id"],
        "question": reading.question,
        "answer": reading.answer,
        "category": attributes.get("metadata.category", ""),
        "variant": attributes.get("metadata.variant"),
        "spans": spans,
    }


def trace_tools(trace: dict[str, Any]) -> list[ToolCall]:
    """The compact tool record of a recorded trace: its TOOL spans, in order, or without
    any, the tool calls of its LLM spans (as a dataset built from the trace has it)."""
    calls = []
    spans = trace.get("spans") or []
    for span in spans:
        if span.get("span_kind") != "TOOL":
            continue
        attributes = span.get("attributes") or {}
        error = (span.get("status_message") or "the tool failed") \
            if span.get("status_code") == "ERROR" else None
        calls.append(compact_call(span.get("name") or "", attributes.get("input.value"),
                                  attributes.get("output.value"), error))
    if calls:
        return calls
    return messages.tool_record(message for span in spans if span.get("span_kind") == "LLM"
                                for message in messages.tool_messages(
                                    unflatten(span.get("attributes") or {})))
