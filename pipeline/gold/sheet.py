"""A trace as a labeler reads it: the question, every tool call with its result or error,
and the answer; nothing else (no category, no variant, no other label). The terminal
labeler shows these sections, and ``judge-align gold sheet`` writes them to a text file for
labelers who work from a file (an annotator fills in a labels CSV beside it)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evaluators.evidence import render_tools
from pipeline.gold.traces import trace_tools


def sections(trace: dict[str, Any]) -> list[tuple[str, str]]:
    """``(title, text)`` of what a labeler sees of one trace."""
    return [("question", trace.get("question") or ""),
            ("tool calls", render_tools(trace_tools(trace))),
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
