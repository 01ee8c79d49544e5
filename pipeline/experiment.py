"""Run one judge prompt version over the labeled dataset as a Phoenix experiment.

``make experiment PROMPT=v3`` -> :func:`run_judge_experiment`: load the prompt file, read the
latest dataset version (unlabeled examples are skipped and counted), push the prompt to
Phoenix's prompt store, then judge every example with ``concurrency`` calls in flight, storing
each run with an ``exact_match`` evaluation against the human label
(:mod:`pipeline.experiment_runner`). The figures are computed from the runs read back from
Phoenix.

Re-running the same command (same prompt version, model, split and dataset version) resumes
the last such experiment when it is incomplete (interrupted, Phoenix restarted, or judge calls
that still failed after their retries) and only reports it again when it is complete;
``resume=False`` (``--fresh``) always starts a new experiment.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluators import metrics
from evaluators.judge import Judge, RetryPolicy, check_endpoint
from evaluators.labels import ERROR
from evaluators.prompt_files import PROMPTS_DIR, load_prompt
from evaluators.prompt_store import PROMPT_NAME, StoredPrompt, push_prompt
from pipeline import connection, experiment_runner
from pipeline.errors import UserError
from pipeline.experiment_runner import Outcome, node_ids
from pipeline.experiment_runs import JUDGE_KIND, RunRecord, fetch_runs
from pipeline.labeled_examples import ALL, SPLITS, LabeledDataset, LabeledExample, load_labeled
from pipeline.settings import Settings

SPLIT_GAP_WARNING = 0.1
"""Warn when dev and test agreement differ by more than this."""


@dataclass(frozen=True)
class JudgedRow:
    """A labeled example and what the judge made of it (as stored in Phoenix)."""

    example: LabeledExample
    run: RunRecord


@dataclass
class ExperimentReport:
    """Everything the report prints, computed from the runs stored in Phoenix."""

    experiment_id: str
    experiment_name: str
    experiment_url: str
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
    def disagreements(self) -> list[JudgedRow]:
        return [r for r in self.rows if r.run.judge != r.example.label]

    @property
    def split_gap(self) -> float | None:
        """|dev - test| match rate when both splits are present, else None."""
        if not all(s in self.by_split for s in SPLITS):
            return None
        dev, test = (self.by_split[s].match_rate.value for s in SPLITS)
        return abs(dev - test)


def status_lines(result: ExperimentReport) -> list[str]:
    """What this call did to the experiment, and what to do about calls that failed."""
    lines = []
    outcome = result.outcome
    if outcome is not None and outcome.resumed:
        lines.append(
            f"resumed experiment {result.experiment_name}: judged {outcome.ran} missing or "
            f"failed examples, evaluated {outcome.evaluated} runs" if outcome.ran or
            outcome.evaluated else
            f"experiment {result.experiment_name} is already complete for this prompt "
            "version, model, split and dataset version: showing it (--fresh runs a new one)")
    if result.agreement.errors:
        lines.append(f"{result.agreement.errors} judge calls still failed after their retries: "
                     "re-run the same command to retry only those")
    return lines


def experiment_name(prompt_version: str, model: str) -> str:
    """``judge-v3-<model>`` (the model's name made safe for a title)."""
    return f"judge-{prompt_version}-{re.sub(r'[^A-Za-z0-9._-]+', '-', model).strip('-')}"


async def _run(settings: Settings, labeled: LabeledDataset, judge: Judge, *, name: str,
               metadata: dict[str, Any], previous: dict[str, Any] | None, concurrency: int,
               on_plan: Callable[[experiment_runner.Plan], None],
               on_done: Callable[[], None]) -> Outcome:
    """Create the experiment (or take ``previous`` up again) and do what is left of it."""
    phoenix = connection.async_client(settings)
    try:
        if previous is None:
            experiment = await phoenix.experiments.create(
                dataset_id=labeled.dataset.id, dataset_version_id=labeled.dataset.version_id,
                experiment_name=name, experiment_metadata=metadata,
                experiment_description=f"Judge prompt {metadata['prompt_tag']} with "
                                       f"{metadata['model']} against the human labels.")
            plan = experiment_runner.fresh_plan(dict(experiment), labeled)
        else:
            plan = experiment_runner.plan_for(settings, previous, labeled)
        on_plan(plan)
        runner = experiment_runner.Runner(settings, phoenix, judge, labeled,
                                          concurrency=concurrency, on_done=on_done)
        return await runner.run(plan)
    finally:
        await judge.aclose()


def build_report(settings: Settings, *, experiment_id: str, name: str,
                 labeled: LabeledDataset, prompt: StoredPrompt, model: str) -> ExperimentReport:
    """Join the stored runs with the labeled examples and compute every figure."""
    runs = {run.example_id: run for run in fetch_runs(settings, experiment_id)}
    phoenix_ids = node_ids(labeled)
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
        experiment_id=experiment_id, experiment_name=name,
        experiment_url=connection.compare_url(settings, labeled.dataset.id, [experiment_id]),
        dataset=labeled, prompt=prompt, model=model, rows=rows,
        agreement=metrics.agreement(human, judged), by_split=by_split,
        missing_annotations=sum(r.run.exact_match is None for r in rows))


def run_judge_experiment(settings: Settings, *, prompt: str = "v3", dataset: str | None = None,
                         model: str | None = None, concurrency: int = 4,
                         split: str | None = None, retry: RetryPolicy | None = None,
                         prompts_dir: Path = PROMPTS_DIR, prompt_name: str = PROMPT_NAME,
                         show_progress: bool = True, resume: bool = True) -> ExperimentReport:
    """Run prompt version ``prompt`` over ``dataset`` as a Phoenix experiment and report.

    With ``resume``, the last experiment with the same prompt version, model, split and
    dataset version is completed (or only reported, when complete) instead of started anew.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    if concurrency < 1:
        raise UserError(f"--concurrency must be at least 1, not {concurrency}")
    prompt_file = load_prompt(prompt, prompts_dir)
    dataset_name = dataset or settings.dataset
    client = connection.client(settings)
    labeled = load_labeled(client, dataset_name, split)
    retry = retry or RetryPolicy()
    judge = Judge(settings, prompt_file, model=model, retry=retry)
    check_endpoint(settings)
    stored = push_prompt(client, prompt_file, model_name=judge.model, prompt_name=prompt_name)
    name = experiment_name(prompt_file.version, judge.model)
    metadata = {
        "kind": JUDGE_KIND, "prompt_tag": prompt_file.version, "prompt_name": prompt_name,
        "prompt_version_id": stored.version_id, "model": judge.model, "split": labeled.split,
        "dataset_name": dataset_name, "dataset_version_id": labeled.dataset.version_id,
        "examples": len(labeled.examples), "skipped_examples": labeled.skipped,
    }
    previous = (experiment_runner.resumable(client, labeled.dataset.id, metadata)
                if resume else None)
    progress = Progress("[progress.description]{task.description}", BarColumn(),
                        MofNCompleteColumn(), TimeElapsedColumn(),
                        console=Console(file=sys.stderr), disable=not show_progress)
    with progress:
        bar = progress.add_task(f"judging with {prompt_file.version} ({judge.model})",
                                total=len(labeled.examples))

        def on_plan(plan: experiment_runner.Plan) -> None:
            left = len(plan.to_run) + len(plan.to_evaluate)
            if plan.resumed:
                progress.update(bar, description=f"resuming {plan.experiment['name']}")
            progress.update(bar, total=left)

        outcome = asyncio.run(_run(settings, labeled, judge, name=name, metadata=metadata,
                                   previous=previous, concurrency=concurrency,
                                   on_plan=on_plan, on_done=lambda: progress.advance(bar)))
    report = build_report(settings, experiment_id=outcome.experiment_id,
                          name=previous["name"] if previous else name, labeled=labeled,
                          prompt=stored, model=judge.model)
    report.outcome = outcome
    return report
