"""The human ceiling: a second, blind labeling pass on a seeded sample of the gold set,
compared with the first, and a third reader's rulings where they disagree. Where two
careful readings of the rubric disagree, no judge can be expected to agree with both."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from evaluators import metrics
from evaluators.labels import normalize_label
from pipeline.errors import UserError
from pipeline.gold.files import GoldFiles
from pipeline.gold.label_rows import read_filled, read_rows, write_final, write_rows


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
    ruling: str = ""  # the settled label, when a third reader ruled


@dataclass(frozen=True)
class PassAgreement:
    """How the second pass compares with the first on the traces both labeled."""

    n: int
    agreement: metrics.Agreement
    disagreements: list[Disagreement]

    @property
    def unsettled(self) -> list[Disagreement]:
        return [d for d in self.disagreements if not d.ruling]


def compare_passes(first: Path, second: Path, rulings: Path | None = None
                   ) -> PassAgreement | None:
    """Agreement and Cohen's kappa of two labeling passes (None when they share no trace),
    each disagreement with its ruling when ``rulings`` holds one."""
    one = {r["span_id"]: r for r in read_rows(first)}
    two = {r["span_id"]: r for r in read_rows(second)}
    ruled = {r["span_id"]: r["label"] for r in read_rows(rulings)} if rulings else {}
    common = [s for s in two if s in one]
    if not common:
        return None
    a = [normalize_label(one[s]["label"]) or "" for s in common]
    b = [normalize_label(two[s]["label"]) or "" for s in common]
    return PassAgreement(
        n=len(common), agreement=metrics.agreement(a, b),
        disagreements=[Disagreement(s, x, y, one[s]["explanation"], two[s]["explanation"],
                                    ruled.get(s, ""))
                       for s, x, y in zip(common, a, b, strict=True) if x != y])


def gold_passes(files: GoldFiles) -> PassAgreement | None:
    """The gold set's first and second pass compared, with the rulings."""
    return compare_passes(files.pass1, files.pass2, files.adjudication)


UNCLEAR = "UNCLEAR"
"""What a reader writes in a note where the rubric left them unsure (a third reader rules)."""


def open_cases(files: GoldFiles) -> set[str]:
    """The traces a third reader rules on: where the two passes disagree, and where a
    reader marked the rubric unclear."""
    result = gold_passes(files)
    cases = {d.span_id for d in result.disagreements} if result else set()
    for path in (files.pass1, files.pass2):
        cases |= {r["span_id"] for r in read_rows(path) if UNCLEAR in r["explanation"]}
    return cases


def settle(files: GoldFiles, rulings_file: Path) -> int:
    """Record a third reader's rulings and rewrite the final labels; return how many
    rulings the set now holds. Each ruling must name an open case (:func:`open_cases`); a
    ruling given again replaces the earlier one."""
    new = read_filled(rulings_file, open_cases(files),
                      unknown="not a trace the passes disagree on or marked unclear")
    rulings = {row["span_id"]: row for row in read_rows(files.adjudication)}
    rulings.update((row["span_id"], row) for row in new)
    if not rulings:
        raise UserError(f"{rulings_file}: no ruling to record")
    write_rows(files.adjudication, rulings.values())
    write_final(files)
    return len(rulings)
