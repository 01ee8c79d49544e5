"""``judge-align labels``: copy the human labels from the spans into the dataset.

Each example linked to a span gets that span's current HUMAN ``helpfulness`` label as its
expected output. Changed examples are patched in place (same example id, same span link) as
one new dataset version; with nothing changed no version is added. A label already in the
dataset is never erased: an example whose span has no human label (any more) keeps it.
Examples without a span (an imported gold set) keep their labels as they are. Phoenix's
``dev`` and ``test`` dataset splits are put right where they differ from the examples'
metadata (:mod:`pipeline.dataset.phoenix_splits`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from evaluators.labels import HUMAN_LABELS
from pipeline.dataset.phoenix_splits import sync_splits
from pipeline.dataset.splits import SPLITS
from pipeline.phoenix import annotations, datasets

if TYPE_CHECKING:
    from pipeline.phoenix.connection import Phoenix

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
    split_changes: int = 0
    """Examples moved into (or out of) a Phoenix dataset split to match their metadata."""

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


def sync(phoenix: Phoenix, name: str, project: str) -> LabelsReport:
    """Write the human labels into the dataset ``name``; report counts and balance."""
    current = datasets.require(phoenix, name)
    linked = {example["id"]: span_id for example in current.examples
              if (span_id := datasets.linked_span_id(example))}
    human = annotations.human_labels(phoenix, project, linked.values())
    changed = []
    final_labels: list[tuple[str, str | None]] = []
    for example in current.examples:
        label = (example.get("output") or {}).get("label")
        span_id = linked.get(example["id"])
        if span_id in human and human[span_id].label != label:
            label = human[span_id].label
            changed.append(_with_label(example, label, span_id))
        final_labels.append(((example.get("metadata") or {}).get("split") or "none", label))
    result = datasets.upload(phoenix, name, changed, current) if changed else current
    split_changes = sync_splits(phoenix, result)
    labeled = [(split, label) for split, label in final_labels if label]
    by_split: dict[str, Counter] = {}
    for split, label in labeled:
        by_split.setdefault(split, Counter())[label] += 1
    balance = Counter(label for _, label in labeled)
    return LabelsReport(name=name, examples=len(final_labels), linked=len(linked),
                        updated=len(changed), labeled=len(labeled),
                        unlabeled=len(final_labels) - len(labeled),
                        balance={label: balance.get(label, 0) for label in HUMAN_LABELS},
                        by_split=by_split, new_version=bool(changed),
                        url=phoenix.dataset_url(result.id), split_changes=split_changes)


def _with_label(example: Any, label: str, span_id: str) -> dict[str, Any]:
    metadata = dict(example.get("metadata") or {})
    patched = {"id": example["id"], "span_id": span_id, "input": dict(example["input"]),
               "output": {**dict(example.get("output") or {}), "label": label},
               "metadata": metadata}
    if metadata.get("split") in SPLITS:
        patched["splits"] = metadata["split"]
    return patched
