"""Run one judge prompt version over the labeled dataset as a Phoenix experiment.

``make experiment PROMPT=v3`` -> :func:`run_judge_experiment`: load the prompt file, read the
latest dataset version (unlabeled examples are skipped and counted), push the prompt to
Phoenix's prompt store, then judge every example with ``concurrency`` calls in flight, storing
each run with an ``exact_match`` evaluation against the human label
(:mod:`pipeline.experiment.runner`). The figures are computed from the runs read back from
Phoenix (:mod:`pipeline.experiment.report`).

Re-running the same command (same prompt version, model, split and dataset version) resumes
the last such experiment when it is incomplete (interrupted, Phoenix restarted, or judge calls
that still failed after their retries) and only reports it again when it is complete;
``resume=False`` (``--fresh``) always starts a new experiment.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from evaluators.endpoint import Endpoint, check_endpoint
from evaluators.judge import RetryPolicy, RowJudge, make_judge
from evaluators.prompt_files import PROMPTS_DIR, load_prompt
from pipeline.dataset.examples import LabeledDataset, load_labeled
from pipeline.errors import UserError
from pipeline.experiment import runner
from pipeline.experiment.report import ExperimentReport, build_report
from pipeline.experiment.runner import Outcome
from pipeline.phoenix.connection import Phoenix
from pipeline.phoenix.experiments import JUDGE_KIND, experiment_name
from pipeline.phoenix.prompts import PROMPT_NAME, push_prompt
from pipeline.progress import SILENT, Progress


async def _run(phoenix: Phoenix, labeled: LabeledDataset, judge: RowJudge, *,
               name: str, metadata: dict[str, Any], previous: dict[str, Any] | None,
               concurrency: int, progress: Progress) -> Outcome:
    """Create the experiment (or take ``previous`` up again) and do what is left of it."""
    writer = phoenix.async_client()
    try:
        if previous is None:
            experiment = await writer.experiments.create(
                dataset_id=labeled.dataset.id, dataset_version_id=labeled.dataset.version_id,
                experiment_name=name, experiment_metadata=metadata,
                experiment_description=f"Judge prompt {metadata['prompt_tag']} with "
                                       f"{metadata['model']} against the human labels.")
            plan = runner.fresh_plan(dict(experiment), labeled)
        else:
            plan = runner.plan_for(phoenix, previous, labeled)
        what = (f"resuming {plan.experiment['name']}" if plan.resumed
                else f"judging with {metadata['prompt_tag']} ({metadata['model']})")
        progress.start(what, total=len(plan.to_run) + len(plan.to_evaluate))
        return await runner.Runner(phoenix, writer, judge, labeled, concurrency=concurrency,
                                   progress=progress).run(plan)
    finally:
        await judge.aclose()


def run_judge_experiment(phoenix: Phoenix, endpoint: Endpoint, dataset: str, *,
                         prompt: str = "v3", concurrency: int = 4, split: str | None = None,
                         retry: RetryPolicy | None = None, prompts_dir: Path = PROMPTS_DIR,
                         prompt_name: str = PROMPT_NAME, progress: Progress = SILENT,
                         resume: bool = True) -> ExperimentReport:
    """Run prompt version ``prompt`` over ``dataset`` as a Phoenix experiment and report.

    With ``resume``, the last experiment with the same prompt version, model, split and
    dataset version is completed (or only reported, when complete) instead of started anew.
    """
    if concurrency < 1:
        raise UserError(f"--concurrency must be at least 1, not {concurrency}")
    prompt_file = load_prompt(prompt, prompts_dir)
    labeled = load_labeled(phoenix, dataset, split)
    judge = make_judge(endpoint, prompt_file, retry=retry or RetryPolicy())
    check_endpoint(endpoint)
    stored = push_prompt(phoenix, prompt_file, model_name=judge.model, prompt_name=prompt_name)
    name = experiment_name(prompt_file.version, judge.model)
    metadata = {
        "kind": JUDGE_KIND, "prompt_tag": prompt_file.version, "prompt_name": prompt_name,
        "prompt_version_id": stored.version_id, "model": judge.model, "split": labeled.split,
        "dataset_name": dataset, "dataset_version_id": labeled.dataset.version_id,
        "examples": len(labeled.examples), "skipped_examples": labeled.skipped,
    }
    previous = runner.resumable(phoenix, labeled.dataset.id, metadata) if resume else None
    outcome = asyncio.run(_run(phoenix, labeled, judge, name=name, metadata=metadata,
                               previous=previous, concurrency=concurrency, progress=progress))
    report = build_report(phoenix, experiment_id=outcome.experiment_id,
                          name=previous["name"] if previous else name, labeled=labeled,
                          prompt=stored, model=judge.model)
    report.outcome = outcome
    return report
