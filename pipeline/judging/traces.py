"""``judge-align judge-traces``: the aligned judge labels new traces, and what its labels say.

``make judge-traces PROMPT=v3`` reads the project's root spans (with the same filters and
readers as ``dataset build``: since, limit, --question, --answer), skips those that prompt
version already judged, judges the rest concurrently with the experiment's judge (same call,
parsing and retries), and logs each verdict on its span as an LLM annotation (see
pipeline/judging/verdicts.py). A call that still fails after its retries writes nothing, so
the next run tries that span again; an unreadable reply is stored as ``invalid`` (the judge
did answer).

The summary: the raw pass rate of every selected span this version has judged, and that rate
corrected for the judge's measured error rates (pipeline/judging/calibration.py), with
intervals.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable

from evaluators import metrics
from evaluators.endpoint import Endpoint, check_endpoint
from evaluators.evidence import ToolCall
from evaluators.judge import RetryPolicy, RowJudge, make_judge
from evaluators.labels import ERROR, HELPFUL
from evaluators.prompt_files import TEMPLATES, load_prompt
from pipeline.errors import UserError
from pipeline.judging import calibration, verdicts
from pipeline.judging.verdicts import JudgeIdentity
from pipeline.phoenix import annotations, spans
from pipeline.phoenix.connection import Phoenix
from pipeline.phoenix.prompts import PROMPT_NAME, push_prompt
from pipeline.phoenix.span_text import SpanText
from pipeline.progress import SILENT, Progress


@dataclass
class JudgeTracesReport:
    """What one run did, and this version's labels on the selected spans."""

    project: str
    project_url: str
    selection: str
    judge: JudgeIdentity
    dataset: str
    selected: int
    skipped: spans.Unreadable
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


def judge_traces(phoenix: Phoenix, endpoint: Endpoint, *, project: str, dataset: str,
                 default_model: str, prompt: str = "v3",
                 span_filter: spans.SpanFilter | None = None, concurrency: int = 4,
                 retry: RetryPolicy | None = None, prompts_dir: Traversable = TEMPLATES,
                 prompt_name: str = PROMPT_NAME, progress: Progress = SILENT,
                 text: SpanText | None = None) -> JudgeTracesReport:
    """Judge the selected root spans that ``prompt`` has not judged yet (their question and
    answer read by ``text``); report.

    ``dataset`` is where the judge's latest experiment measured its error rates;
    ``default_model`` is the judge model a plain ``make experiment`` would use."""
    if concurrency < 1:
        raise UserError(f"--concurrency must be at least 1, not {concurrency}")
    span_filter = span_filter or spans.SpanFilter()
    prompt_file = load_prompt(prompt, prompts_dir)
    spans.require_project(phoenix, project)
    judge = make_judge(endpoint, prompt_file, retry=retry)
    stored = push_prompt(phoenix, prompt_file, model_name=judge.model, prompt_name=prompt_name)
    identity = JudgeIdentity(prompt_tag=prompt_file.version, prompt_version_id=stored.version_id,
                             model=judge.model, prompt_name=prompt_name)
    progress.start(f"reading root spans of {project}")
    read = spans.root_spans(phoenix, project, span_filter, text=text)
    answered = [span for span in read if span.readable]
    current = {span_id: label for span_id, labels in annotations.judge_labels(
        phoenix, project, (s.span_id for s in answered), identity.identifier).items()
        for label in labels if label.prompt_version_id == identity.prompt_version_id}
    todo = [span for span in answered if span.span_id not in current]
    report = JudgeTracesReport(
        project=project, project_url=phoenix.project_url(project),
        selection=span_filter.describe(), judge=identity, dataset=dataset,
        selected=len(answered), skipped=spans.Unreadable.among(read),
        already_judged=len(current))
    new_labels: dict[str, str] = {}
    if todo:
        check_endpoint(endpoint)
        started = time.perf_counter()
        tools = spans.tool_records(phoenix, project, todo)
        progress.start(f"judging with {identity.prompt_tag} ({identity.model})", total=len(todo))
        new_labels = asyncio.run(_judge_all(phoenix, judge, identity, todo, tools, report,
                                            concurrency, progress))
        report.seconds = time.perf_counter() - started
    report.outcomes = [new_labels.get(span.span_id) or current[span.span_id].label
                       for span in answered
                       if span.span_id in new_labels or span.span_id in current]
    report.lookup = calibration.find(phoenix, report.dataset, identity, default_model)
    return report


async def _judge_all(phoenix: Phoenix, judge: RowJudge, identity: JudgeIdentity,
                     todo: list[spans.RootSpan], tools: dict[str, list[ToolCall]],
                     report: JudgeTracesReport, concurrency: int,
                     progress: Progress) -> dict[str, str]:
    """Judge ``todo`` with ``concurrency`` calls in flight; save verdicts in batches as they
    come (an interrupted run loses at most one batch); return the labels saved by span."""
    gate = asyncio.Semaphore(concurrency)

    async def judged(span: spans.RootSpan):
        async with gate:
            return span, await judge.judge(span.question, span.answer,
                                           tools.get(span.trace_id, []))

    saved: dict[str, str] = {}
    batch: list[dict] = []

    async def flush() -> None:
        if batch:
            await asyncio.to_thread(annotations.write_annotations, phoenix, list(batch))
            saved.update((row["span_id"], row["result"]["label"]) for row in batch)
            batch.clear()

    try:
        for next_done in asyncio.as_completed([judged(span) for span in todo]):
            span, verdict = await next_done
            if verdict.label == ERROR:
                report.failed.append((span.span_id, verdict.error or "the call failed"))
            else:
                report.new[verdict.label] += 1
                batch.append(verdicts.annotation(span.span_id, verdict, identity))
                if len(batch) >= verdicts.WRITE_BATCH:
                    await flush()
            progress.advance()
        await flush()
    finally:
        await judge.aclose()
    return saved
