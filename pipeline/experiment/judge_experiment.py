"""Run one judge prompt version over the labeled dataset as a Phoenix experiment.

``make experiment PROMPT=v3`` -> :func:`run_judge_experiment`: load the prompt file, read the
latest dataset version (unlabeled examples are skipped and counted), push the prompt to
Phoenix's prompt store, then judge every example with ``concurrency`` calls in flight, storing
each run with its trace and its evaluations against the human label
(:mod:`pipeline.experiment.runner`). The figures are computed from the runs read back from
Phoenix (:mod:`pipeline.experiment.report`) and written into the experiment's description
and metadata (:mod:`pipeline.experiment.summary`). An experiment on one split is created on
Phoenix's dataset split of that name.

Re-running the same command (same prompt version, model, split and dataset version) resumes
the last such experiment when it is incomplete (interrupted, Phoenix restarted, or judge calls
that still failed after their retries) and only reports it again when it is complete;
``resume=False`` (``--fresh``) always starts a new experiment.
"""

from __future__ import annotations

import asyncio
from importlib.resources.abc import Traversable
from typing import Any

from evaluators.endpoint import Endpoint, check_endpoint
from evaluators.judge import RetryPolicy, RowJudge, make_judge
from evaluators.modes.base import Memo
from evaluators.prompt_files import TEMPLATES, load_prompt
from pipeline.dataset.examples import LabeledDataset, load_labeled
from pipeline.dataset.phoenix_splits import sync_splits
from pipeline.dataset.splits import ALL
from pipeline.errors import UserError
from pipeline.experiment import runner, summary
from pipeline.experiment.report import ExperimentReport, build_report
from pipeline.experiment.runner import Outcome
from pipeline.experiment.tracing import RunTracer
from pipeline.phoenix import experiments
from pipeline.phoenix.connection import Phoenix
from pipeline.phoenix.experiments import JUDGE_KIND, experiment_name
from pipeline.phoenix.prompts import PROMPT_NAME, push_prompt
from pipeline.phoenix.tracing import traced_project
from pipeline.progress import SILENT, Progress


async def _run(phoenix: Phoenix, labeled: LabeledDataset, judge: RowJudge, plan: runner.Plan,
               tracer: RunTracer, *, concurrency: int, progress: Progress) -> Outcome:
    """Do what is left of the experiment of ``plan``."""
    try:
        what = (f"resuming {plan.experiment['name']}" if plan.resumed
                else f"judging with {judge.prompt.version} ({judge.model})")
        progress.start(what, total=len(plan.to_run) + len(plan.to_evaluate))
        return await runner.Runner(phoenix, phoenix.async_client(), judge, labeled,
                                   concurrency=concurrency, progress=progress,
                                   tracer=tracer).run(plan)
    finally:
        await judge.aclose()


def run_judge_experiment(phoenix: Phoenix, endpoint: Endpoint, dataset: str, *,
                         prompt: str = "v3", concurrency: int = 4, split: str | None = None,
                         retry: RetryPolicy | None = None, prompts_dir: Traversable = TEMPLATES,
                         prompt_name: str = PROMPT_NAME, progress: Progress = SILENT,
                         resume: bool = True, memo: Memo | None = None) -> ExperimentReport:
    """Run prompt version ``prompt`` over ``dataset`` as a Phoenix experiment and report.

    With ``resume``, the last experiment with the same prompt version, model, split and
    dataset version is completed (or only reported, when complete) instead of started anew.
    ``memo``: answers the judge's calls already got (``align``'s cache), used, not asked.
    """
    if concurrency < 1:
        raise UserError(f"--concurrency must be at least 1, not {concurrency}")
    prompt_file = load_prompt(prompt, prompts_dir)
    labeled = load_labeled(phoenix, dataset, split)
    judge = make_judge(endpoint, prompt_file, retry=retry or RetryPolicy(), memo=memo)
    check_endpoint(endpoint)
    stored = push_prompt(phoenix, prompt_file, model_name=judge.model, prompt_name=prompt_name)
    name = experiment_name(prompt_file.version, judge.model)
    metadata = {
        "kind": JUDGE_KIND, "prompt_tag": prompt_file.version, "prompt_name": prompt_name,
        "prompt_version_id": stored.version_id, "model": judge.model, "split": labeled.split,
        "dataset_name": dataset, "dataset_version_id": labeled.dataset.version_id,
        "examples": len(labeled.examples), "skipped_examples": labeled.skipped,
        "prompt_url": phoenix.prompt_url(stored.prompt_id, stored.version_id),
    }
    previous = runner.resumable(phoenix, labeled.dataset.id, metadata) if resume else None
    if previous is None:
        experiment = _create(phoenix, labeled, name, metadata)
        plan = runner.fresh_plan(experiment, labeled)
    else:
        experiment = previous
        plan = runner.plan_for(phoenix, previous, labeled)
    with traced_project(phoenix, experiment["project_name"]) as tracer:
        outcome = asyncio.run(_run(phoenix, labeled, judge, plan,
                                   RunTracer(tracer, prompt_file, stored.version_id),
                                   concurrency=concurrency, progress=progress))
        report = build_report(phoenix, experiment=experiment, labeled=labeled, prompt=stored,
                              model=judge.model)
        experiments.update(phoenix, experiment,
                           description=summary.description(metadata, report.agreement),
                           metadata=summary.with_figures(
                               {**(experiment.get("metadata") or {}), **metadata}, report))
    report.outcome = outcome
    return report


def _create(phoenix: Phoenix, labeled: LabeledDataset, name: str, metadata: dict[str, Any]
            ) -> dict[str, Any]:
    """A new experiment; on one split, created on Phoenix's dataset split of that name (its
    membership put right first), so the experiments table and the UI's filter show it."""
    split = None if labeled.split == ALL else labeled.split
    if split is not None:
        sync_splits(phoenix, labeled.dataset, [split])
    return experiments.create(phoenix, labeled.dataset, name=name, metadata=metadata,
                              description=summary.description(metadata), split=split)
