"""Read the agent's root spans (one per question) from a Phoenix project.

A root agent span has no parent and OpenInference kind AGENT. The filters are a time window,
a limit (the newest N), a seeded random sample and a Phoenix span query. Only the columns a
:class:`RootSpan` needs are asked for (``SpanQuery.select``): Phoenix then answers about six
times faster than with every column (measured for ``bench/bench_dataset.py``). Spans come in
time windows of about ``page_size`` spans, so a project with tens of thousands of traces is
read with bounded requests and a progress bar.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from evaluators.evidence import ToolCall, compact_call
from pipeline.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

    from pipeline.phoenix.connection import Phoenix

ROOT_AGENT_SPANS = "parent_id is None and span_kind == 'AGENT'"
COLUMNS = ("span_id", "trace_id", "input.value", "output.value", "metadata", "start_time")
"""What a RootSpan is made of; the frame comes back indexed by ``context.span_id``."""
TOOL_SPANS = "span_kind == 'TOOL'"
TOOL_COLUMNS = ("trace_id", "name", "input.value", "output.value", "status_code",
                "status_message", "start_time")
PAGE_SIZE = 5000
UNLIMITED = 1_000_000_000  # a "limit" for requests already bounded by a time window
TIMEOUT = 120  # seconds per request: a page of 5000 spans takes about 0.5 s on SQLite
_RELATIVE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class SpanFilter:
    """Which root spans to read; every field is optional."""

    since: datetime | None = None
    limit: int | None = None
    sample: int | None = None
    seed: int = 0
    query: str | None = None

    def __post_init__(self) -> None:
        for name in ("limit", "sample"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise UserError(f"--{name} must be at least 1 (got {value})")

    def describe(self) -> str:
        parts = [f"since {self.since.isoformat()}" if self.since else "",
                 f"query {self.query!r}" if self.query else "",
                 f"newest {self.limit}" if self.limit else "",
                 f"sample of {self.sample} (seed {self.seed})" if self.sample else ""]
        return ", ".join(p for p in parts if p) or "all root agent spans"


@dataclass(frozen=True)
class RootSpan:
    """One question the agent answered, as recorded in its root span."""

    span_id: str
    trace_id: str
    question: str
    answer: str
    start_time: datetime
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def category(self) -> str | None:
        value = self.metadata.get("category")
        return None if value is None else str(value)


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """``2h``/``30m``/``3d``/``1w`` ago, or an ISO 8601 time (UTC unless it says otherwise)."""
    now = now or datetime.now(UTC)
    if match := _RELATIVE.match(text):
        amount, unit = match.groups()
        return now - timedelta(**{_UNITS[unit]: int(amount)})
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"--since {text!r} is neither a time like 2026-11-29T08:00 nor a "
                        "duration like 30m, 2h, 3d or 1w") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def sample_key(span_id: str, seed: int) -> str:
    """A span's position in the seeded sample: the smallest keys are taken.

    Keyed by span id, so the same spans and seed always give the same sample, and new
    traces only enter it when they rank among the smallest keys."""
    return hashlib.sha256(f"{seed}:{span_id}".encode()).hexdigest()


def check_query(phoenix: Phoenix, project: str, query: str) -> None:
    """Raise UserError when Phoenix rejects ``query`` (syntax or an unknown construct)."""
    _fetch_page(phoenix, project, query, start=None, end=None, limit=1)


def root_spans(phoenix: Phoenix, project: str, span_filter: SpanFilter | None = None, *,
               page_size: int = PAGE_SIZE,
               on_page: Callable[[int], None] | None = None) -> list[RootSpan]:
    """The project's root agent spans that pass ``span_filter``, newest first.

    Two steps, because Phoenix only orders spans by time when every column is asked for
    (which is slow): first the start time of every matching span (one light request), then
    the columns a RootSpan needs, in time windows of about ``page_size`` spans, only for
    windows that hold a chosen span. ``on_page(n)`` is called after each window with the
    number of spans read so far."""
    span_filter = span_filter or SpanFilter()
    if span_filter.query:
        check_query(phoenix, project, span_filter.query)
    condition = ROOT_AGENT_SPANS + (f" and ({span_filter.query})" if span_filter.query else "")
    candidates = _start_times(phoenix, project, condition, span_filter.since)
    candidates = candidates[:span_filter.limit]  # the newest N; a sample is drawn from those
    chosen = {span_id for _, span_id in candidates}
    if span_filter.sample is not None:
        chosen = set(sorted(chosen, key=lambda i: sample_key(i, span_filter.seed))
                     [:span_filter.sample])
    spans: dict[str, RootSpan] = {}
    for first in range(0, len(candidates), page_size):
        window = candidates[first:first + page_size]
        if not chosen.intersection(span_id for _, span_id in window):
            continue
        # Every span starting inside the window's times, ties at its edges included.
        frame = _fetch_page(phoenix, project, condition, start=window[-1][0],
                            end=window[0][0] + timedelta(microseconds=1), limit=UNLIMITED)
        spans.update((span.span_id, span) for span in _to_root_spans(frame)
                     if span.span_id in chosen)
        if on_page:
            on_page(len(spans))
    return sorted(spans.values(), key=_newest_first)


def _start_times(phoenix: Phoenix, project: str, condition: str,
                 since: datetime | None) -> list[tuple[datetime, str]]:
    """(start time, span id) of every span matching ``condition``, newest first."""
    frame = _fetch_page(phoenix, project, condition, start=since, end=None, limit=UNLIMITED,
                        columns=("start_time",))
    if frame.empty:
        return []
    times = [(start.to_pydatetime(), span_id)
             for span_id, start in zip(frame.index.tolist(), frame["start_time"].tolist(),
                                       strict=True)]
    return sorted(times, key=lambda t: (-t[0].timestamp(), t[1]))


def _newest_first(span: RootSpan) -> tuple[float, str]:
    return -span.start_time.timestamp(), span.span_id


def existing_root_spans(phoenix: Phoenix, project: str, span_ids: list[str]) -> set[str]:
    """Those of ``span_ids`` that are root agent spans of the project (asked in chunks)."""
    found: set[str] = set()
    for start in range(0, len(span_ids), 500):
        chunk = span_ids[start:start + 500]
        spans = phoenix.client.spans.get_spans(project_identifier=project, span_ids=chunk,
                                       parent_id="null", span_kind="AGENT",
                                       limit=len(chunk), timeout=TIMEOUT)
        found |= {span["context"]["span_id"] for span in spans}
    return found


def require_project(phoenix: Phoenix, project: str) -> None:
    """Raise UserError when the project does not exist yet (no trace was ever sent)."""
    try:
        phoenix.client.projects.get(project_name=project)
    except httpx.HTTPStatusError as error:
        if error.response.status_code == 404:
            raise UserError(f"Phoenix has no project {project!r}: run the agent first "
                            "(`make agent`) or set JUDGE_ALIGN_PROJECT") from None
        raise


def _fetch_page(phoenix: Phoenix, project: str, condition: str, *, start: datetime | None,
                end: datetime | None, limit: int,
                columns: tuple[str, ...] = COLUMNS) -> pd.DataFrame:
    from phoenix.client.types.spans import SpanQuery

    try:
        return phoenix.client.spans.get_spans_dataframe(
            project_identifier=project, query=SpanQuery().select(*columns).where(condition),
            start_time=start, end_time=end, limit=limit, timeout=TIMEOUT)
    except httpx.HTTPStatusError as error:
        if error.response.status_code == 422:
            detail = _detail(error.response)
            raise UserError(f"Phoenix rejected the span query {condition!r}: {detail}. "
                            "Write it like Python, e.g. \"metadata['category'] == 'units'\" "
                            "or \"'rain' in input.value\"") from None
        raise


def _detail(response: httpx.Response) -> str:
    text = response.text.strip()
    with contextlib.suppress(ValueError):
        text = str(response.json().get("detail", text))
    return text.removeprefix("Invalid query: ")


def _to_root_spans(frame: pd.DataFrame) -> list[RootSpan]:
    if frame.empty:
        return []
    columns = set(frame.columns)

    def column(*names: str) -> list[Any]:
        for name in names:
            if name in columns:
                return frame[name].tolist()
        return [None] * len(frame)

    span_ids = (column("context.span_id") if "context.span_id" in columns
                else frame.index.tolist())
    rows = zip(span_ids, column("context.trace_id", "trace_id"),
               column("input.value", "attributes.input.value"),
               column("output.value", "attributes.output.value"),
               column("start_time"), column("metadata", "attributes.metadata"), strict=True)
    return [RootSpan(span_id=span_id, trace_id=trace_id, question=_text(question),
                     answer=_text(answer), start_time=start.to_pydatetime(),
                     metadata=_metadata(metadata))
            for span_id, trace_id, question, answer, start, metadata in rows]


def _metadata(value: Any) -> dict[str, Any]:
    """The ``metadata`` attribute: a JSON string as selected (a dict in full frames)."""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


# --- whole traces (the gold set is kept as files of them) -------------------------------------

def project_spans(phoenix: Phoenix, project: str) -> list[dict[str, Any]]:
    """Every span of ``project`` as the REST API returns it (paged by the client)."""
    return list(phoenix.client.spans.get_spans(project_identifier=project, limit=10**7,
                                               timeout=TIMEOUT))


def root_span_ids(phoenix: Phoenix, project: str) -> set[str]:
    """The ids of the project's root spans (none for a project that does not exist yet)."""
    try:
        found = phoenix.client.spans.get_spans(project_identifier=project, parent_id="null",
                                               limit=10**7, timeout=TIMEOUT)
    except httpx.HTTPStatusError as error:
        if error.response.status_code == 404:
            return set()
        raise
    return {span["context"]["span_id"] for span in found}


class SpansElsewhere(UserError):
    """Spans to upload already exist in another project (span ids are global)."""


def log_spans(phoenix: Phoenix, project: str, spans: list[dict[str, Any]]) -> None:
    """Upload recorded spans into ``project``."""
    from phoenix.client.exceptions import SpanCreationError

    try:
        phoenix.client.spans.log_spans(project_identifier=project, spans=spans, timeout=TIMEOUT)
    except SpanCreationError as error:
        raise SpansElsewhere(
            f"{len(error.duplicate_spans)} spans already exist in another project of this "
            "Phoenix (span ids are unique across projects): delete that project in the "
            "Phoenix UI, or use a fresh Phoenix (another JUDGE_ALIGN_RUN_DIR)") from None


# --- tool records (the judge's evidence) --------------------------------------------------------

def tool_records(phoenix: Phoenix, project: str, trace_ids: set[str],
                 since: datetime | None = None) -> dict[str, list[ToolCall]]:
    """The compact tool record of each trace in ``trace_ids`` (TOOL spans in start order;
    an ERROR status or an ``{"error": ...}`` output marks a failed call). Only spans
    starting at ``since`` or later are read."""
    if not trace_ids:
        return {}
    frame = _fetch_page(phoenix, project, TOOL_SPANS, start=since, end=None, limit=UNLIMITED,
                        columns=TOOL_COLUMNS)
    if frame.empty:
        return {trace_id: [] for trace_id in trace_ids}
    column = {name: frame[name].tolist() if name in frame.columns else [None] * len(frame)
              for name in ("context.trace_id", "trace_id", "name", "input.value",
                           "output.value", "status_code", "status_message", "start_time")}
    traces = column["context.trace_id"] if "context.trace_id" in frame.columns \
        else column["trace_id"]
    rows = sorted(zip(traces, column["start_time"], column["name"], column["input.value"],
                      column["output.value"], column["status_code"], column["status_message"],
                      strict=True), key=lambda row: (str(row[0]), str(row[1])))
    records: dict[str, list[ToolCall]] = {trace_id: [] for trace_id in trace_ids}
    for trace_id, _, name, arguments, output, status, message in rows:
        if trace_id in records:
            error = _text(message) or "the tool failed" if status == "ERROR" else None
            records[trace_id].append(compact_call(_text(name), _text(arguments),
                                                  _text(output), error))
    return records
