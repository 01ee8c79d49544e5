"""How many labels a judge needs: the chosen form refitted on growing seeded subsets of the
dev labels, each fit scored on rows it never saw (the test split, read after the choice).

Subsets keep the dev split's share of each label (at least two of each), and each size is
drawn several times, so a point shows the spread a team would see with that many labels."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean

from evaluators import metrics
from evaluators.labels import HUMAN_LABELS
from evaluators.modes.base import Candidate, Signals

SIZES = (10, 20, 40, 80)
DRAWS = 5
MIN_PER_LABEL = 2


@dataclass(frozen=True)
class Point:
    """Agreement on the held-out rows of fits on ``size`` dev labels, one per draw."""

    size: int
    rates: tuple[float, ...]

    @property
    def mean(self) -> float:
        return fmean(self.rates)

    @property
    def low(self) -> float:
        return min(self.rates)

    @property
    def high(self) -> float:
        return max(self.rates)


def stratified_subset(labels: Sequence[str], size: int, rng: random.Random) -> list[int]:
    """``size`` row indices keeping each label's share, at least :data:`MIN_PER_LABEL` each."""
    picked: list[int] = []
    for label in HUMAN_LABELS:
        members = [i for i, x in enumerate(labels) if x == label]
        share = round(size * len(members) / len(labels))
        want = min(len(members), max(MIN_PER_LABEL, share))
        picked += rng.sample(members, want)
    return sorted(picked)


def learning_curve(candidate: Candidate, dev: Sequence[Signals], dev_labels: Sequence[str],
                   held_out: Sequence[Signals], held_out_labels: Sequence[str], *,
                   sizes: Sequence[int] = SIZES, draws: int = DRAWS, seed: int = 0
                   ) -> list[Point]:
    """A point for each size below the dev split's, and one for every dev label."""
    points = []
    for size in [s for s in sizes if s < len(dev)]:
        rates = []
        for draw in range(draws):
            rows = stratified_subset(dev_labels, size, random.Random(f"{seed}:{size}:{draw}"))
            fitted = candidate.fit([dev[i] for i in rows], [dev_labels[i] for i in rows])
            rates.append(metrics.match_rate(list(held_out_labels),
                                            [fitted.predict(row) for row in held_out]))
        points.append(Point(size, tuple(rates)))
    fitted = candidate.fit(list(dev), list(dev_labels))
    points.append(Point(len(dev), (metrics.match_rate(
        list(held_out_labels), [fitted.predict(row) for row in held_out]),)))
    return points
