"""``judge-align gold record``: append a Phoenix project's traces to the gold traces file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import tabular
from pipeline.errors import UserError
from pipeline.gold.traces import group_traces, read_traces, root_span, trace_record
from pipeline.labeling.labeler import read_queue
from pipeline.phoenix import spans

if TYPE_CHECKING:
    from pipeline.phoenix.connection import Phoenix


def record(phoenix: Phoenix, project: str, path: Path,
           only: set[str] | None = None) -> int:
    """Append the traces of ``project`` not yet in ``path`` (only those whose root span id is
    in ``only``, when given), each noting the project it came from; return how many were
    added. Safe to run again."""
    spans.require_project(phoenix, project)
    known = {trace["trace_id"] for trace in read_traces(path)}
    added = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        for trace in group_traces(spans.project_spans(phoenix, project)):
            root = root_span(trace)
            if root is None or root["context"]["trace_id"] in known:
                continue
            if only is not None and root["context"]["span_id"] not in only:
                continue
            out.write(json.dumps({**trace_record(trace), "project": project}) + "\n")
            added += 1
    return added


def read_span_ids(path: Path) -> set[str]:
    """Root span ids from a labels file (its ``span_id`` column) or a plain list (one per
    line, ``#`` comments allowed)."""
    if path.suffix.lower() not in tabular.FORMATS:
        return set(read_queue(path))
    rows, columns = tabular.read_rows(path)
    if "span_id" not in columns:
        raise UserError(f"{path} has no span_id column: give a labels file or a list of span "
                        "ids, one per line")
    return {row.text("span_id").lower() for row in rows if row.text("span_id")}
