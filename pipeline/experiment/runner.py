"""Run the judge over labeled examples as one Phoenix experiment: fast, and resumable.

Phoenix's ``AsyncClient.experiments.run_experiment`` was measured at 5-7x the ideal time at
concurrency 16 (``bench/bench_experiment.py``): its executor refills its work queue at most
once a second (3 x concurrency items a second, for the task runs and again for the
evaluations), and it exports each run's span synchronously inside the event loop. This
runner uses the same public pieces (``experiments.create``, ``log_run``, ``log_evaluation``)
with one semaphore bounding the judge calls in flight; each run is stored, with its
evaluations (:mod:`pipeline.experiment.evaluations`: ``exact_match``, and ``tpr`` or ``tnr``),
as soon as its verdict is in. Each run is traced like Phoenix's own runs
(:mod:`pipeline.experiment.tracing`) and stored with its trace id; the spans leave in
batches from a background thread, so tracing adds no wait to the event loop.

Resuming: the same experiment (same prompt version, model, split and dataset version, read
from its metadata) is completed rather than started again. Examples without a run, or whose
run failed (the judge call still failing after its retries: the run is stored with Phoenix's
``error`` set, so it may be replaced), are judged again; runs lacking any of their
evaluations (or carrying it as failed) get the missing ones. Phoenix allows one run per
example and repetition, so a resume never duplicates a run.

Phoenix calls are retried briefly; when Phoenix stays away, :class:`PhoenixGone` says how far
the experiment got, and re-running the same command resumes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

from evaluators.judge import RowJudge
from evaluators.labels import ERROR
from pipeline.dataset.examples import LabeledDataset, LabeledExample
from pipeline.errors import UserError
from pipeline.experiment import evaluations
from pipeline.experiment.tracing import RunTracer
from pipeline.phoenix import experiments
from pipeline.progress import SILENT, Progress

if TYPE_CHECKING:
    from phoenix.client import AsyncClient

    from pipeline.phoenix.connection import Phoenix

RESUME_KEYS = ("prompt_name", "prompt_version_id", "model", "split", "dataset_name",
               "dataset_version_id")
"""Experiments agreeing on these metadata fields measure the same thing: one is resumed."""
PHOENIX_ATTEMPTS = 4
PHOENIX_FIRST_WAIT = 0.25  # seconds, doubling: about 2 s of retries in all
POST_TIMEOUT = 30
PHOENIX_WRITES = 4
"""Posts to Phoenix in flight at once (it writes one at a time anyway)."""


class PhoenixGone(UserError):
    """Phoenix stopped answering during the experiment; what was stored stays stored."""


@dataclass
class Plan:
    """What is left to do on an experiment."""

    experiment: dict[str, Any]
    to_run: list[LabeledExample]
    to_evaluate: list[tuple[LabeledExample, dict[str, Any], frozenset[str]]] = field(
        default_factory=list)
    """Stored runs and the evaluations each lacks."""
    resumed: bool = False

    @property
    def complete(self) -> bool:
        return not self.to_run and not self.to_evaluate


@dataclass
class Outcome:
    experiment_id: str
    resumed: bool
    ran: int
    evaluated: int


def resumable(phoenix: Phoenix, dataset_id: str, metadata: dict[str, Any]
              ) -> dict[str, Any] | None:
    """The latest judge experiment on the dataset with the same :data:`RESUME_KEYS`."""
    same = [e for e in experiments.judge_experiments(phoenix, dataset_id)
            if all((e.get("metadata") or {}).get(k) == metadata.get(k) for k in RESUME_KEYS)]
    return same[-1] if same else None


def fresh_plan(experiment: dict[str, Any], labeled: LabeledDataset) -> Plan:
    """A new experiment: every example to judge."""
    return Plan(experiment=experiment, to_run=list(labeled.examples))


def plan_for(phoenix: Phoenix, experiment: dict[str, Any], labeled: LabeledDataset) -> Plan:
    """Which of ``labeled``'s examples still need a run, and which runs which evaluations."""
    experiment_id = experiment["id"]
    runs = experiments.stored_runs(phoenix, experiment_id)
    lacking = experiments.missing_evaluations(phoenix, experiment_id, evaluations.NAMES)
    ids = labeled.node_ids()
    expected = _expected_outputs(labeled)
    to_run, to_evaluate = [], []
    for example in labeled.examples:
        run = runs.get(ids[example.id])
        if run is None or run.get("error"):
            to_run.append(example)
        elif missing := lacking.get(run["id"], frozenset()) & evaluations.names_for(
                expected[example.id]):
            to_evaluate.append((example, run, missing))
    return Plan(experiment=experiment, to_run=to_run, to_evaluate=to_evaluate, resumed=True)


def _expected_outputs(labeled: LabeledDataset) -> dict[str, Any]:
    """Example id -> its reference output (the human label), as the evaluations read it."""
    return {e["id"]: e.get("output") or {} for e in labeled.dataset.examples}


def _phoenix_trouble(error: BaseException) -> bool:
    """Worth retrying a Phoenix call: connection failures, timeouts, 5xx."""
    if isinstance(error, httpx.HTTPStatusError):
        return error.response.status_code >= 500
    return isinstance(error, httpx.TransportError)


async def _with_retries(call: Callable[[], Awaitable[Any]]) -> Any:
    from tenacity import (
        AsyncRetrying,
        retry_if_exception,
        stop_after_attempt,
        wait_exponential,
    )

    async for attempt in AsyncRetrying(
            stop=stop_after_attempt(PHOENIX_ATTEMPTS),
            wait=wait_exponential(multiplier=PHOENIX_FIRST_WAIT, max=2.0),
            retry=retry_if_exception(_phoenix_trouble), reraise=True):
        with attempt:
            return await call()
    raise AssertionError("unreachable: tenacity either returns or re-raises")


class Runner:
    """Judge the examples of a :class:`Plan`, storing each run (traced) and its evaluations."""

    def __init__(self, phoenix: Phoenix, writer: AsyncClient, judge: RowJudge,
                 labeled: LabeledDataset, *, concurrency: int, progress: Progress = SILENT,
                 tracer: RunTracer | None = None) -> None:
        self.phoenix = phoenix
        self.writer = writer
        self.judge = judge
        self.labeled = labeled
        self.concurrency = max(1, concurrency)
        self.progress = progress
        self.tracer = tracer or RunTracer(None, judge.prompt, "")
        self.ids = labeled.node_ids()
        self.expected = _expected_outputs(labeled)
        self.stored = 0
        self.evaluated = 0
        self.already_stored = 0
        self._writes = asyncio.Semaphore(PHOENIX_WRITES)

    async def run(self, plan: Plan) -> Outcome:
        """Do everything ``plan`` lists; raise :class:`PhoenixGone` if Phoenix goes away."""
        gate = asyncio.Semaphore(self.concurrency)
        try:
            async with asyncio.TaskGroup() as group:
                for example in plan.to_run:
                    group.create_task(self._judge_and_store(plan.experiment["id"], example,
                                                            gate))
                for example, run, missing in plan.to_evaluate:
                    group.create_task(self._evaluate(example, run["id"], run.get("output"),
                                                     missing))
            if self.already_stored:  # their evaluations may be missing: look them up
                for example, run, missing in plan_for(self.phoenix, plan.experiment,
                                                      self.labeled).to_evaluate:
                    await self._evaluate(example, run["id"], run.get("output"), missing,
                                         quiet=True)
        except* (httpx.TransportError, httpx.HTTPStatusError) as group:
            error = group.exceptions[0]
            raise PhoenixGone(
                f"Phoenix stopped answering during experiment {plan.experiment['name']!r} "
                f"({type(error).__name__}) with {self.stored} of {len(plan.to_run)} runs "
                "stored: start it (`make up`) and re-run the same command to resume the "
                "experiment") from None
        return Outcome(experiment_id=plan.experiment["id"], resumed=plan.resumed,
                       ran=self.stored, evaluated=self.evaluated)

    async def _judge_and_store(self, experiment_id: str, example: LabeledExample,
                               gate: asyncio.Semaphore) -> None:
        async with gate:
            with self.tracer.run(example) as traced:
                start = datetime.now(UTC)
                verdict = await self.judge.judge(example.question, example.answer,
                                                 example.tools)
                end = datetime.now(UTC)
                output = verdict.as_output()
                error = verdict.error if verdict.label == ERROR else None
                traced.finish(output, error)
        try:
            run = await self._write(lambda: self.writer.experiments.log_run(
                experiment_id=experiment_id, dataset_example_id=self.ids[example.id],
                output=output, start_time=start, end_time=end, error=error,
                trace_id=traced.trace_id, timeout=POST_TIMEOUT))
        except httpx.HTTPStatusError as error:
            if error.response.status_code != 409:
                raise
            # A retried post whose first attempt was stored after all.
            self.already_stored += 1
            self.progress.advance()
            return
        self.stored += 1
        await self._evaluate(example, run["id"], output, evaluations.NAMES)

    async def _log_evaluation(self, run_id: str, name: str, result: dict[str, Any]) -> None:
        await self._write(lambda: self.writer.experiments.log_evaluation(
            experiment_run_id=run_id, name=name, annotator_kind="CODE", score=result["score"],
            label=result["label"], explanation=result["explanation"], timeout=POST_TIMEOUT))

    async def _write(self, call: Callable[[], Awaitable[Any]]) -> Any:
        async with self._writes:
            return await _with_retries(call)

    async def _evaluate(self, example: LabeledExample, run_id: str, output: Any,
                        names: Iterable[str], *, quiet: bool = False) -> None:
        """Store the evaluations ``names`` of one run (those that apply to its example)."""
        wanted = set(names)
        results = evaluations.evaluate(output, self.expected[example.id])
        await asyncio.gather(*(self._log_evaluation(run_id, name, result)
                               for name, result in results.items() if name in wanted))
        self.evaluated += 1
        if not quiet:
            self.progress.advance()
