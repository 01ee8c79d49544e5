"""The labeled dataset in Phoenix: one example per root agent span.

Example layout (the shared contract): input ``{"question", "answer"}``, output
``{"label": None | "helpful" | "not_helpful"}``, metadata ``{"trace_id", "category",
"split", "span_id", "model"}``, linked to its source span. The example id is the span id, so
Phoenix itself matches a span to its example: re-running never duplicates, and label updates
patch the same example (same id, same span link) in a new dataset version.

The split is fixed and seeded: ``split_for`` hashes the span id (sha256 of
``"judge-align-split-v1:<span id>"``); the first 32 bits below 70% of their range give
``dev``, the rest ``test``. It never changes for a span, whatever else is in the dataset.
Each example also belongs to the Phoenix dataset split of that name.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline import annotations, spans
from pipeline.connection import dataset_url
from pipeline.errors import UserError
from pipeline.settings import Settings

if TYPE_CHECKING:
    from phoenix.client import Client
    from phoenix.client.resources.datasets import Dataset
    from rich.console import Console

SPLIT_SEED = "judge-align-split-v1"
DEV_SHARE = 0.70
SPLITS = ("dev", "test")
TIMEOUT = 300  # seconds: uploading thousands of examples takes a while


def split_for(key: str) -> str:
    """``dev`` for about 70% of keys and ``test`` for the rest, fixed per key (a span id)."""
    digest = hashlib.sha256(f"{SPLIT_SEED}:{key}".encode()).digest()
    return "dev" if int.from_bytes(digest[:4], "big") < DEV_SHARE * 2**32 else "test"


def example_for_span(span: spans.RootSpan, label: str | None) -> dict[str, Any]:
    """The dataset example of one root span (``label`` from its human annotation, if any)."""
    split = split_for(span.span_id)
    metadata = {"trace_id": span.trace_id, "category": span.category, "split": split,
                "span_id": span.span_id}
    if span.metadata.get("model") is not None:
        metadata["model"] = span.metadata["model"]
    return {"id": span.span_id, "span_id": span.span_id,
            "input": {"question": span.question, "answer": span.answer},
            "output": {"label": label}, "metadata": metadata, "splits": split}


def load(client: Client, name: str) -> Dataset | None:
    """The latest version of the dataset ``name``, or None when there is none yet."""
    try:
        return client.datasets.get_dataset(dataset=name, timeout=TIMEOUT)
    except ValueError as error:
        if "not found" in str(error).lower():
            return None
        raise


def require(client: Client, name: str) -> Dataset:
    """The dataset ``name``, or a UserError saying how to make it."""
    dataset = load(client, name)
    if dataset is None:
        raise UserError(f"Phoenix has no dataset {name!r}: build it with `make dataset` "
                        "(or import one with `judge-align dataset import FILE`)")
    return dataset


def upload(client: Client, name: str, examples: list[dict[str, Any]],
           existing: Dataset | None) -> Dataset:
    """Create the dataset with ``examples``, or append/patch them (matched by example id)
    as one new version of ``existing``."""
    if existing is None:
        return client.datasets.create_dataset(
            name=name, examples=examples, timeout=TIMEOUT,
            dataset_description="Agent answers with human helpfulness labels (judge-align)")
    return client.datasets.add_examples_to_dataset(dataset=existing.id, examples=examples,
                                                   timeout=TIMEOUT)


def linked_span_id(example: Any) -> str | None:
    """The span an example was made from (its Phoenix source link), if it still exists."""
    source = example.get("source") or {}
    return source.get("span_id")


def known_span_ids(dataset: Dataset | None) -> set[str]:
    """Span ids already in the dataset, by source link or example id."""
    if dataset is None:
        return set()
    found = set()
    for example in dataset.examples:
        found.add(example["id"])
        if span_id := linked_span_id(example) or (example.get("metadata") or {}).get("span_id"):
            found.add(span_id)
    return found


@dataclass(frozen=True)
class BuildReport:
    name: str
    filter: str
    matched: int
    without_answer: int
    added: int
    added_labeled: int
    total: int
    splits: dict[str, int]
    new_version: bool
    url: str


def build(client: Client, settings: Settings, name: str, project: str,
          span_filter: spans.SpanFilter | None = None,
          on_page: Callable[[int], None] | None = None) -> BuildReport:
    """Add the project's root agent spans that pass ``span_filter`` and are not in the
    dataset yet; no new span means no new version. Failed runs (no answer) are left out."""
    span_filter = span_filter or spans.SpanFilter()
    spans.require_project(client, project)
    matching = spans.root_spans(client, project, span_filter, on_page=on_page)
    found = [span for span in matching if span.answer]
    existing = load(client, name)
    known = known_span_ids(existing)
    new = [span for span in found if span.span_id not in known]
    dataset = existing
    labels: dict[str, annotations.HumanLabel] = {}
    if new:
        labels = annotations.human_labels(client, project, [span.span_id for span in new])
        examples = [example_for_span(span, labels[span.span_id].label
                                     if span.span_id in labels else None)
                    for span in sorted(new, key=lambda s: (s.start_time, s.span_id))]
        dataset = upload(client, name, examples, existing)
    if dataset is None:
        raise UserError(f"no root agent spans in project {project!r} match "
                        f"({span_filter.describe()}): run the agent (`make agent`) or loosen "
                        "the filters")
    splits = Counter((example.get("metadata") or {}).get("split") for example in dataset.examples)
    return BuildReport(name=name, filter=span_filter.describe(), matched=len(found),
                       without_answer=len(matching) - len(found),
                       added=len(new), added_labeled=len(labels), total=len(dataset.examples),
                       splits={split: splits.get(split, 0) for split in SPLITS},
                       new_version=bool(new), url=dataset_url(settings, dataset.id))


def print_build(report: BuildReport, console: Console) -> None:
    from rich.table import Table

    table = Table(title=f"dataset {report.name}", show_header=False)
    table.add_row("spans matching", f"{report.matched} ({report.filter})")
    if report.without_answer:
        table.add_row("left out", f"{report.without_answer} failed runs without an answer")
    table.add_row("added", f"{report.added} (already labeled: {report.added_labeled})")
    table.add_row("examples", str(report.total))
    table.add_row("split", "  ".join(f"{k} {v}" for k, v in report.splits.items()))
    table.add_row("Phoenix", report.url)
    console.print(table)
    if report.new_version:
        console.print(f"added {report.added} new spans as a new dataset version")
    else:
        console.print("nothing new: every matching span is already in the dataset "
                      "(no new version)")
