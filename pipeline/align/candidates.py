"""The ways a judge can score rows, each fitted on labeled rows and applied to others.

Every candidate works from the signals of one row (:class:`Signals`: what a prompt version
said, P(helpful) when known, the checklist's check scores) and is fitted only on the rows it
is given, so cross-validation can hold rows out and the final fit can use every dev row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Protocol

from evaluators.checklist import MODEL, READINGS, WORDING
from evaluators.checks.combine import ANY, Combiner, fit_logistic
from evaluators.labels import HELPFUL, INVALID, NOT_HELPFUL
from evaluators.prompt_files import CHECKLIST, PROBABILITY, WORD

CHECKLIST_SOURCE = "checklist"
"""The signals key of the checklist's check scores."""


@dataclass(frozen=True)
class Signals:
    """What every judge said about one row: by prompt version the label and P(helpful), and
    the checklist's check scores by way of reading the question (model or wording)."""

    labels: Mapping[str, str] = field(default_factory=dict)
    probabilities: Mapping[str, float | None] = field(default_factory=dict)
    checks: Mapping[str, Mapping[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Fitted:
    """A candidate fitted on some rows: what it decides, and what a prompt file records."""

    name: str
    mode: str
    source: str
    threshold: float = 0.5
    combiner: Combiner | None = None
    reading: str = MODEL

    def predict(self, row: Signals) -> str:
        if self.mode == WORD:
            return row.labels.get(self.source, INVALID)
        if self.mode == PROBABILITY:
            p = row.probabilities.get(self.source)
            if p is None:
                return row.labels.get(self.source, INVALID)
            return HELPFUL if p >= self.threshold else NOT_HELPFUL
        assert self.combiner is not None
        return HELPFUL if self.combiner.helpful(row.checks[self.reading]) else NOT_HELPFUL

    def score(self, row: Signals) -> float | None:
        """P(helpful) as this candidate sees it (for AUROC), when it has one."""
        if self.mode == CHECKLIST and self.combiner is not None:
            return self.combiner.probability(row.checks[self.reading])
        return row.probabilities.get(self.source)

    def header(self) -> dict[str, Any]:
        """The prompt-file header fields that reproduce this fit."""
        fields: dict[str, Any] = {"mode": self.mode}
        if self.mode == PROBABILITY:
            fields["threshold"] = round(self.threshold, 4)
        if self.combiner is not None:
            fields.update(reading=self.reading, combiner=self.combiner.kind,
                          threshold=self.combiner.threshold,
                          weights=dict(self.combiner.weights), bias=self.combiner.bias)
        return fields


class Candidate(Protocol):
    name: str
    complexity: int
    """Ties in cross-validated agreement go to the lower complexity."""

    def fit(self, rows: Sequence[Signals], labels: Sequence[str]) -> Fitted: ...


@dataclass(frozen=True)
class WordCandidate:
    """The label the prompt version's model writes: nothing to fit."""

    source: str
    complexity: int = 0

    @property
    def name(self) -> str:
        return f"{self.source} word"

    def fit(self, rows: Sequence[Signals], labels: Sequence[str]) -> Fitted:
        return Fitted(self.name, WORD, self.source)


def best_threshold(scores: Sequence[float], labels: Sequence[str]) -> float:
    """The threshold on P(helpful) that agrees with the most labels (ties: the one nearest
    0.5), from the midpoints between the scores seen."""
    points = sorted(set(scores))
    cuts = [0.5, *((a + b) / 2 for a, b in pairwise(points)),
            points[0] - 1e-9 if points else 0.0, points[-1] + 1e-9 if points else 1.0]

    def agreement(cut: float) -> tuple[int, float]:
        hits = sum((s >= cut) == (label == HELPFUL) for s, label in
                   zip(scores, labels, strict=True))
        return hits, -abs(cut - 0.5)

    return max(cuts, key=agreement)


@dataclass(frozen=True)
class ThresholdCandidate:
    """P(helpful) from the prompt version's label token, against a fitted threshold."""

    source: str
    complexity: int = 1

    @property
    def name(self) -> str:
        return f"{self.source} probability"

    def fit(self, rows: Sequence[Signals], labels: Sequence[str]) -> Fitted:
        pairs = [(row.probabilities.get(self.source), label)
                 for row, label in zip(rows, labels, strict=True)]
        known = [(p, label) for p, label in pairs if p is not None]
        threshold = best_threshold([p for p, _ in known], [lab for _, lab in known]) \
            if known else 0.5
        return Fitted(self.name, PROBABILITY, self.source, threshold=threshold)


def _reading_name(reading: str) -> str:
    return "the model reads the question" if reading == MODEL else "wording only, no model"


@dataclass(frozen=True)
class ChecklistAnyCandidate:
    """The checklist with the rubric's own rule: any failure check makes it not_helpful."""

    reading: str = MODEL

    @property
    def complexity(self) -> int:
        return 0 if self.reading == WORDING else 1  # reading costs a model call a row

    @property
    def name(self) -> str:
        return f"checklist any-rule ({_reading_name(self.reading)})"

    def fit(self, rows: Sequence[Signals], labels: Sequence[str]) -> Fitted:
        return Fitted(self.name, CHECKLIST, CHECKLIST_SOURCE, combiner=Combiner(ANY),
                      reading=self.reading)


@dataclass(frozen=True)
class ChecklistLogisticCandidate:
    """The checklist with weights fitted by regularised logistic regression."""

    reading: str = MODEL
    strength: float = 1.0

    @property
    def complexity(self) -> int:
        return 2 if self.reading == WORDING else 3

    @property
    def name(self) -> str:
        return f"checklist logistic, C={self.strength:g} ({_reading_name(self.reading)})"

    def fit(self, rows: Sequence[Signals], labels: Sequence[str]) -> Fitted:
        return Fitted(self.name, CHECKLIST, CHECKLIST_SOURCE, reading=self.reading,
                      combiner=fit_logistic([row.checks[self.reading] for row in rows],
                                            labels, strength=self.strength))


def candidates_for(versions: Sequence[str]) -> list[Candidate]:
    """Every candidate: each prompt version's word and probability, and the checklist with
    either reading and either combination."""
    found: list[Candidate] = []
    for version in versions:
        found += [WordCandidate(version), ThresholdCandidate(version)]
    for reading in READINGS:
        found += [ChecklistAnyCandidate(reading), ChecklistLogisticCandidate(reading)]
    return found
