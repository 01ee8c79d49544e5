"""The final run's one read of rows ``align`` never fitted on: the dataset's test split and
any external sets (labeled examples written elsewhere, only ever read here).

Every source the candidates use is asked about those rows (answers already stored by a
matching experiment are copied, the rest asked once and cached like the dev rows'), then
every candidate, fitted on all dev rows, is scored on each held-out set. Nothing here
feeds back into the choice: it was made before these rows were fetched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from evaluators import metrics
from evaluators.chat import RetryPolicy
from evaluators.endpoint import Endpoint
from evaluators.modes.base import Signals, Source
from pipeline.align.reuse import prefill
from pipeline.align.selection import CrossValidated
from pipeline.align.signals import Cache, collect
from pipeline.dataset.examples import LabeledDataset
from pipeline.phoenix.connection import Phoenix
from pipeline.phoenix.prompts import PROMPT_NAME
from pipeline.progress import SILENT, Progress

TEST_SET = "gold test"


@dataclass(frozen=True)
class HeldOutSet:
    """Rows of one held-out set: their labels and what every source said about them."""

    name: str
    data: LabeledDataset
    rows: tuple[Signals, ...]
    reused: int = 0

    @property
    def labels(self) -> list[str]:
        return [example.label for example in self.data.examples]


@dataclass(frozen=True)
class CandidateFigures:
    """One candidate: its repeated cross-validation on dev, and its fit on every dev row
    scored on each held-out set."""

    dev: CrossValidated
    held_out: dict[str, metrics.Agreement]


def gather(phoenix: Phoenix, endpoint: Endpoint, name: str, data: LabeledDataset,
           sources: Sequence[Source], cache: Cache, *, retry: RetryPolicy | None = None,
           prompt_name: str = PROMPT_NAME, progress: Progress = SILENT) -> HeldOutSet:
    """What every source says about the rows of ``data``."""
    reused = prefill(phoenix, cache, sources, endpoint, data, prompt_name=prompt_name)
    rows = collect(sources, endpoint, data.examples, cache, retry=retry, progress=progress,
                   rows_named=f"rows of {name}")
    return HeldOutSet(name, data, tuple(rows), reused)


def score(results: Sequence[CrossValidated], dev: Sequence[Signals], dev_labels: Sequence[str],
          held_out: Sequence[HeldOutSet]) -> list[CandidateFigures]:
    """Every candidate fitted on all dev rows, scored on every held-out set."""
    figures = []
    for result in results:
        fitted = result.candidate.fit(list(dev), list(dev_labels))
        figures.append(CandidateFigures(result, {
            held.name: metrics.agreement(held.labels, [fitted.predict(r) for r in held.rows])
            for held in held_out}))
    return figures
