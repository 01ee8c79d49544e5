"""Read a project's root spans (one per question answered) from Phoenix.

A root span is a span without a parent, of any OpenInference kind (AGENT, CHAIN, LLM, ...);
its question and answer are read by :mod:`pipeline.phoenix.span_text`. The filters are a
time window, a limit (the newest N), a seeded random sample and a Phoenix span query. Only
the columns a :class:`RootSpan` needs are asked for (``SpanQuery.select``): Phoenix then
answers about six times faster than with every column (measured for
``bench/bench_dataset.py``). Spans come in time windows of about ``page_size`` spans, so a
project with tens of thousands of traces is read with bounded requests and a progress bar.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from evaluators.evidence import ToolCall, compact_call
from pipeline.errors import UserError
from pipeline.phoenix import messages
from pipeline.phoenix.attributes import unflatten
from pipeline.phoenix.span_text import SpanText

if TYPE_CHECKING:
    import pandas as pd

    from pipeline.phoenix.connection import Phoenix

ROOT_SPANS = "parent_id is None"
COLUMNS = ("span_id", "trace_id", "span_kind", "metadata", "start_time", "status_code",
           "status_message")
"""What a RootSpan is made of besides the attributes its readers need
(:meth:`SpanText.columns`); the frame comes back indexed by ``context.span_id``."""
TOOL_SPANS = "span_kind == 'TOOL'"
TOOL_COLUMNS = ("trace_id", "name", "input.value", "output.value", "status_code",
                "status_message", "start_time")
LLM_CHILD_SPANS = "span_kind == 'LLM' and parent_id is not None"
MESSAGE_COLUMNS = ("trace_id", "start_time", "llm.input_messages", "llm.output_messages")
TRACES_PER_QUERY = 200
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
        return ", ".join(p for p in parts if p) or "all root spans"


@dataclass(frozen=True)
class RootSpan:
    """One question the app answered, as recorded in its root span: the question and the
    answer its readers found ("" when not found, then ``problem`` says why and which option
    reads it), the readers that found them, and the span's own messages about tools (an LLM
    root's tool calls and results)."""

    span_id: str
    trace_id: str
    question: str
    answer: str
    start_time: datetime
    metadata: dict[str, Any] = field(default_factory=dict)
    kind: str = ""
    problem: str = ""
    missing: str = ""
    """``question`` or ``answer``: the side no reader found text for ("" when both read)."""
    read_by: tuple[str, str] = ("", "")
    tool_messages: tuple[messages.Message, ...] = ()

    @property
    def category(self) -> str | None:
        value = self.metadata.get("category")
        return None if value is None else str(value)

    @property
    def readable(self) -> bool:
        """Both a question and an answer were read."""
        return bool(self.question and self.answer)


@dataclass(frozen=True)
class Unreadable:
    """The root spans left out because no question or no answer was read in them."""

    spans: tuple[RootSpan, ...] = ()

    @classmethod
    def among(cls, spans: list[RootSpan]) -> Unreadable:
        return cls(tuple(span for span in spans if not span.readable))

    def __len__(self) -> int:
        return len(self.spans)

    def describe(self) -> str:
        """How many and why: ``2 without an answer, 1 without a question``."""
        counts = Counter(span.missing or "answer" for span in self.spans)
        return ", ".join(f"{counts[side]} without {article} {side}"
                         for side, article in (("answer", "an"), ("question", "a"))
                         if counts[side])

    def reasons(self, most: int = 5) -> list[str]:
        """One line per reason (the first ``most``), naming its span, or its first span and
        how many more share it; then how many spans have other reasons."""
        by_reason: dict[str, list[RootSpan]] = {}
        for span in self.spans:
            by_reason.setdefault(span.problem, []).append(span)
        lines = [f"span {spans[0].span_id}"
                 + (f" and {len(spans) - 1} more" if len(spans) > 1 else "") + f": {problem}"
                 for problem, spans in list(by_reason.items())[:most]]
        if rest := sum(len(spans) for spans in list(by_reason.values())[most:]):
            lines.append(f"... and {rest} more spans with other reasons")
        return lines


def read_by(spans: list[RootSpan]) -> str:
    """Which readers found the texts: ``question: messages 3, text 1; answer: ...``."""
    sides = []
    for index, side in enumerate(("question", "answer")):
        counts = Counter(span.read_by[index] for span in spans if span.readable)
        if counts:
            sides.append(f"{side}: " + ", ".join(f"{name} {n}"
                                                 for name, n in counts.most_common()))
    return "; ".join(sides)


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
    _fetch_page(phoenix, project, query, start=None, end=None, limit=1, columns=("span_id",))


def root_spans(phoenix: Phoenix, project: str, span_filter: SpanFilter | None = None, *,
               text: SpanText | None = None, page_size: int = PAGE_SIZE,
               on_page: Callable[[int], None] | None = None) -> list[RootSpan]:
    """The project's root spans that pass ``span_filter``, newest first, their question
    and answer read by ``text`` (default: :class:`SpanText`'s readers).

    Two steps, because Phoenix only orders spans by time when every column is asked for
    (which is slow): first the start time of every matching span (one light request), then
    the columns a RootSpan needs, in time windows of about ``page_size`` spans, only for
    windows that hold a chosen span. ``on_page(n)`` is called after each window with the
    number of spans read so far."""
    span_filter = span_filter or SpanFilter()
    text = text or SpanText()
    if span_filter.query:
        check_query(phoenix, project, span_filter.query)
    condition = ROOT_SPANS + (f" and ({span_filter.query})" if span_filter.query else "")
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
                            end=window[0][0] + timedelta(microseconds=1), limit=UNLIMITED,
                            columns=(*COLUMNS, *text.columns()))
        spans.update((span.span_id, span) for span in _to_root_spans(frame, text)
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
    """Those of ``span_ids`` that are root spans of the project (asked in chunks)."""
    found: set[str] = set()
    for start in range(0, len(span_ids), 500):
        chunk = span_ids[start:start + 500]
        spans = phoenix.client.spans.get_spans(project_identifier=project, span_ids=chunk,
                                               parent_id="null", limit=len(chunk),
                                               timeout=TIMEOUT)
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
                end: datetime | None, limit: int, columns: tuple[str, ...]) -> pd.DataFrame:
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


def _column(frame: pd.DataFrame, *names: str) -> list[Any]:
    """The first of ``names`` that the frame has, as a list (Nones when it has none)."""
    for name in names:
        if name in frame.columns:
            return frame[name].tolist()
    return [None] * len(frame)


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and value != value)


def _to_root_spans(frame: pd.DataFrame, text: SpanText) -> list[RootSpan]:
    if frame.empty:
        return []
    span_ids = (_column(frame, "context.span_id") if "context.span_id" in frame.columns
                else frame.index.tolist())
    attribute_columns = {name: _column(frame, name, f"attributes.{name}")
                         for name in text.columns()}
    rows = zip(span_ids, _column(frame, "context.trace_id", "trace_id"),
               _column(frame, "span_kind"), _column(frame, "start_time"),
               _column(frame, "metadata", "attributes.metadata"),
               _column(frame, "status_code"), _column(frame, "status_message"), strict=True)
    found = []
    for row, (span_id, trace_id, kind, start, metadata, status, message) in enumerate(rows):
        attributes = unflatten({name: values[row] for name, values in attribute_columns.items()
                                if _present(values[row])})
        reading = text.read(attributes)
        problem = reading.reason
        if problem and status == "ERROR":
            problem += f" (the span ended in an error: {_text(message) or 'no message'})"
        found.append(RootSpan(
            span_id=span_id, trace_id=trace_id, question=reading.question,
            answer=reading.answer, start_time=start.to_pydatetime(),
            metadata=_metadata(metadata), kind=_text(kind), problem=problem,
            missing=reading.missing or "", read_by=reading.read_by,
            tool_messages=messages.tool_messages(attributes)))
    return found


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

def tool_records(phoenix: Phoenix, project: str, roots: list[RootSpan]
                 ) -> dict[str, list[ToolCall]]:
    """The compact tool record of each root's trace: its TOOL spans in start order (an
    ERROR status or an ``{"error": ...}`` output marks a failed call); for a trace without
    TOOL spans, the tool calls its LLM spans asked for, with the results the tool messages
    brought (:func:`pipeline.phoenix.messages.tool_record`). Only spans starting with the
    earliest root or later are read."""
    if not roots:
        return {}
    since = min(root.start_time for root in roots)
    records = _tool_spans(phoenix, project, {root.trace_id for root in roots}, since)
    without = [root for root in roots if root.trace_id not in records]
    child_messages = _llm_messages(phoenix, project, {root.trace_id for root in without},
                                   since)
    for root in without:
        records[root.trace_id] = messages.tool_record(
            [*root.tool_messages, *child_messages.get(root.trace_id, [])])
    return records


def _tool_spans(phoenix: Phoenix, project: str, trace_ids: set[str], since: datetime
                ) -> dict[str, list[ToolCall]]:
    """The calls of the TOOL spans of ``trace_ids``, for the traces that have any."""
    frame = _fetch_page(phoenix, project, TOOL_SPANS, start=since, end=None, limit=UNLIMITED,
                        columns=TOOL_COLUMNS)
    if frame.empty:
        return {}
    rows = sorted(zip(_column(frame, "context.trace_id", "trace_id"),
                      _column(frame, "start_time"), _column(frame, "name"),
                      _column(frame, "input.value"), _column(frame, "output.value"),
                      _column(frame, "status_code"), _column(frame, "status_message"),
                      strict=True), key=lambda row: (str(row[0]), str(row[1])))
    records: dict[str, list[ToolCall]] = {}
    for trace_id, _, name, arguments, output, status, message in rows:
        if trace_id in trace_ids:
            error = _text(message) or "the tool failed" if status == "ERROR" else None
            records.setdefault(trace_id, []).append(
                compact_call(_text(name), _text(arguments), _text(output), error))
    return records


def _llm_messages(phoenix: Phoenix, project: str, trace_ids: set[str], since: datetime
                  ) -> dict[str, list[messages.Message]]:
    """The messages about tools of the LLM spans below the roots of ``trace_ids``, by trace,
    in start order. A light request first finds the traces that have such spans; only
    those are read, ``TRACES_PER_QUERY`` traces a request."""
    if not trace_ids:
        return {}
    light = _fetch_page(phoenix, project, LLM_CHILD_SPANS, start=since, end=None,
                        limit=UNLIMITED, columns=("trace_id",))
    wanted = sorted(trace_ids & set(_column(light, "context.trace_id", "trace_id")))
    found: dict[str, list[tuple[str, messages.Message]]] = {}
    for first in range(0, len(wanted), TRACES_PER_QUERY):
        chunk = wanted[first:first + TRACES_PER_QUERY]
        frame = _fetch_page(phoenix, project, f"{LLM_CHILD_SPANS} and trace_id in {chunk!r}",
                            start=since, end=None, limit=UNLIMITED, columns=MESSAGE_COLUMNS)
        if frame.empty:
            continue
        for trace_id, start, asked, replied in zip(
                _column(frame, "context.trace_id", "trace_id"), _column(frame, "start_time"),
                _column(frame, "llm.input_messages"), _column(frame, "llm.output_messages"),
                strict=True):
            attributes = unflatten({"llm.input_messages": asked, "llm.output_messages": replied})
            found.setdefault(trace_id, []).extend(
                (str(start), message) for message in messages.tool_messages(attributes))
    return {trace_id: [message for _, message in sorted(items, key=lambda item: item[0])]
            for trace_id, items in found.items()}
