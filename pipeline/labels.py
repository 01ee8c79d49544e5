"""``judge-align labels``: copy the human labels from the spans into the dataset.

Each example linked to a span gets that span's current HUMAN ``helpfulness`` label as its
expected output. Changed examples are patched in place (same example id, same span link) as
one new dataset version; with nothing changed no version is added. A label already in the
dataset is never erased: an example whose span has no human label (any more) keeps it.
Examples without a span (an imported gold set) keep their labels as they are.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline import annotations, dataset
from pipeline.connection import dataset_url
from pipeline.settings import Settings

if TYPE_CHECKING:
    from phoenix.client import Client
    from rich.console import Console

MINORITY_WARNING = 0.20


@dataclass(frozen=True)
class LabelsReport:
    name: str
    examples: int
    linked: int
    updated: int
    labeled: int
    unlabeled: int
    balance: dict[str, int]
    by_split: dict[str, Counter] = field(default_factory=dict)
    new_version: bool = False
    url: str = ""

    def warnings(self) -> list[str]:
        """A line for each label under 20% of the labeled examples (and for no labels)."""
        if not self.labeled:
            return ["no example has a label yet: label spans with `make annotate` (or in the "
                    "Phoenix UI), then run `make labels` again"]
        return [f"only {count} of {self.labeled} labels ({count / self.labeled:.0%}) are "
                f"{label}: the judge's agreement will say little about that class; label "
                f"more {label} examples (`make suggest-labels` can find candidates)"
                for label, count in self.balance.items()
                if count / self.labeled < MINORITY_WARNING]


def sync(client: Client, settings: Settings, name: str, project: str) -> LabelsReport:
    """Write the human labels into the dataset ``name``; report counts and balance."""
    current = dataset.require(client, name)
    linked = {example["id"]: span_id for example in current.examples
              if (span_id := dataset.linked_span_id(example))}
    human = annotations.human_labels(client, project, linked.values())
    changed = []
    final_labels: list[tuple[str, str | None]] = []
    for example in current.examples:
        label = (example.get("output") or {}).get("label")
        span_id = linked.get(example["id"])
        if span_id in human and human[span_id].label != label:
            label = human[span_id].label
            changed.append(_with_label(example, label, span_id))
        final_labels.append(((example.get("metadata") or {}).get("split") or "none", label))
    result = dataset.upload(client, name, changed, current) if changed else current
    labeled = [(split, label) for split, label in final_labels if label]
    by_split: dict[str, Counter] = {}
    for split, label in labeled:
        by_split.setdefault(split, Counter())[label] += 1
    balance = Counter(label for _, label in labeled)
    return LabelsReport(name=name, examples=len(final_labels), linked=len(linked),
                        updated=len(changed), labeled=len(labeled),
                        unlabeled=len(final_labels) - len(labeled),
                        balance={label: balance.get(label, 0) for label in annotations.LABELS},
                        by_split=by_split, new_version=bool(changed),
                        url=dataset_url(settings, result.id))


def _with_label(example: Any, label: str, span_id: str) -> dict[str, Any]:
    metadata = dict(example.get("metadata") or {})
    patched = {"id": example["id"], "span_id": span_id, "input": dict(example["input"]),
               "output": {**dict(example.get("output") or {}), "label": label},
               "metadata": metadata}
    if metadata.get("split") in dataset.SPLITS:
        patched["splits"] = metadata["split"]
    return patched


def print_report(report: LabelsReport, console: Console) -> None:
    from rich.table import Table

    table = Table(title=f"labels in dataset {report.name}")
    table.add_column("label")
    for split in sorted(report.by_split):
        table.add_column(split, justify="right")
    table.add_column("all", justify="right")
    table.add_column("share", justify="right")
    for label, count in report.balance.items():
        share = f"{count / report.labeled:.0%}" if report.labeled else "-"
        table.add_row(label, *[str(report.by_split[s][label]) for s in sorted(report.by_split)],
                      str(count), share)
    console.print(table)
    console.print(f"{report.examples} examples: {report.labeled} labeled, "
                  f"{report.unlabeled} still without a label")
    if report.new_version:
        console.print(f"copied {report.updated} new or changed human labels into the dataset "
                      "(a new dataset version)")
    else:
        console.print("the dataset already has every human label (no new version)")
    for warning in report.warnings():
        console.print(f"[yellow]warning:[/] {warning}")
    console.print(f"Phoenix: {report.url}")
