"""The alignment report of one judge experiment, computed from the runs Phoenix stored.

Each labeled example is joined with its stored run; every figure (match rate with its
interval, kappa, TPR, TNR, confusion, the dev / test figures) is computed from that join, so
the report shows what the Phoenix UI shows, not what this process remembers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from evaluators import metrics
from evaluators.labels import ERROR
from pipeline.dataset.examples import LabeledDataset, LabeledExample
from pipeline.dataset.splits import ALL, SPLITS
from pipeline.errors import UserError
from pipeline.phoenix.experiments import RunRecord, fetch_runs
from pipeline.phoenix.prompts import StoredPrompt

if TYPE_CHECKING:
    from pipeline.experiment.runner import Outcome
    from pipeline.phoenix.connection import Phoenix

SPLIT_GAP_WARNING = 0.1
"""Warn when dev and test agreement differ by more than this."""


@dataclass(frozen=True)
class JudgedRow:
    """A labeled example and what the judge made of it (as stored in Phoenix)."""

    example: LabeledExample
    run: RunRecord


@dataclass(frozen=True)
class ExperimentLinks:
    """Where to look at the experiment in the Phoenix UI."""

    experiment: str
    """The experiment's page: its runs with their evaluations and trace links."""
    compare: str
    """The compare view (each run's output and evaluations beside the reference)."""
    traces: str
    """The experiment's own project: one trace per run, the judge's LLM span inside."""
    prompt: str
    """The prompt version the judge used."""
    source_project: str | None = None
    source_traces: str | None = None
    """The project whose labeled traces the dataset was built from, and its page (set by
    the command, which knows the project; None for a dataset imported from a file)."""


@dataclass
class ExperimentReport:
    """Everything the report prints, computed from the runs stored in Phoenix."""

    experiment_id: str
    experiment_name: str
    links: ExperimentLinks
    dataset: LabeledDataset
    prompt: StoredPrompt
    model: str
    rows: list[JudgedRow]
    agreement: metrics.Agreement
    by_split: dict[str, metrics.Agreement] = field(default_factory=dict)
    missing_annotations: int = 0
    outcome: Outcome | None = None
    """What this call did: judged how many examples, in a new or a resumed experiment."""

    @property
    def auroc(self) -> float | None:
        """How well the judge's P(helpful) ranks helpful rows above the others (None when
        the judge gave no probabilities)."""
        return metrics.auroc([r.example.label for r in self.rows],
                             [r.run.probability for r in self.rows])

    def auroc_of(self, split: str) -> float | None:
        rows = [r for r in self.rows if r.example.split == split]
        return metrics.auroc([r.example.label for r in rows], [r.run.probability for r in rows])

    @property
    def disagreements(self) -> list[JudgedRow]:
        return [r for r in self.rows if r.run.judge != r.example.label]

    @property
    def split_gap(self) -> float | None:
        """|dev - test| match rate when both splits are present, else None."""
        if not all(s in self.by_split for s in SPLITS):
            return None
        dev, test = (self.by_split[s].match_rate.value for s in SPLITS)
        return abs(dev - test)


def links(phoenix: Phoenix, experiment: dict[str, Any], prompt: StoredPrompt
          ) -> ExperimentLinks:
    """The UI pages of ``experiment`` (a REST experiment: id, dataset_id, project_name)."""
    dataset_id, experiment_id = experiment["dataset_id"], experiment["id"]
    return ExperimentLinks(
        experiment=phoenix.experiment_url(dataset_id, experiment_id),
        compare=phoenix.compare_url(dataset_id, [experiment_id]),
        traces=phoenix.project_url(experiment["project_name"]),
        prompt=phoenix.prompt_url(prompt.prompt_id, prompt.version_id))


def build_report(phoenix: Phoenix, *, experiment: dict[str, Any], labeled: LabeledDataset,
                 prompt: StoredPrompt, model: str) -> ExperimentReport:
    """Join the stored runs with the labeled examples and compute every figure."""
    experiment_id = experiment["id"]
    runs = {run.example_id: run for run in fetch_runs(phoenix, experiment_id)}
    phoenix_ids = labeled.node_ids()
    rows = []
    for example in labeled.examples:
        run = runs.get(phoenix_ids[example.id]) or RunRecord(
            example_id=example.id, question=example.question, answer=example.answer,
            human=example.label, judge=ERROR, reason="no run recorded in Phoenix",
            exact_match=None, error="no run recorded in Phoenix")
        rows.append(JudgedRow(example, run))
    human = [r.example.label for r in rows]
    judged = [r.run.judge for r in rows]
    by_split = {}
    if labeled.split == ALL:
        for split in SPLITS:
            part = [r for r in rows if r.example.split == split]
            if part:
                by_split[split] = metrics.agreement([r.example.label for r in part],
                                                    [r.run.judge for r in part])
    return ExperimentReport(
        experiment_id=experiment_id, experiment_name=experiment["name"],
        links=links(phoenix, experiment, prompt), dataset=labeled, prompt=prompt,
        model=model, rows=rows,
        agreement=metrics.agreement(human, judged), by_split=by_split,
        missing_annotations=sum(r.run.exact_match is None for r in rows))


def check_gate(report: ExperimentReport, gate: float | None) -> None:
    """Raise UserError (exit 1) when the match rate is below ``gate``."""
    if gate is None:
        return
    rate = report.agreement.match_rate.value
    if rate < gate:
        raise UserError(f"gate failed: match rate {rate:.3f} is below the gate {gate:.3f}")
