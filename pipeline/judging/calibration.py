"""How far to trust a judge's pass rate: its error rates, measured by its latest experiment.

A judge (prompt version + model) is measured against the human labels of the dataset by
``make experiment``. Its TPR and TNR on those rows turn the raw share of traces it calls
``helpful`` into an estimate of the true share (Rogan-Gladen, see evaluators/metrics.py).
The experiment used is the newest one on the dataset with the same Phoenix prompt version id
and model; an experiment that measured an earlier text of the same tag does not count.

The correction is only as good as that measurement, so a warning says when the experiment is
old (more than 30 days), small (fewer than 30 labeled rows) or below the agreement bar
(match rate under 0.85).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from evaluators import metrics
from pipeline.judging.verdicts import JudgeIdentity
from pipeline.phoenix import datasets
from pipeline.phoenix.experiments import fetch_runs, judge_experiments

if TYPE_CHECKING:
    from pipeline.phoenix.connection import Phoenix

MAX_AGE = timedelta(days=30)
MIN_ROWS = 30
AGREEMENT_BAR = 0.85


@dataclass(frozen=True)
class Calibration:
    """The judge's agreement with the humans, from one experiment's stored runs."""

    experiment_id: str
    experiment_name: str
    created_at: datetime
    human: list[str]
    judge: list[str]

    @property
    def n(self) -> int:
        return len(self.human)

    @property
    def tpr(self) -> float | None:
        return metrics.true_positive_rate(self.human, self.judge)

    @property
    def tnr(self) -> float | None:
        return metrics.true_negative_rate(self.human, self.judge)

    @property
    def match_rate(self) -> float:
        return metrics.match_rate(self.human, self.judge)

    def corrected(self, target: Sequence[str]) -> metrics.Estimate | None:
        """The Rogan-Gladen pass rate of ``target`` (judge outcomes on other rows), with its
        bootstrap interval; None when the judge is no better than chance on these rows."""
        return metrics.corrected_pass_rate(self.human, self.judge, list(target))


@dataclass(frozen=True)
class Lookup:
    """The calibration found, or why there is none (``missing`` says what to run)."""

    calibration: Calibration | None
    missing: str = ""


def find(phoenix: Phoenix, dataset: str, judge: JudgeIdentity, default_model: str) -> Lookup:
    """The newest experiment of ``judge`` on ``dataset`` with at least one labeled run."""
    how = f"run `make experiment PROMPT={judge.prompt_tag}`"
    if judge.model != default_model:
        how += f" with MODEL={judge.model}"
    try:
        dataset_id = datasets.require(phoenix, dataset).id
    except datasets.NoDataset:
        return Lookup(None, f"no dataset {dataset!r} to measure the judge on: build and label "
                            f"it (`make dataset`, `make annotate`, `make labels`), then {how}")
    same_judge = [e for e in judge_experiments(phoenix, dataset_id)
                  if (e.get("metadata") or {}).get("model") == judge.model
                  and (e.get("metadata") or {}).get("prompt_tag") == judge.prompt_tag]
    current = [e for e in same_judge
               if (e.get("metadata") or {}).get("prompt_version_id") == judge.prompt_version_id]
    for experiment in reversed(current):  # newest first
        runs = [r for r in fetch_runs(phoenix, experiment["id"]) if r.human is not None]
        if runs:
            return Lookup(Calibration(
                experiment_id=experiment["id"], experiment_name=experiment.get("name") or "",
                created_at=parse_time(experiment.get("created_at")),
                human=[str(r.human) for r in runs], judge=[r.judge for r in runs]))
    if same_judge:
        return Lookup(None, f"the experiments of {judge.prompt_tag} on {dataset!r} measured an "
                            f"earlier text of that prompt: {how} again")
    return Lookup(None, f"no experiment of {judge.prompt_tag} with {judge.model} on "
                        f"{dataset!r} yet: {how}")


def warnings(calibration: Calibration, now: datetime | None = None) -> list[str]:
    """Why the correction may mislead: an old, small or poorly agreeing experiment."""
    now = now or datetime.now(UTC)
    found = []
    age = now - calibration.created_at
    if age > MAX_AGE:
        found.append(f"the experiment is {age.days} days old (more than {MAX_AGE.days}): the "
                     "traces may have changed since; re-run it")
    if calibration.n < MIN_ROWS:
        found.append(f"the experiment has only {calibration.n} labeled rows (fewer than "
                     f"{MIN_ROWS}): the error rates are rough; label more traces")
    if calibration.match_rate < AGREEMENT_BAR:
        found.append(f"the judge agrees with the humans on {calibration.match_rate:.1%} of "
                     f"rows (below the {AGREEMENT_BAR:.0%} bar): improve the prompt first")
    return found


def parse_time(text: object) -> datetime:
    """An ISO time from Phoenix (UTC when it names no zone)."""
    when = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)
