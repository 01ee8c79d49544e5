"""Choosing a judge for generalisation: repeated stratified k-fold cross-validation on the
dev rows, then the simplest candidate that the best one does not beat by more than one
standard error (the paired one-standard-error rule).

A single k-fold split rewards luck: with a few dozen rows, one fold assignment can favour a
candidate by several points. Repeating the split with other seeds and scoring each row by
the share of repeats in which it was judged right gives a steadier figure and a standard
error over rows; a candidate only wins over a simpler one when the gap is larger than the
noise, so the choice leans to forms that have less to overfit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean

from evaluators import metrics
from evaluators.modes.base import Candidate, Signals
from pipeline.align.crossval import FOLDS, cross_validate

REPEATS = 5


@dataclass(frozen=True)
class CrossValidated:
    """One candidate's held-out verdicts on every dev row, over several k-fold splits."""

    candidate: Candidate
    labels: tuple[str, ...]
    predictions: tuple[tuple[str, ...], ...]  # one tuple per repeat, in row order

    @property
    def per_row(self) -> list[float]:
        """For each row, the share of repeats that judged it as the person did."""
        return [fmean(repeat[i] == label for repeat in self.predictions)
                for i, label in enumerate(self.labels)]

    @property
    def match_rate(self) -> metrics.Estimate:
        """Mean held-out agreement, with a bootstrap interval over rows."""
        return metrics.proportion_estimate(self.per_row)

    @property
    def repeats(self) -> list[metrics.Agreement]:
        return [metrics.agreement(list(self.labels), list(p)) for p in self.predictions]

    def mean_of(self, figure: str) -> float | None:
        """The mean over repeats of kappa, tpr or tnr (None when any repeat lacks it)."""
        values = [getattr(a, figure) for a in self.repeats]
        return None if any(v is None for v in values) else fmean(values)


def repeated_cross_validation(candidate: Candidate, rows: Sequence[Signals],
                              labels: Sequence[str], *, k: int = FOLDS,
                              repeats: int = REPEATS, seed: int = 0) -> CrossValidated:
    """``repeats`` stratified k-fold cross-validations, each with its own fold seed."""
    runs = [cross_validate(candidate, rows, labels, k=k, seed=seed + r).predictions
            for r in range(repeats)]
    return CrossValidated(candidate, tuple(labels), tuple(runs))


def paired_gap(best: CrossValidated, other: CrossValidated) -> tuple[float, float]:
    """How much better ``best`` is than ``other`` per row, and the standard error of that."""
    gaps = [b - o for b, o in zip(best.per_row, other.per_row, strict=True)]
    n = len(gaps)
    if n < 2:
        return fmean(gaps), 0.0
    mean = fmean(gaps)
    variance = sum((g - mean) ** 2 for g in gaps) / (n - 1)
    return mean, math.sqrt(variance / n)


def ties_best(best: CrossValidated, other: CrossValidated) -> bool:
    """Whether ``other`` is within one paired standard error of ``best``."""
    gap, error = paired_gap(best, other)
    return gap <= error + 1e-12


def choose(results: Sequence[CrossValidated]) -> CrossValidated:
    """The simplest candidate tied with the best by the one-standard-error rule; among
    equally simple ones, the higher agreement."""
    best = max(results, key=lambda r: (r.match_rate.value, -r.candidate.complexity))
    tied = [r for r in results if ties_best(best, r)]
    return min(tied, key=lambda r: (r.candidate.complexity, -r.match_rate.value))
