"""The gold set's dev/test split: stratified by label and question category, fixed by a
seed, and kept beside the labels in ``gold/splits.csv`` (``span_id,split``), so the split
never moves unless the set changes and a test can check the file against the rule."""

from __future__ import annotations

import csv
from pathlib import Path

from pipeline.dataset.splits import stratified_split
from pipeline.gold.files import DEMO, GoldFiles
from pipeline.gold.label_rows import read_labels
from pipeline.gold.traces import read_traces

SEED = 0


def compute_splits(files: GoldFiles = DEMO, seed: int = SEED) -> dict[str, str]:
    """The split of every labeled gold trace, stratified by (label, category)."""
    categories = {t["root_span_id"]: t.get("category") or "" for t in read_traces(files.traces)}
    labels = read_labels(files.labels)
    return stratified_split(((span_id, f"{label}|{categories.get(span_id, '')}")
                             for span_id, label in labels.items()), seed=seed)


def write_splits(splits: dict[str, str], path: Path) -> Path:
    """Write ``span_id,split`` rows in the labels file's order."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["span_id", "split"])
        writer.writerows(splits.items())
    return path


def read_splits(path: Path) -> dict[str, str]:
    """``{span_id: split}`` from the splits file (empty when there is none)."""
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["span_id"]: row["split"] for row in csv.DictReader(handle)}
