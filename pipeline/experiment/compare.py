"""``judge-align compare``: every judge experiment on a dataset in one table.

The figures are recomputed from each experiment's runs as stored in Phoenix: the match rate
is the mean of the runs' ``exact_match`` scores (a run without that annotation falls back to
comparing the stored labels), kappa comes from the stored human and judge labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from evaluators import metrics
from pipeline.dataset.splits import SPLITS
from pipeline.phoenix import datasets
from pipeline.phoenix.experiments import RunRecord, fetch_runs, judge_experiments

if TYPE_CHECKING:
    from pipeline.phoenix.connection import Phoenix


@dataclass(frozen=True)
class ExperimentSummary:
    """One judge experiment's agreement with the humans, as stored in Phoenix."""

    experiment_id: str
    name: str
    prompt: str
    model: str
    split: str
    n: int
    match_rate: metrics.Estimate | None
    kappa: float | None
    created_at: str
    by_split: dict[str, float] = field(default_factory=dict)
    """Match rate on the dev and on the test rows (a version fitted on dev shows both)."""


def _split_rates(runs: list[RunRecord], split_of: dict[str, str]) -> dict[str, float]:
    rates = {}
    for split in SPLITS:
        part = [float(r.judge == r.human) for r in runs if split_of.get(r.example_id) == split]
        if part:
            rates[split] = sum(part) / len(part)
    return rates


def summarize(phoenix: Phoenix, experiment: dict[str, Any],
              split_of: dict[str, str] | None = None) -> ExperimentSummary:
    """Recompute one experiment's figures from its stored runs (``split_of``: example id
    -> dev / test, for the per-split figures)."""
    runs = [r for r in fetch_runs(phoenix, experiment["id"]) if r.human is not None]
    metadata = experiment.get("metadata") or {}
    agree = [r.exact_match if r.exact_match is not None else float(r.judge == r.human)
             for r in runs]
    return ExperimentSummary(
        experiment_id=experiment["id"], name=experiment.get("name") or "",
        prompt=str(metadata.get("prompt_tag", "?")), model=str(metadata.get("model", "?")),
        split=str(metadata.get("split", "all")), n=len(runs),
        match_rate=metrics.proportion_estimate(agree) if agree else None,
        kappa=(metrics.cohens_kappa([r.human for r in runs], [r.judge for r in runs])
               if runs else None),
        created_at=str(experiment.get("created_at") or ""),
        by_split=_split_rates(runs, split_of or {}))


def compare(phoenix: Phoenix, dataset_name: str) -> tuple[str, list[ExperimentSummary]]:
    """The dataset's id and a summary of each of its judge experiments, oldest first."""
    dataset = datasets.require(phoenix, dataset_name)
    split_of = {e.get("node_id") or e["id"]: (e.get("metadata") or {}).get("split", "")
                for e in dataset.examples}
    return dataset.id, [summarize(phoenix, e, split_of)
                        for e in judge_experiments(phoenix, dataset.id)]
