"""k-fold cross-validation on the dev rows: how well each candidate agrees with people on
rows it was not fitted on, and the choice of the best."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from evaluators import metrics
from evaluators.modes.base import Candidate, Signals

FOLDS = 5


def folds(labels: Sequence[str], k: int = FOLDS, seed: int = 0) -> list[int]:
    """A fold number for each row, stratified by label and fixed by ``seed``."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        by_label[label].append(index)
    assigned = [0] * len(labels)
    offset = 0
    for label in sorted(by_label):
        rows = sorted(by_label[label], key=lambda i: hashlib.sha256(
            f"{seed}:{label}:{i}".encode()).hexdigest())
        for position, index in enumerate(rows):
            assigned[index] = (position + offset) % k
        offset += len(rows)
    return assigned


@dataclass(frozen=True)
class Score:
    """One candidate's held-out predictions on every dev row, and what they add up to."""

    candidate: Candidate
    predictions: tuple[str, ...]
    agreement: metrics.Agreement

    @property
    def match_rate(self) -> float:
        return self.agreement.match_rate.value


def cross_validate(candidate: Candidate, rows: Sequence[Signals], labels: Sequence[str], *,
                   k: int = FOLDS, seed: int = 0) -> Score:
    """Fit on k-1 folds, predict the held-out fold, for every fold."""
    assignment = folds(labels, k, seed)
    predictions = [""] * len(rows)
    for fold in sorted(set(assignment)):
        train = [i for i, f in enumerate(assignment) if f != fold]
        fitted = candidate.fit([rows[i] for i in train], [labels[i] for i in train])
        for i, f in enumerate(assignment):
            if f == fold:
                predictions[i] = fitted.predict(rows[i])
    return Score(candidate, tuple(predictions), metrics.agreement(list(labels), predictions))


def choose(scores: Sequence[Score]) -> Score:
    """The best agreement on held-out rows; ties go to the simpler candidate, then kappa."""
    return max(scores, key=lambda s: (round(s.match_rate, 9), -s.candidate.complexity,
                                      s.agreement.kappa or 0.0))
