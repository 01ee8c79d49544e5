"""Run one judge prompt version over the labeled dataset as a Phoenix experiment.

``make experiment PROMPT=v3`` -> :func:`run_judge_experiment`: load the prompt file, read the
latest dataset version (unlabeled examples are skipped and counted), push the prompt to
Phoenix's prompt store, then run the judge as the experiment's task with ``concurrency``
calls in flight and an ``exact_match`` evaluator against the human label, logged on every
run. The figures are computed from the runs read back from Phoenix.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluators import metrics
from evaluators.judge import Judge, RetryPolicy, Verdict, check_endpoint
from evaluators.labels import ERROR, normalize_label
from evaluators.prompt_files import PROMPTS_DIR, load_prompt
from evaluators.prompt_store import PROMPT_NAME, StoredPrompt, push_prompt
from pipeline import connection
from pipeline.errors import UserError
from pipeline.experiment_runs import EXACT_MATCH, JUDGE_KIND, RunRecord, fetch_runs
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


def experiment_name(prompt_version: str, model: str) -> str:
    """``judge-v3-<model>`` (the model's name made safe for a title)."""
    return f"judge-{prompt_version}-{re.sub(r'[^A-Za-z0-9._-]+', '-', model).strip('-')}"


def exact_match(output: Any, expected: Any) -> dict[str, Any]:
    """The experiment's evaluator: 1 when the judge gave exactly the human label, else 0."""
    judge = output.get("label") if isinstance(output, dict) else None
    human = normalize_label(expected.get("label") if isinstance(expected, dict) else None)
    match = judge is not None and judge == human
    return {"score": 1.0 if match else 0.0, "label": "match" if match else "mismatch",
            "explanation": f"judge {judge or ERROR}, human {human}"}


def _task_timeout(retry: RetryPolicy) -> int:
    """Phoenix's per-run timeout: longer than the judge's own worst case, so it never fires
    first (the judge turns its own failures into error rows)."""
    return int(retry.attempts * (retry.timeout + retry.max_wait)) + 60


async def _run(settings: Settings, labeled: LabeledDataset, judge: Judge, *, name: str,
               metadata: dict[str, Any], concurrency: int, retry: RetryPolicy,
               on_done: Callable[[], None]) -> str:
    by_id = {example.id: example for example in labeled.examples}

    async def judge_answer(example: Any) -> dict[str, Any]:
        row = by_id.get(example["id"])
        verdict = (await judge.judge(row.question, row.answer) if row is not None
                   else Verdict(label=ERROR, error="example is not in the labeled set"))
        on_done()
        return verdict.as_output()

    phoenix = connection.async_client(settings)
    try:
        ran = await phoenix.experiments.run_experiment(
            dataset=labeled.for_experiment(), task=judge_answer,
            evaluators={EXACT_MATCH: exact_match}, experiment_name=name,
            experiment_description=f"Judge prompt {metadata['prompt_tag']} with "
                                   f"{metadata['model']} against the human labels.",
            experiment_metadata=metadata, concurrency=max(1, concurrency),
            timeout=_task_timeout(retry), retries=1, print_summary=False)
    finally:
        await judge.aclose()
    return str(ran["experiment_id"])


@contextlib.contextmanager
def _quiet_phoenix_client() -> Any:
    """The Phoenix client prints banners and a tqdm bar; keep them off the terminal (our own
    progress bar shows instead) but hand them back if the run fails."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            yield
    except BaseException:
        sys.stderr.write(out.getvalue()[-4000:] + err.getvalue()[-4000:])
        raise


def build_report(settings: Settings, *, experiment_id: str, name: str,
                 labeled: LabeledDataset, prompt: StoredPrompt, model: str) -> ExperimentReport:
    """Join the stored runs with the labeled examples and compute every figure."""
    runs = {run.example_id: run for run in fetch_runs(settings, experiment_id)}
    rows = []
    for example in labeled.examples:
        run = runs.get(example.id) or RunRecord(
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
                         show_progress: bool = True) -> ExperimentReport:
    """Run prompt version ``prompt`` over ``dataset`` as a Phoenix experiment and report."""
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
    progress = Progress("[progress.description]{task.description}", BarColumn(),
                        MofNCompleteColumn(), TimeElapsedColumn(),
                        console=Console(file=sys.stderr), disable=not show_progress)
    with progress:
        bar = progress.add_task(f"judging with {prompt_file.version} ({judge.model})",
                                total=len(labeled.examples))
        with _quiet_phoenix_client():
            experiment_id = asyncio.run(_run(
                settings, labeled, judge, name=name, metadata=metadata,
                concurrency=concurrency, retry=retry,
                on_done=lambda: progress.advance(bar)))
    return build_report(settings, experiment_id=experiment_id, name=name, labeled=labeled,
                        prompt=stored, model=judge.model)
