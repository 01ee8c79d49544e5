"""The gold set: recorded agent traces and their human labels, kept in the repo as files.

``gold/traces.jsonl`` holds one recorded trace per line (its spans as Phoenix's REST API
returns them) and ``gold/labels.csv`` the labels a person wrote for the root spans, following
``docs/rubric.md``. :func:`record` appends a project's traces to the traces file;
:func:`load` uploads them into a Phoenix project, skipping what is already there, so it is
safe to run twice.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import UserError
from pipeline.settings import ROOT

if TYPE_CHECKING:
    from phoenix.client import Client

GOLD_DIR = ROOT / "gold"
TRACES_FILE = GOLD_DIR / "traces.jsonl"
LABELS_FILE = GOLD_DIR / "labels.csv"
PAGE = 1000


def read_traces(path: Path = TRACES_FILE) -> list[dict[str, Any]]:
    """The recorded traces, in file order."""
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _root(spans: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((span for span in spans if not span.get("parent_id")), None)


def group_traces(spans: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Spans grouped by trace, each trace's spans in start order."""
    by_trace: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for span in spans:
        span = {key: value for key, value in span.items() if key != "id"}
        by_trace[span["context"]["trace_id"]].append(span)
    for trace in by_trace.values():
        yield sorted(trace, key=lambda span: span["start_time"])


def trace_record(spans: list[dict[str, Any]]) -> dict[str, Any]:
    """One line of the traces file for a trace's spans; ``variant`` names the deliberately
    altered system prompt of a provoked failure (None for the agent as it is)."""
    root = _root(spans)
    if root is None:
        raise ValueError("trace has no root span")
    attributes = root.get("attributes", {})
    return {
        "trace_id": root["context"]["trace_id"],
        "root_span_id": root["context"]["span_id"],
        "question": attributes.get("input.value", ""),
        "answer": attributes.get("output.value", ""),
        "category": attributes.get("metadata.category", ""),
        "variant": attributes.get("metadata.variant"),
        "spans": spans,
    }


def fetch_project_spans(client: Client, project: str) -> list[dict[str, Any]]:
    """Every span of ``project`` (paged by the client)."""
    return list(client.spans.get_spans(project_identifier=project, limit=10**7, timeout=120))


def record(client: Client, project: str, path: Path = TRACES_FILE,
           only: set[str] | None = None) -> int:
    """Append the traces of ``project`` not yet in ``path`` (only those whose root span id is
    in ``only``, when given); return how many were added."""
    known = {trace["trace_id"] for trace in read_traces(path)}
    added = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as out:
        for spans in group_traces(fetch_project_spans(client, project)):
            root = _root(spans)
            if root is None or root["context"]["trace_id"] in known:
                continue
            if only is not None and root["context"]["span_id"] not in only:
                continue
            out.write(json.dumps(trace_record(spans)) + "\n")
            added += 1
    return added


def load(client: Client, project: str, path: Path = TRACES_FILE,
         timeout: float = 60.0) -> tuple[int, int]:
    """Upload the recorded traces missing from ``project``; return (uploaded, already there).

    Span ids are global in Phoenix, so a trace already loaded is recognised by its root span
    id and skipped. Returns once every uploaded root span can be queried.
    """
    traces = read_traces(path)
    present = _present_root_ids(client, project)
    missing = [trace for trace in traces if trace["root_span_id"] not in present]
    from phoenix.client.exceptions import SpanCreationError

    for start in range(0, len(missing), 50):
        batch = [span for trace in missing[start:start + 50] for span in trace["spans"]]
        try:
            client.spans.log_spans(project_identifier=project, spans=batch, timeout=120)
        except SpanCreationError as error:
            raise UserError(
                f"{len(error.duplicate_spans)} gold spans already exist in another project of "
                f"this Phoenix (span ids are unique across projects): delete that project in "
                f"the Phoenix UI, or use a fresh Phoenix (another JUDGE_ALIGN_RUN_DIR)") from None
    deadline = time.monotonic() + timeout
    wanted = {trace["root_span_id"] for trace in missing}
    while wanted - _present_root_ids(client, project):
        if time.monotonic() > deadline:
            raise TimeoutError(f"Phoenix did not show {len(wanted)} uploaded traces in time")
        time.sleep(0.5)
    return len(missing), len(traces) - len(missing)


def _present_root_ids(client: Client, project: str) -> set[str]:
    try:
        spans = client.spans.get_spans(project_identifier=project, parent_id="null",
                                       limit=10**7, timeout=120)
    except Exception as error:  # a project that does not exist yet has no spans
        if "404" in str(error) or "not found" in str(error).lower():
            return set()
        raise
    return {span["context"]["span_id"] for span in spans}
