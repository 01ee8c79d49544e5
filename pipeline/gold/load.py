"""Load the recorded gold traces into a Phoenix project, skipping those already there."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import UserError
from pipeline.gold.traces import read_traces
from pipeline.phoenix import spans

if TYPE_CHECKING:
    from pipeline.phoenix.connection import Phoenix

UPLOAD_BATCH = 50  # traces per upload


def load(phoenix: Phoenix, project: str, path: Path,
         timeout: float = 60.0) -> tuple[int, int]:
    """Upload the recorded traces missing from ``project``; return (uploaded, already there).

    Span ids are global in Phoenix, so a trace already loaded is recognised by its root span
    id and skipped. Returns once every uploaded root span can be queried."""
    traces = read_traces(path)
    present = spans.root_span_ids(phoenix, project)
    missing = [trace for trace in traces if trace["root_span_id"] not in present]
    for start in range(0, len(missing), UPLOAD_BATCH):
        batch = [span for trace in missing[start:start + UPLOAD_BATCH] for span in trace["spans"]]
        spans.log_spans(phoenix, project, batch)
    deadline = time.monotonic() + timeout
    wanted = {trace["root_span_id"] for trace in missing}
    while wanted - spans.root_span_ids(phoenix, project):
        if time.monotonic() > deadline:
            raise UserError(f"Phoenix did not show {len(wanted)} uploaded traces within "
                            f"{timeout:.0f} s: check its log (`make logs`) and run again")
        time.sleep(0.5)
    return len(missing), len(traces) - len(missing)
