"""``make demo``: the whole loop on the embedded defaults, safe to run twice.

1. the recorded gold traces (``gold/traces.jsonl``) go into their own Phoenix project;
2. their human labels (``gold/labels.csv``) become HUMAN span annotations;
3. the dataset is built and labeled through the same pipeline as live traces, and the
   external set (``gold/external/pairs.jsonl``: pairs written in other people's phrasings,
   no traces) is imported as a dataset of its own;
4. judge prompts v1, v2 and v3 run as experiments on both (a version already run on a
   dataset version with this model and prompt text is reused, not run again);
5. ``align``: a judge chosen and fitted on the gold dev split, written as the next version;
   its final run scores every candidate on the gold test split and the external set (their
   first read by anything fitted) and runs the version on both;
6. the comparison tables and the Phoenix links (each experiment, its compare view, its
   judge traces and prompt version; the gold traces);
7. a few live agent questions, to show the live path into the agent's own project.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console

from pipeline import steps
from pipeline.dataset.build import build
from pipeline.dataset.importer import import_file
from pipeline.experiment.compare import ExperimentSummary
from pipeline.experiment.report import ExperimentReport
from pipeline.gold.files import DEMO as GOLD
from pipeline.gold.files import EXTERNAL
from pipeline.gold.load import load as load_gold_traces
from pipeline.gold.splits import read_splits
from pipeline.labeling.label_file import apply_file
from pipeline.labeling.sync import sync
from pipeline.phoenix.connection import Phoenix
from pipeline.settings import Settings
from pipeline.views.dataset import render_build, render_labels
from pipeline.views.demo import render_step_times
from pipeline.views.experiment import render, render_links

GOLD_PROJECT = "weather-agent-gold"
GOLD_DATASET = "weather-agent-gold"
EXTERNAL_DATASET = "weather-external"
DEMO_CHECKS = "evaluators.checks.weather"
"""The demo's domain: align offers checklist candidates with the weather checks."""
DEMO_LEFT_OUT = ("fewshot",)
"""Modes the demo's align does not offer: a few-shot prompt holds four whole traces (tool
results included), several times a hand-written prompt's tokens and never a shared prefix,
so on a CPU model its calls over the gold and external rows would add hours (``make align``
offers it)."""
VERSIONS = ("v1", "v2", "v3")


@dataclass
class DemoResult:
    """What the demo did, for the closing lines and for tests."""

    uploaded: int = 0
    already_loaded: int = 0
    experiments: dict[str, str] = field(default_factory=dict)  # version -> experiment id
    reports: dict[str, ExperimentReport] = field(default_factory=dict)  # version -> report
    external: dict[str, ExperimentReport] = field(default_factory=dict)  # on the external set
    reused: list[str] = field(default_factory=list)
    aligned: str = ""
    summaries: list[ExperimentSummary] = field(default_factory=list)
    external_summaries: list[ExperimentSummary] = field(default_factory=list)
    live_answers: int = 0
    gold_traces_url: str = ""
    seconds: float = 0.0
    step_seconds: dict[str, float] = field(default_factory=dict)  # step title -> seconds


@contextmanager
def step(title: str, console: Console, result: DemoResult) -> Iterator[None]:
    """One numbered step: its heading, then its wall time kept in ``result``."""
    console.rule(title)
    started = time.perf_counter()
    try:
        yield
    finally:
        result.step_seconds[title] = time.perf_counter() - started


def gold_settings(settings: Settings) -> Settings:
    """The demo's own project and dataset, so it never mixes with live traces."""
    return dataclasses.replace(settings, project=GOLD_PROJECT, dataset=GOLD_DATASET)


def load_gold(phoenix: Phoenix, settings: Settings, console: Console,
              result: DemoResult) -> None:
    """Steps 1-3: traces, human labels, dataset with labels."""
    loaded = load_gold_traces(phoenix, settings.project, GOLD.traces)
    result.uploaded, result.already_loaded = loaded
    console.print(f"gold traces: {result.uploaded} uploaded, {result.already_loaded} already "
                  f"in project {settings.project}")
    report = apply_file(phoenix, settings.project, GOLD.labels)
    console.print(f"human labels ({GOLD.labels.name}): {report.rows} rows, "
                  f"{report.written} new, {report.unchanged} already in Phoenix")
    splits = read_splits(GOLD.splits)
    render_build(build(phoenix, settings.dataset, settings.project, splits=splits), console)
    render_labels(sync(phoenix, settings.dataset, settings.project), console)
    imported = import_file(phoenix, EXTERNAL_DATASET, EXTERNAL.pairs)
    console.print(f"external set ({EXTERNAL.pairs.name}): {imported.rows} labeled pairs in "
                  f"dataset {EXTERNAL_DATASET}, {imported.created} new")


def run_versions(settings: Settings, console: Console, result: DemoResult, concurrency: int
                 ) -> None:
    """Step 4: each judge version as a Phoenix experiment on the gold set, then on the
    external set. A finished experiment with the same prompt text, model and dataset version
    is reused (the experiment command's own resume)."""
    for dataset, reports in ((settings.dataset, result.reports),
                             (EXTERNAL_DATASET, result.external)):
        for version in VERSIONS:
            console.rule(f"judge {version} on {dataset}")
            outcome = steps.run_experiment(settings, console, prompt=version, dataset=dataset,
                                           concurrency=concurrency, show_report=False)
            reports[version] = outcome
            if dataset == settings.dataset:
                result.experiments[version] = outcome.experiment_id
            show_run(version, outcome, result, console)


def show_run(version: str, outcome: ExperimentReport, result: DemoResult, console: Console
             ) -> None:
    """One version's experiment: its report, or one line when it was only shown again."""
    done = outcome.outcome
    if done is not None and done.resumed and not (done.ran or done.evaluated):
        result.reused.append(version)
        console.print(f"judge {version}: already run on this dataset version "
                      f"({outcome.experiment_name}), match rate "
                      f"{outcome.agreement.match_rate.value:.1%}")
        render_links(outcome, console)
        return
    render(outcome, console)


def run_demo(settings: Settings, console: Console | None = None, live_questions: int = 3,
             concurrency: int = 2) -> DemoResult:
    """Run the whole loop; every step is idempotent, so a second run only re-reads."""
    GOLD.require()
    console = console or Console()
    started = time.perf_counter()
    result = DemoResult()
    demo_settings = gold_settings(settings)
    phoenix = Phoenix.connect(demo_settings, timeout=300)
    with step("1-3. gold traces, human labels, dataset", console, result):
        load_gold(phoenix, demo_settings, console, result)
    with step("4. judge experiments v1, v2, v3", console, result):
        run_versions(demo_settings, console, result, concurrency)
    with step("5. align: choose and fit on dev, write the next version, prove it once",
              console, result):
        aligned = steps.align_judge(demo_settings, console, concurrency=concurrency,
                                    checks=DEMO_CHECKS, external=[EXTERNAL_DATASET],
                                    left_out=DEMO_LEFT_OUT)
    result.aligned = aligned.version
    if aligned.experiment is not None:
        result.experiments[aligned.version] = aligned.experiment.experiment_id
        result.reports[aligned.version] = aligned.experiment
    result.external.update({aligned.version: aligned.external[EXTERNAL_DATASET]}
                           if EXTERNAL_DATASET in aligned.external else {})
    with step("6. comparison", console, result):
        result.summaries = steps.show_comparison(phoenix, demo_settings.dataset, console)
        result.external_summaries = steps.show_comparison(phoenix, EXTERNAL_DATASET, console)
    result.gold_traces_url = phoenix.project_url(demo_settings.project)
    console.print(f"Gold traces (project {demo_settings.project}): {result.gold_traces_url}",
                  soft_wrap=True)
    if live_questions:
        with step(f"7. the live path: {live_questions} new agent questions", console, result):
            result.live_answers = steps.ask_agent(settings, console, n=live_questions,
                                                seed=int(time.time()))
    result.seconds = time.perf_counter() - started
    console.rule()
    render_step_times(result.step_seconds, result.seconds, console)
    console.print(f"demo finished in {result.seconds / 60:.1f} min. Phoenix UI: "
                  f"{phoenix.base_url} (datasets -> {demo_settings.dataset} -> experiments)")
    return result
