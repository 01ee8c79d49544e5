"""The loop's steps as the CLI and the demo both run them: each does the work, draws its
progress and prints its report (the top floor's shared pieces)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.settings import Settings

if TYPE_CHECKING:
    from rich.console import Console

    from pipeline.align.run import AlignReport
    from pipeline.experiment.compare import ExperimentSummary
    from pipeline.experiment.report import ExperimentReport
    from pipeline.judging.invariance import InvarianceReport
    from pipeline.phoenix.connection import Phoenix


def connect(settings: Settings, timeout: float = 60.0) -> Phoenix:
    """A checked connection to the configured Phoenix."""
    from pipeline.phoenix.connection import Phoenix

    return Phoenix.connect(settings, timeout)


def ask_agent(settings: Settings, console: Console, *, n: int, seed: int,
              questions: Path | None = None, variant: str | None = None) -> int:
    """Run the demo agent on ``n`` questions into ``settings.project``; draw it; return how
    many answered."""
    from agent_demo.run import ModelEndpoint, run_agent
    from evaluators.endpoint import check_endpoint
    from pipeline.errors import UserError
    from pipeline.phoenix.connection import Phoenix, PhoenixUnreachable
    from pipeline.views.agent import agent_progress, render_agent_summary

    endpoint = settings.agent_endpoint()
    if settings.uses_local_llm:
        check_endpoint(endpoint)  # fail before any trace when the local model is not up
    phoenix = Phoenix.at(settings)
    with agent_progress(console) as callbacks:
        summary = run_agent(ModelEndpoint(endpoint.base_url, endpoint.api_key, endpoint.model),
                            phoenix.base_url, settings.project, n=n, questions_path=questions,
                            seed=seed, variant=variant, callbacks=callbacks)
    project_url = None
    if summary.undelivered_traces < len(summary.results):
        try:
            phoenix.ensure_running()
            project_url = phoenix.project_url(settings.project, wait=5)
        except PhoenixUnreachable:
            project_url = None
    render_agent_summary(summary, project=settings.project, project_url=project_url,
                         phoenix_base=phoenix.base_url, console=console)
    if summary.results and not summary.done:
        raise UserError(f"every question failed (first: {summary.results[0].error}): check "
                        f"the LLM endpoint {endpoint.url}")
    return summary.done


def run_experiment(settings: Settings, console: Console, *, prompt: str,
                   dataset: str | None = None, model: str | None = None,
                   concurrency: int = 4, split: str | None = None, resume: bool = True,
                   show_report: bool = True, **options: object) -> ExperimentReport:
    """Run one judge version as an experiment with a progress bar; print its report."""
    from evaluators.prompt_files import load_prompt
    from pipeline.experiment.judge_experiment import run_judge_experiment
    from pipeline.views.experiment import render, status_lines
    from pipeline.views.progress import progress_bar

    prompts = settings.prompt_versions
    load_prompt(prompt, prompts)  # an unknown version is named before Phoenix is asked anything
    phoenix = connect(settings)
    with progress_bar() as bar:
        report = run_judge_experiment(
            phoenix, settings.judge_endpoint(model), dataset or settings.dataset,
            prompt=prompt, concurrency=concurrency, split=split, resume=resume,
            prompts_dir=prompts, progress=bar, **options)
    link_source_traces(phoenix, settings.project, report)
    if show_report:
        render(report, console)
        for line in status_lines(report):
            console.print(line)
    return report


def link_source_traces(phoenix: Phoenix, project: str, report: ExperimentReport) -> None:
    """Add the labeled traces' project to the report's links: the one the dataset's examples
    name, else ``project`` (the configured one), when it exists (an imported set has none)."""
    project = report.dataset.source_project or project
    source = phoenix.project_url(project)
    if source != phoenix.projects_url:
        report.links = dataclasses.replace(report.links, source_project=project,
                                           source_traces=source)


def show_comparison(phoenix: Phoenix, dataset: str, console: Console
                    ) -> list[ExperimentSummary]:
    """Print every judge experiment on ``dataset`` in one table; return the summaries."""
    from pipeline.experiment.compare import compare as summaries_of
    from pipeline.views.experiment import render_comparison

    dataset_id, summaries = summaries_of(phoenix, dataset)
    render_comparison(summaries, dataset,
                      phoenix.compare_url(dataset_id,
                                          [s.experiment_id for s in reversed(summaries)]),
                      phoenix.experiments_url(dataset_id), console)
    return summaries



def align_judge(settings: Settings, console: Console, *, dataset: str | None = None,
                model: str | None = None, folds: int = 5, repeats: int = 5,
                concurrency: int = 2, checks: str | None = None,
                external: Sequence[str] = (), left_out: Sequence[str] = ()) -> AlignReport:
    """``make align`` with progress bars: fit on dev, write the version into the prompts
    folder, then the final run."""
    from pipeline.align.run import fit, prove
    from pipeline.phoenix.prompts import PROMPT_NAME
    from pipeline.views.align import render_align
    from pipeline.views.experiment import render
    from pipeline.views.progress import progress_bar

    settings.check_prompts_dir()
    phoenix = connect(settings, timeout=300)
    endpoint = settings.judge_endpoint(model)
    name = dataset or settings.dataset
    with progress_bar() as bar:
        report = fit(phoenix, endpoint, name, cache_dir=settings.run_dir / "align",
                     prompts_dir=settings.prompts_dir, folds=folds, repeats=repeats,
                     checks=checks, left_out=left_out, progress=bar)
    with progress_bar() as bar:
        experiment = prove(phoenix, endpoint, report, external=external,
                           concurrency=concurrency, progress=bar)
    link_source_traces(phoenix, settings.project, experiment)
    render(experiment, console)
    render_align(report, phoenix.prompt_url(PROMPT_NAME)
                 + f" (version {experiment.prompt.version_id})", console,
                 report_dir=settings.run_dir / "align" / "reports")
    return report


def check_invariance(settings: Settings, console: Console, *, prompt: str,
                     dataset: str | None = None, model: str | None = None,
                     split: str | None = None, checks: str | None = None,
                     only: list[str] | None = None, concurrency: int = 4
                     ) -> InvarianceReport:
    """``judge-align invariance`` with a progress bar: perturb the dataset's rows, judge them
    with the version, print how many verdicts held."""
    from evaluators.prompt_files import load_prompt
    from pipeline.judging.invariance import run_invariance
    from pipeline.views.invariance import render_invariance
    from pipeline.views.progress import progress_bar

    prompts = settings.prompt_versions
    load_prompt(prompt, prompts)  # an unknown version is named before Phoenix is asked anything
    phoenix = connect(settings)
    with progress_bar() as bar:
        report = run_invariance(phoenix, settings.judge_endpoint(model),
                                dataset or settings.dataset, prompt=prompt, split=split,
                                checks=checks, only=only, concurrency=concurrency,
                                prompts_dir=prompts, progress=bar)
    render_invariance(report, console)
    return report
