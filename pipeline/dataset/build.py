"""``judge-align dataset build``: the project's root spans into a Phoenix dataset.

Only spans not yet in the dataset are added, as one new version (none when nothing is new);
spans that already carry a human label enter with it, and every example carries its trace's
tool record (the judge's evidence). Spans where no question or no answer could be read
(failed runs, shapes the readers do not know) are left out, each with its reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.dataset.examples import example_for_span, with_split
from pipeline.dataset.splits import SPLITS
from pipeline.errors import UserError
from pipeline.phoenix import annotations, datasets, spans
from pipeline.phoenix.span_text import SpanText

if TYPE_CHECKING:
    from pipeline.phoenix.connection import Phoenix


@dataclass(frozen=True)
class BuildReport:
    """What a build found and added."""

    name: str
    filter: str
    matched: int
    skipped: spans.Unreadable
    read_by: str
    added: int
    added_labeled: int
    moved: int
    total: int
    splits: dict[str, int]
    new_version: bool
    url: str


def build(phoenix: Phoenix, name: str, project: str,
          span_filter: spans.SpanFilter | None = None,
          on_page: Callable[[int], None] | None = None,
          splits: Mapping[str, str] | None = None, text: SpanText | None = None
          ) -> BuildReport:
    """Add the project's root spans that pass ``span_filter`` and are not in the dataset
    ``name`` yet, their question and answer read by ``text``; ``on_page(n)`` reports the
    spans read so far. ``splits`` (span id -> dev / test) fixes the split of a finished set
    such as the gold set: examples already stored in another split are moved in the same
    new version."""
    splits = splits or {}
    span_filter = span_filter or spans.SpanFilter()
    spans.require_project(phoenix, project)
    matching = spans.root_spans(phoenix, project, span_filter, text=text, on_page=on_page)
    found = [span for span in matching if span.readable]
    skipped = spans.Unreadable.among(matching)
    existing = datasets.find(phoenix, name)
    known = datasets.known_span_ids(existing)
    new = [span for span in found if span.span_id not in known]
    dataset = existing
    labels: dict[str, annotations.HumanLabel] = {}
    moved = [with_split(e, splits[e["id"]]) for e in (existing.examples if existing else [])
             if e["id"] in splits and (e.get("metadata") or {}).get("split") != splits[e["id"]]]
    examples: list[dict] = []
    if new:
        labels = annotations.human_labels(phoenix, project, [span.span_id for span in new])
        tools = spans.tool_records(phoenix, project, new)
        examples = [example_for_span(span, labels[span.span_id].label
                                     if span.span_id in labels else None,
                                     tools.get(span.trace_id, []), splits.get(span.span_id),
                                     project)
                    for span in sorted(new, key=lambda s: (s.start_time, s.span_id))]
    if examples or moved:
        dataset = datasets.upload(phoenix, name, [*moved, *examples], existing)
    if dataset is None and skipped:
        raise UserError(f"none of the {len(skipped)} root spans of project {project!r} that "
                        f"match ({span_filter.describe()}) gave a question and an answer "
                        f"({skipped.describe()}); the first: {skipped.reasons(1)[0]}")
    if dataset is None:
        raise UserError(f"no root spans in project {project!r} match "
                        f"({span_filter.describe()}): send traces to it (`make agent` for the "
                        "demo agent) or loosen the filters")
    counts = Counter((example.get("metadata") or {}).get("split")
                     for example in dataset.examples)
    return BuildReport(name=name, filter=span_filter.describe(), matched=len(matching),
                       skipped=skipped, read_by=spans.read_by(new),
                       added=len(new), added_labeled=len(labels), moved=len(moved),
                       total=len(dataset.examples),
                       splits={split: counts.get(split, 0) for split in SPLITS},
                       new_version=bool(new or moved), url=phoenix.dataset_url(dataset.id))
