"""Run a judge experiment from test settings, the way the CLI does."""

from __future__ import annotations

from typing import Any

from pipeline.experiment.judge_experiment import run_judge_experiment
from pipeline.experiment.report import ExperimentReport
from pipeline.judging.traces import JudgeTracesReport, judge_traces
from pipeline.phoenix.connection import Phoenix
from pipeline.settings import Settings


def judge_experiment(settings: Settings, *, dataset: str | None = None, model: str | None = None,
                     **options: Any) -> ExperimentReport:
    """:func:`run_judge_experiment` on the Phoenix and the judge endpoint of ``settings``."""
    return run_judge_experiment(Phoenix.connect(settings, timeout=300),
                                settings.judge_endpoint(model), dataset or settings.dataset,
                                **options)


def judge_new_traces(settings: Settings, *, project: str | None = None,
                     dataset: str | None = None, model: str | None = None,
                     **options: Any) -> JudgeTracesReport:
    """:func:`judge_traces` on the Phoenix, project and judge endpoint of ``settings``."""
    return judge_traces(Phoenix.connect(settings, timeout=300), settings.judge_endpoint(model),
                        project=project or settings.project,
                        dataset=dataset or settings.dataset,
                        default_model=settings.judge_model_name, **options)
