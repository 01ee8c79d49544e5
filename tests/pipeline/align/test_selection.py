"""Repeated cross-validation, the one-standard-error choice and the learning curve: pure
functions over signals, no server."""

from __future__ import annotations

import random
from pathlib import Path

from evaluators.labels import HELPFUL, NOT_HELPFUL
from evaluators.modes.base import Signals
from evaluators.modes.probability import ThresholdCandidate
from evaluators.modes.word import WordCandidate
from evaluators.prompt_files import PromptFile
from pipeline.align.learning_curve import learning_curve, stratified_subset
from pipeline.align.selection import choose, paired_gap, repeated_cross_validation


def rows_where(right: list[bool], labels: list[str], source: str,
               rows: list[Signals] | None = None) -> list[Signals]:
    """Signals in which ``source`` writes the right label exactly where ``right`` says."""
    flip = {HELPFUL: NOT_HELPFUL, NOT_HELPFUL: HELPFUL}
    rows = rows or [Signals() for _ in labels]
    return [Signals(labels={**row.labels, source: label if ok else flip[label]},
                    probabilities=row.probabilities, checks=row.checks)
            for row, ok, label in zip(rows, right, labels, strict=True)]


LABELS = [HELPFUL, NOT_HELPFUL] * 30


def version(name: str) -> PromptFile:
    return PromptFile(name, "{{question}} {{answer}}", "", Path(f"{name}.txt"))


def test_a_word_candidate_scores_its_own_correctness_in_every_repeat() -> None:
    right = [i % 4 != 0 for i in range(len(LABELS))]  # 75% right
    rows = rows_where(right, LABELS, "v1")
    result = repeated_cross_validation(WordCandidate(version("v1")), rows, LABELS, repeats=3)
    assert result.per_row == [float(ok) for ok in right]
    assert result.match_rate.value == 0.75
    assert result.match_rate.low is not None and result.match_rate.low < 0.75
    assert len(result.repeats) == 3


def test_the_simpler_candidate_wins_within_one_standard_error_not_beyond() -> None:
    rng = random.Random(0)
    base = [rng.random() < 0.8 for _ in LABELS]
    close = [ok or rng.random() < 0.1 for ok in base]  # a little better than base
    rows = rows_where(base, LABELS, "plain")
    rows = rows_where(close, LABELS, "fancy", rows)
    plain = repeated_cross_validation(WordCandidate(version("plain")), rows, LABELS, repeats=2)
    fancy = repeated_cross_validation(WordCandidate(version("fancy"), complexity=3), rows, LABELS,
                                      repeats=2)
    gap, error = paired_gap(fancy, plain)
    assert 0 < gap <= error
    assert choose([fancy, plain]).candidate.name == "plain word"

    perfect = rows_where([True] * len(LABELS), LABELS, "fancy", rows)
    fancy = repeated_cross_validation(WordCandidate(version("fancy"), complexity=3), perfect,
                                      LABELS, repeats=2)
    plain = repeated_cross_validation(WordCandidate(version("plain")), perfect, LABELS, repeats=2)
    gap, error = paired_gap(fancy, plain)
    assert gap > error
    assert choose([plain, fancy]).candidate.name == "fancy word"


def test_subsets_keep_both_labels_and_the_curve_ends_with_every_dev_label() -> None:
    labels = [HELPFUL] * 50 + [NOT_HELPFUL] * 20
    subset = stratified_subset(labels, 10, random.Random(1))
    assert len(subset) == 10 and {labels[i] for i in subset} == {HELPFUL, NOT_HELPFUL}
    tiny = stratified_subset(labels, 3, random.Random(1))
    assert sum(labels[i] == NOT_HELPFUL for i in tiny) >= 2

    # P(helpful) separates the labels at 0.6; small draws find a worse threshold sometimes
    dev = [Signals(probabilities={"v1": (0.7 if label == HELPFUL else 0.5) + i % 7 / 100})
           for i, label in enumerate(labels)]
    held = [Signals(probabilities={"v1": 0.65 if i % 2 else 0.55}) for i in range(20)]
    held_labels = [HELPFUL if i % 2 else NOT_HELPFUL for i in range(20)]
    points = learning_curve(ThresholdCandidate(version("v1")), dev, labels, held, held_labels,
                            sizes=(10, 40, 100), draws=4)
    assert [p.size for p in points] == [10, 40, 70]  # 100 is more than dev holds
    assert [len(p.rates) for p in points] == [4, 4, 1]
    assert points[-1].mean == 1.0
    assert all(0.0 <= p.low <= p.mean <= p.high <= 1.0 for p in points)
