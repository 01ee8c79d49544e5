"""``judge-align judge-traces``: the aligned judge labels new traces, and what its labels say.

``make judge-traces PROMPT=v3`` reads the project's root agent spans (with the same filters as
``dataset build``: since, limit), skips those that prompt version already judged, judges the
rest concurrently with the experiment's judge (same call, parsing and retries), and logs each
verdict on its span as an LLM annotation (see pipeline/judge_annotations.py). A call that
still fails after its retries writes nothing, so the next run tries that span again; an
unreadable reply is stored as ``invalid`` (the judge did answer).

The summary: the raw pass rate of every selected span this version has judged, and that rate
corrected for the judge's measured error rates (pipeline/calibration.py), with intervals.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from evaluators import metrics
from evaluators.judge import Judge, RetryPolicy, check_endpoint
from evaluators.labels import ERROR, HELPFUL, INVALID, NOT_HELPFUL
from evaluators.prompt_files import PROMPTS_DIR, load_prompt
from evaluators.prompt_store import PROMPT_NAME, push_prompt
from pipeline import calibration, connection, judge_annotations, spans
from pipeline.errors import UserError
from pipeline.judge_annotations import JudgeIdentity
from pipeline.settings import Settings

if TYPE_CHECKING:
    from phoenix.client import Client
    from rich.console import Console


@dataclass
class JudgeTracesReport:
    """What one run did, and this version's labels on the selected spans."""

    project: str
    project_url: str
    selection: str
    judge: JudgeIdentity
    dataset: str
    selected: int
    without_answer: int
    already_judged: int
    new: Counter[str] = field(default_factory=Counter)
    failed: list[tuple[str, str]] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    lookup: calibration.Lookup = field(default_factory=lambda: calibration.Lookup(None))
    seconds: float = 0.0

    @property
    def raw(self) -> metrics.Estimate | None:
        """The share of judged spans the judge calls helpful, with its interval."""
        if not self.outcomes:
            return None
        return metrics.proportion_estimate([float(o == HELPFUL) for o in self.outcomes])

    @property
    def corrected(self) -> metrics.Estimate | None:
        found = self.lookup.calibration
        return found.corrected(self.outcomes) if found and self.outcomes else None

    @property
    def warnings(self) -> list[str]:
        found = self.lookup.calibration
        return calibration.warnings(found) if found else []


def judge_traces(settings: Settings, *, prompt: str = "v3", project: str | None = None,
                 span_filter: spans.SpanFilter | None = None, model: str | None = None,
                 dataset: str | None = None, concurrency: int = 4,
                 retry: RetryPolicy | None = None, prompts_dir: Path = PROMPTS_DIR,
                 prompt_name: str = PROMPT_NAME, show_progress: bool = True
                 ) -> JudgeTracesReport:
    """Judge the selected root spans that ``prompt`` has not judged yet; report."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    if concurrency < 1:
        raise UserError(f"--concurrency must be at least 1, not {concurrency}")
    project = project or settings.project
    span_filter = span_filter or spans.SpanFilter()
    prompt_file = load_prompt(prompt, prompts_dir)
    client = connection.client(settings, timeout=300)
    spans.require_project(client, project)
    judge = Judge(settings, prompt_file, model=model, retry=retry)
    stored = push_prompt(client, prompt_file, model_name=judge.model, prompt_name=prompt_name)
    identity = JudgeIdentity(prompt_tag=prompt_file.version, prompt_version_id=stored.version_id,
                             model=judge.model, prompt_name=prompt_name)
    console = Console(file=sys.stderr)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console,
                  transient=True, disable=not show_progress) as progress:
        task = progress.add_task(f"reading root spans of {project}")
        read = spans.root_spans(client, project, span_filter, on_page=lambda n: progress.update(
            task, description=f"read {n} root spans"))
    answered = [span for span in read if span.answer]
    current = {span_id: label for span_id, labels in judge_annotations.read(
        client, project, (s.span_id for s in answered), identity.identifier).items()
        for label in labels if label.prompt_version_id == identity.prompt_version_id}
    todo = [span for span in answered if span.span_id not in current]
    report = JudgeTracesReport(
        project=project, project_url=connection.project_url(settings, client, project),
        selection=span_filter.describe(), judge=identity, dataset=dataset or settings.dataset,
        selected=len(answered), without_answer=len(read) - len(answered),
        already_judged=len(current))
    new_labels: dict[str, str] = {}
    if todo:
        check_endpoint(settings)
        bar = Progress("[progress.description]{task.description}", BarColumn(),
                       MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                       disable=not show_progress)
        started = time.perf_counter()
        with bar:
            task = bar.add_task(f"judging with {identity.prompt_tag} ({identity.model})",
                                total=len(todo))
            new_labels = asyncio.run(_judge_all(
                client, judge, identity, todo, report, concurrency,
                on_done=lambda: bar.advance(task)))
        report.seconds = time.perf_counter() - started
    report.outcomes = [new_labels.get(span.span_id) or current[span.span_id].label
                       for span in answered
                       if span.span_id in new_labels or span.span_id in current]
    report.lookup = calibration.find(settings, client, report.dataset, identity)
    return report


async def _judge_all(client: Client, judge: Judge, identity: JudgeIdentity,
                     todo: list[spans.RootSpan], report: JudgeTracesReport, concurrency: int,
                     on_done: Callable[[], None]) -> dict[str, str]:
    """Judge ``todo`` with ``concurrency`` calls in flight; save verdicts in batches as they
    come (an interrupted run loses at most one batch); return the labels saved by span."""
    gate = asyncio.Semaphore(concurrency)

    async def judged(span: spans.RootSpan):
        async with gate:
            return span, await judge.judge(span.question, span.answer)

    saved: dict[str, str] = {}
    batch: list[dict] = []

    async def flush() -> None:
        if batch:
            await asyncio.to_thread(judge_annotations.write, client, list(batch))
            saved.update((row["span_id"], row["result"]["label"]) for row in batch)
            batch.clear()

    try:
        for next_done in asyncio.as_completed([judged(span) for span in todo]):
            span, verdict = await next_done
            if verdict.label == ERROR:
                report.failed.append((span.span_id, verdict.error or "the call failed"))
            else:
                report.new[verdict.label] += 1
                batch.append(judge_annotations.annotation(span.span_id, verdict, identity))
                if len(batch) >= judge_annotations.WRITE_BATCH:
                    await flush()
            on_done()
        await flush()
    finally:
        await judge.aclose()
    return saved


# --- the summary -------------------------------------------------------------------------------

def render(report: JudgeTracesReport, console: Console) -> None:
    """The run's counts, the pass rates and what to trust about them."""
    from rich.markup import escape
    from rich.table import Table

    from pipeline.report import interval, pct

    judge = report.judge
    console.print(f"[bold]judge {escape(judge.identifier)}[/]: prompt {judge.prompt_tag} "
                  f"(Phoenix prompt version {judge.prompt_version_id}), model "
                  f"{escape(judge.model)}; project {escape(repr(report.project))}, "
                  f"{escape(report.selection)}")
    table = Table(title="Judge labels on the traces", title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("95% interval", justify="right")
    table.add_row("root spans selected (with an answer)", str(report.selected), "")
    if report.without_answer:
        table.add_row("skipped: no answer", str(report.without_answer), "")
    table.add_row(f"already judged by {judge.prompt_tag}", str(report.already_judged), "")
    new = sum(report.new.values())
    table.add_row("judged now", f"{new} ({report.new[HELPFUL]} helpful, "
                  f"{report.new[NOT_HELPFUL]} not_helpful, {report.new[INVALID]} invalid)"
                  + (f" in {report.seconds:.1f} s" if new else ""), "")
    if report.failed:
        table.add_row("[red]failed calls (nothing saved)[/]", str(len(report.failed)), "")
    raw, corrected = report.raw, report.corrected
    found = report.lookup.calibration
    table.add_row("pass rate: judge, raw",
                  f"{pct(raw.value)} ({report.outcomes.count(HELPFUL)}/{len(report.outcomes)})"
                  if raw else "n/a (nothing judged)", interval(raw))
    if found:
        table.add_row("pass rate: corrected (Rogan-Gladen)",
                      pct(corrected.value) if corrected else "n/a (TPR + TNR <= 1)",
                      interval(corrected))
        table.add_row("  measured by", escape(f"{found.experiment_name} "
                      f"({found.created_at:%Y-%m-%d}, {found.n} labeled rows)"), "")
        table.add_row("  TPR / TNR / match rate",
                      f"{pct(found.tpr)} / {pct(found.tnr)} / {pct(found.match_rate)}", "")
    console.print(table)
    if report.failed:
        span_id, error = report.failed[0]
        calls = "call" if len(report.failed) == 1 else "calls"
        console.print(f"[yellow]{len(report.failed)} {calls} failed after their retries (first: "
                      f"span {span_id}: {escape(error)}); re-run the same command to retry "
                      "them[/]")
    if not found:
        console.print(f"[yellow]raw pass rate only: {escape(report.lookup.missing)} to measure "
                      "the judge's error rates and correct for them[/]")
    for warning in report.warnings:
        console.print(f"[yellow]warning: {escape(warning)}[/]")
    console.print(f"Phoenix project (judge labels under {judge_annotations.NAME!r}): "
                  f"{report.project_url}")
