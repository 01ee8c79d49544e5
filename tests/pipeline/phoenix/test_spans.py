"""Span selection that needs no server: ``--since`` times and the seeded sample order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.errors import UserError
from pipeline.phoenix import spans


def test_since_accepts_iso_and_relative_times() -> None:
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    assert spans.parse_since("2h", now) == now - timedelta(hours=2)
    assert spans.parse_since("3d", now) == now - timedelta(days=3)
    assert spans.parse_since("45m", now) == now - timedelta(minutes=45)
    assert spans.parse_since("2026-11-29T08:00", now) == datetime(2026, 11, 29, 8, tzinfo=UTC)
    assert spans.parse_since("2026-11-29T08:00+01:00", now).utcoffset() == timedelta(hours=1)
    with pytest.raises(UserError, match="30m, 2h"):
        spans.parse_since("yesterday", now)


def test_the_sample_order_is_fixed_by_seed_and_span_id() -> None:
    ids = [f"{i:016x}" for i in range(50)]
    first = sorted(ids, key=lambda i: spans.sample_key(i, 1))
    assert first == sorted(reversed(ids), key=lambda i: spans.sample_key(i, 1))
    assert first != sorted(ids, key=lambda i: spans.sample_key(i, 2))


@pytest.mark.parametrize(("name", "value"), [("limit", 0), ("sample", -1)])
def test_a_filter_below_one_is_refused(name: str, value: int) -> None:
    with pytest.raises(UserError, match=f"--{name} must be at least 1"):
        spans.SpanFilter(**{name: value})


def unreadable(span_id: str, missing: str, problem: str) -> spans.RootSpan:
    return spans.RootSpan(span_id=span_id, trace_id="t", question="", answer="",
                          start_time=datetime(2026, 12, 1, tzinfo=UTC), missing=missing,
                          problem=f"no {missing}: {problem}")


def test_skipped_spans_are_counted_by_side_and_grouped_by_reason() -> None:
    read = spans.RootSpan(span_id="ok", trace_id="t", question="Q?", answer="A.",
                          start_time=datetime(2026, 12, 1, tzinfo=UTC))
    found = [read, unreadable("a1", "answer", "no output.value"),
             unreadable("a2", "answer", "no output.value"),
             *(unreadable(f"q{i}", "question", f"keys {i}") for i in range(6))]
    skipped = spans.Unreadable.among(found)
    assert len(skipped) == 8 and read not in skipped.spans
    assert skipped.describe() == "2 without an answer, 6 without a question"
    lines = skipped.reasons(most=3)
    assert lines[0] == "span a1 and 1 more: no answer: no output.value"
    assert lines[1] == "span q0: no question: keys 0"
    assert lines[-1] == "... and 4 more spans with other reasons"
    assert len(lines) == 4
