"""A trace as a labeler reads it: the question, every tool call with its result or error,
and the answer; nothing else (no category, no variant, no other label). The terminal
labeler shows these sections, and ``judge-align gold sheet`` writes them to a text file for
labelers who work from a file (an annotator fills in a labels CSV beside it)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evaluators.evidence import render_tools
from pipeline.gold.traces import trace_tools


def _json(text: Any) -> str:
    """A span's input or output as compact JSON on one line (as recorded when not JSON)."""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False)
    except (TypeError, ValueError):
        return str(text or "")


def tool_calls(trace: dict[str, Any]) -> str:
    """Every tool call of the trace with its whole result or its error, as recorded (not the
    judge's compacted record: a person checks the answer against all of it). A trace
    without TOOL spans shows the tool calls its LLM spans recorded."""
    lines = []
    for number, span in enumerate((s for s in trace.get("spans") or []
                                   if s.get("span_kind") == "TOOL"), 1):
        attributes = span.get("attributes") or {}
        outcome = (f"error: {span.get('status_message') or 'the tool failed'}"
                   if span.get("status_code") == "ERROR"
                   else _json(attributes.get("output.value")))
        lines.append(f"{number}. {span.get('name')}({_json(attributes.get('input.value'))})\n"
                     f"   -> {outcome}")
    return "\n".join(lines) if lines else render_tools(trace_tools(trace))


def sections(trace: dict[str, Any]) -> list[tuple[str, str]]:
    """``(title, text)`` of what a labeler sees of one trace."""
    return [("question", trace.get("question") or ""),
            ("tool calls", tool_calls(trace)),
            ("answer", trace.get("answer") or "(empty)")]


def sheet_text(traces: Sequence[dict[str, Any]]) -> str:
    """Every trace's sections under a header naming its span id, as plain text."""
    blocks = []
    for index, trace in enumerate(traces, 1):
        parts = [f"=== trace {index} of {len(traces)} · span_id {trace['root_span_id']} ==="]
        parts += [f"--- {title} ---\n{text}" for title, text in sections(trace)]
        blocks.append("\n".join(parts))
    return "\n\n".join(blocks) + "\n"


def write_sheet(traces: Sequence[dict[str, Any]], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sheet_text(traces), encoding="utf-8")
    return path
