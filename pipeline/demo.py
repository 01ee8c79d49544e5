"""``make demo``: the whole loop on the embedded defaults, safe to run twice.

1. the recorded gold traces (``gold/traces.jsonl``) go into their own Phoenix project;
2. their human labels (``gold/labels.csv``) become HUMAN span annotations;
3. the dataset is built and labeled through the same pipeline as live traces;
4. judge prompts v1, v2 and v3 run as experiments (a version already run on this dataset
   version with this model and prompt text is reused, not run again);
5. the comparison table and the Phoenix links;
6. a few live agent questions, to show the live path into the agent's own project.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.console import Console

from pipeline import compare as comparison
from pipeline import connection, gold, label_file, labels
from pipeline import dataset as datasets
from pipeline.settings import Settings

if TYPE_CHECKING:
    from phoenix.client import Client

GOLD_PROJECT = "weather-agent-gold"
GOLD_DATASET = "weather-agent-gold"
VERSIONS = ("v1", "v2", "v3")


@dataclass
class DemoResult:
    """What the demo did, for the closing lines and for tests."""

    uploaded: int = 0
    already_loaded: int = 0
    experiments: dict[str, str] = field(default_factory=dict)  # version -> experiment id
    reused: list[str] = field(default_factory=list)
    summaries: list[comparison.ExperimentSummary] = field(default_factory=list)
    live_answers: int = 0
    seconds: float = 0.0


def gold_settings(settings: Settings) -> Settings:
    """The demo's own project and dataset, so it never mixes with live traces."""
    return dataclasses.replace(settings, project=GOLD_PROJECT, dataset=GOLD_DATASET)


def load_gold(client: Client, settings: Settings, console: Console,
              result: DemoResult) -> None:
    """Steps 1-3: traces, human labels, dataset with labels."""
    result.uploaded, result.already_loaded = gold.load(client, settings.project)
    console.print(f"gold traces: {result.uploaded} uploaded, {result.already_loaded} already "
                  f"in project {settings.project}")
    report = label_file.apply_file(client, settings, settings.project, gold.LABELS_FILE)
    console.print(f"human labels ({gold.LABELS_FILE.name}): {report.rows} rows, "
                  f"{report.written} new, {report.unchanged} already in Phoenix")
    datasets.print_build(datasets.build(client, settings, settings.dataset, settings.project),
                         console)
    labels.print_report(labels.sync(client, settings, settings.dataset, settings.project),
                        console)


def run_versions(settings: Settings, console: Console, result: DemoResult, concurrency: int,
                 **experiment_options: Any) -> None:
    """Step 4: each judge version as a Phoenix experiment. A finished experiment with the same
    prompt text, model and dataset version is reused (the experiment command's own resume)."""
    from pipeline import report
    from pipeline.experiment import run_judge_experiment

    for version in VERSIONS:
        console.rule(f"judge {version}")
        outcome = run_judge_experiment(settings, prompt=version, concurrency=concurrency,
                                       **experiment_options)
        result.experiments[version] = outcome.experiment_id
        done = outcome.outcome
        if done is not None and done.resumed and not (done.ran or done.evaluated):
            result.reused.append(version)
            console.print(f"judge {version}: already run on this dataset version "
                          f"({outcome.experiment_name}), match rate "
                          f"{outcome.agreement.match_rate.value:.1%}")
            continue
        report.render(outcome, console)


def run_demo(settings: Settings, console: Console | None = None, live_questions: int = 3,
             concurrency: int = 2, **experiment_options: Any) -> DemoResult:
    """Run the whole loop; every step is idempotent, so a second run only re-reads."""
    console = console or Console()
    started = time.perf_counter()
    result = DemoResult()
    demo_settings = gold_settings(settings)
    client = connection.client(demo_settings, timeout=300)
    console.rule("1-3. gold traces, human labels, dataset")
    load_gold(client, demo_settings, console, result)
    console.rule("4. judge experiments v1, v2, v3")
    run_versions(demo_settings, console, result, concurrency, **experiment_options)
    console.rule("5. comparison")
    dataset_id, result.summaries = comparison.compare(demo_settings, client,
                                                      demo_settings.dataset)
    comparison.render(demo_settings, dataset_id, demo_settings.dataset, result.summaries,
                      console)
    if live_questions:
        from agent_demo.run import print_summary, run_agent

        console.rule(f"6. the live path: {live_questions} new agent questions")
        summary = run_agent(settings, n=live_questions, seed=int(time.time()), console=console)
        print_summary(summary, settings, console)
        result.live_answers = summary.done
    result.seconds = time.perf_counter() - started
    console.rule()
    console.print(f"demo finished in {result.seconds / 60:.1f} min. Phoenix UI: "
                  f"{settings.phoenix_url} (datasets -> {demo_settings.dataset} -> experiments)")
    return result
