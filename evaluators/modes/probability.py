"""``mode: probability``: helpful when P(helpful), read from the label token's
log-probabilities, reaches the header's ``threshold``.

The same call as ``word`` (:mod:`evaluators.modes.word`); when the endpoint gives no
log-probabilities the written label stands. ``align`` fits the threshold on dev rows
(:func:`best_threshold`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from evaluators.chat import RetryPolicy
from evaluators.endpoint import Endpoint
from evaluators.labels import HELPFUL, INVALID, NOT_HELPFUL
from evaluators.modes.base import Candidate, Context, Labeled, Signals, Source, Tools
from evaluators.modes.word import REQUIRED, PromptJudge, label_signals, version_sources
from evaluators.prompt_files import PromptFile, require_placeholders
from evaluators.verdict import Verdict

NAME = "probability"


def by_threshold(label: str, probability: float | None, threshold: float
                 ) -> tuple[str, float | None]:
    """The label P(helpful) gives against ``threshold`` (the written one when unknown)."""
    if probability is not None:
        return (HELPFUL if probability >= threshold else NOT_HELPFUL), probability
    return label, None if label == INVALID else probability


class ThresholdJudge(PromptJudge):
    """The word judge's call, decided by P(helpful) against the version's threshold."""

    def decide(self, question: str, answer: str, tools: Tools, said: Mapping[str, Any]
               ) -> Verdict:
        label, probability = by_threshold(str(said.get("label") or INVALID),
                                          said.get("probability"), self.prompt.threshold)
        return Verdict(label=label, reason=str(said.get("reason") or ""),
                       probability=probability, raw=str(said.get("raw") or ""))


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


def fit_threshold(key: str, rows: Sequence[Signals], labels: Sequence[str]) -> float:
    """The best threshold on the P(helpful) of ``key`` over the rows that have one."""
    known = [(row.probabilities.get(key), label)
             for row, label in zip(rows, labels, strict=True)
             if row.probabilities.get(key) is not None]
    return best_threshold([p for p, _ in known], [lab for _, lab in known]) if known \
        else 0.5


def predict_by_threshold(key: str, row: Signals, threshold: float) -> str:
    return by_threshold(row.labels.get(key, INVALID), row.probabilities.get(key),
                        threshold)[0]


@dataclass(frozen=True)
class FittedThreshold:
    """A version's P(helpful) against a threshold fitted on dev rows."""

    name: str
    source: PromptFile
    threshold: float
    mode: str = NAME

    def predict(self, row: Signals) -> str:
        return predict_by_threshold(self.source.version, row, self.threshold)

    def score(self, row: Signals) -> float | None:
        return row.probabilities.get(self.source.version)

    def header(self) -> dict[str, Any]:
        # Written exactly (a rounded cut can cross the score next to it and flip that row).
        return {"mode": NAME, "threshold": self.threshold}

    def template(self) -> str:
        return self.source.template

    def files(self) -> dict[str, str]:
        return {}

    def describe(self) -> str:
        return f"threshold on P(helpful), fitted on every dev row: {self.threshold:.3f}"


@dataclass(frozen=True)
class ThresholdCandidate:
    """A hand-written version's P(helpful), against a fitted threshold."""

    source: PromptFile
    complexity: float = 1

    @property
    def name(self) -> str:
        return f"{self.source.version} probability"

    def fit(self, rows: Sequence[Signals], labels: Sequence[str]) -> FittedThreshold:
        return FittedThreshold(self.name, self.source,
                               fit_threshold(self.source.version, rows, labels))


class ProbabilityMode:
    name = NAME
    writes_label = True
    output_is_said = False

    def check(self, prompt: PromptFile) -> None:
        require_placeholders(prompt, REQUIRED)

    def judge(self, endpoint: Endpoint, prompt: PromptFile, *,
              retry: RetryPolicy | None = None) -> ThresholdJudge:
        return ThresholdJudge(endpoint, prompt, retry=retry)

    def signals(self, source: Source, said: Mapping[str, Any], row: Labeled) -> Signals:
        return label_signals(source.key, said)

    def sources(self, context: Context) -> list[Source]:
        return version_sources(context)

    def candidates(self, context: Context) -> list[Candidate]:
        return [ThresholdCandidate(version) for version in context.versions]


MODE = ProbabilityMode()
