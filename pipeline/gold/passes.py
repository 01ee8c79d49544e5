"""The human ceiling: a second, blind labeling pass on a random sample of the gold set,
compared with the first. Where two careful readings of the rubric disagree, no judge can be
expected to agree with both."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from evaluators import metrics
from evaluators.labels import normalize_label
from pipeline.gold.stats import read_label_rows
from pipeline.gold.traces import GOLD_DIR

SECOND_PASS_FILE = GOLD_DIR / "labels-pass2.csv"


def sample(span_ids: list[str], n: int, seed: int) -> list[str]:
    """``n`` of ``span_ids`` in a seeded random order (the same for the same seed)."""
    return sorted(span_ids, key=lambda s: hashlib.sha256(f"{seed}:{s}".encode()).hexdigest())[:n]


@dataclass(frozen=True)
class Disagreement:
    span_id: str
    first: str
    second: str
    first_note: str
    second_note: str


@dataclass(frozen=True)
class PassAgreement:
    """How the second pass compares with the first on the traces both labeled."""

    n: int
    agreement: metrics.Agreement
    disagreements: list[Disagreement]


def compare_passes(first: Path, second: Path = SECOND_PASS_FILE) -> PassAgreement | None:
    """Agreement and Cohen's kappa of the two passes (None without a second pass)."""
    if not second.is_file():
        return None
    one = {r["span_id"]: r for r in read_label_rows(first)}
    two = {r["span_id"]: r for r in read_label_rows(second)}
    common = [s for s in two if s in one]
    if not common:
        return None
    a = [normalize_label(one[s]["label"]) or "" for s in common]
    b = [normalize_label(two[s]["label"]) or "" for s in common]
    return PassAgreement(
        n=len(common), agreement=metrics.agreement(a, b),
        disagreements=[Disagreement(s, x, y, one[s].get("explanation") or "",
                                    two[s].get("explanation") or "")
                       for s, x, y in zip(common, a, b, strict=True) if x != y])
