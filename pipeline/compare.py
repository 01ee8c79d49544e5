"""``judge-align compare``: every judge experiment on a dataset in one table.

The figures are recomputed from each experiment's runs as stored in Phoenix: the match rate
is the mean of the runs' ``exact_match`` scores (a run without that annotation falls back to
comparing the stored labels), kappa comes from the stored human and judge labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evaluators import metrics
from pipeline import connection
from pipeline.experiment_runs import fetch_runs, judge_experiments
from pipeline.labeled_examples import fetch_dataset
from pipeline.report import interval, number, pct
from pipeline.settings import Settings

if TYPE_CHECKING:
    from phoenix.client import Client


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


def summarize(settings: Settings, experiment: dict[str, Any]) -> ExperimentSummary:
    """Recompute one experiment's figures from its stored runs."""
    runs = [r for r in fetch_runs(settings, experiment["id"]) if r.human is not None]
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
        created_at=str(experiment.get("created_at") or ""))


def compare(settings: Settings, client: Client, dataset_name: str
            ) -> tuple[str, list[ExperimentSummary]]:
    """The dataset's id and a summary of each of its judge experiments, oldest first."""
    dataset = fetch_dataset(client, dataset_name)
    return dataset.id, [summarize(settings, e) for e in judge_experiments(client, dataset.id)]


def comparison_table(summaries: list[ExperimentSummary], dataset_name: str) -> Table:
    table = Table(title=f"Judge experiments on {escape(repr(dataset_name))}",
                  title_justify="left")
    for column in ("prompt", "model", "split", "N", "match rate", "95% interval", "kappa",
                   "date"):
        table.add_column(column, justify="right" if column in ("N", "match rate", "kappa")
                         else "left")
    best = max((s.match_rate.value for s in summaries if s.match_rate), default=None)
    for s in summaries:
        rate = pct(s.match_rate.value if s.match_rate else None)
        if best is not None and s.match_rate and s.match_rate.value == best:
            rate = f"[bold green]{rate}[/]"
        table.add_row(escape(s.prompt), escape(s.model), s.split, str(s.n), rate,
                      interval(s.match_rate), number(s.kappa),
                      s.created_at[:16].replace("T", " "))
    return table


def render(settings: Settings, dataset_id: str, dataset_name: str,
           summaries: list[ExperimentSummary], console: Console) -> None:
    if not summaries:
        console.print(f"No judge experiment on {escape(repr(dataset_name))} yet: run one with "
                      "`make experiment PROMPT=v3`.")
        return
    console.print(comparison_table(summaries, dataset_name))
    console.print("Phoenix compare: " + connection.compare_url(
        settings, dataset_id, [s.experiment_id for s in reversed(summaries)]))
    console.print("All experiments: " + connection.experiments_url(settings, dataset_id))
