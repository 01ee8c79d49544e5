"""Run the judge over labeled examples as one Phoenix experiment: fast, and resumable.

Phoenix's ``AsyncClient.experiments.run_experiment`` was measured at 5-7x the ideal time at
concurrency 16 (``bench/bench_experiment.py``): its executor refills its work queue at most
once a second (3 x concurrency items a second, for the task runs and again for the
evaluations), and it exports each run's span synchronously inside the event loop. This
runner uses the same public pieces (``experiments.create``, ``log_run``, ``log_evaluation``)
with one semaphore bounding the judge calls in flight; each run is stored, with its
``exact_match`` evaluation, as soon as its verdict is in. Runs carry no trace: the judge's
raw reply is in the run's output.

Resuming: the same experiment (same prompt version, model, split and dataset version, read
from its metadata) is completed rather than started again. Examples without a run, or whose
run failed (the judge call still failing after its retries: the run is stored with Phoenix's
``error`` set, so it may be replaced), are judged again; runs without a successful
``exact_match`` are evaluated. Phoenix allows one run per example and repetition, so a resume
never duplicates a run.

Phoenix calls are retried briefly; when Phoenix stays away, :class:`PhoenixGone` says how far
the experiment got, and re-running the same command resumes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

from evaluators.judge import Judge
from evaluators.labels import ERROR
from pipeline.errors import UserError
from pipeline.experiment_runs import EXACT_MATCH, READ_TIMEOUT, judge_experiments
from pipeline.labeled_examples import LabeledDataset, LabeledExample
from pipeline.settings import Settings

if TYPE_CHECKING:
    from phoenix.client import AsyncClient, Client

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
    to_evaluate: list[tuple[LabeledExample, dict[str, Any]]] = field(default_factory=list)
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


def node_ids(labeled: LabeledDataset) -> dict[str, str]:
    """Example id -> the id Phoenix records in runs (``node_id``; the same unless the dataset
    was uploaded with its own example ids)."""
    return {e["id"]: e.get("node_id") or e["id"] for e in labeled.dataset.examples}


def exact_match(output: Any, expected: Any) -> dict[str, Any]:
    """The experiment's evaluator: 1 when the judge gave exactly the human label, else 0."""
    from evaluators.labels import normalize_label

    judge = output.get("label") if isinstance(output, dict) else None
    human = normalize_label(expected.get("label") if isinstance(expected, dict) else None)
    match = judge is not None and judge == human
    return {"score": 1.0 if match else 0.0, "label": "match" if match else "mismatch",
            "explanation": f"judge {judge or ERROR}, human {human}"}


def resumable(client: Client, dataset_id: str, metadata: dict[str, Any]
              ) -> dict[str, Any] | None:
    """The latest judge experiment on the dataset with the same :data:`RESUME_KEYS`."""
    same = [e for e in judge_experiments(client, dataset_id)
            if all((e.get("metadata") or {}).get(k) == metadata.get(k) for k in RESUME_KEYS)]
    return same[-1] if same else None


def fresh_plan(experiment: dict[str, Any], labeled: LabeledDataset) -> Plan:
    """A new experiment: every example to judge."""
    return Plan(experiment=experiment, to_run=list(labeled.examples))


def plan_for(settings: Settings, experiment: dict[str, Any], labeled: LabeledDataset) -> Plan:
    """Which of ``labeled``'s examples still need a run, and which runs an evaluation."""
    experiment_id = experiment["id"]
    response = httpx.get(f"{settings.phoenix_url}/v1/experiments/{experiment_id}/runs",
                         timeout=READ_TIMEOUT)
    response.raise_for_status()
    runs = {run["dataset_example_id"]: run for run in response.json()["data"]}
    unevaluated = _unevaluated_run_ids(settings, experiment_id)
    ids = node_ids(labeled)
    to_run, to_evaluate = [], []
    for example in labeled.examples:
        run = runs.get(ids[example.id])
        if run is None or run.get("error"):
            to_run.append(example)
        elif run["id"] in unevaluated:
            to_evaluate.append((example, run))
    return Plan(experiment=experiment, to_run=to_run, to_evaluate=to_evaluate, resumed=True)


def _unevaluated_run_ids(settings: Settings, experiment_id: str) -> set[str]:
    """Runs without a successful ``exact_match`` (Phoenix works it out, page by page)."""
    found: set[str] = set()
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 1000, "evaluation_name": [EXACT_MATCH]}
        if cursor:
            params["cursor"] = cursor
        response = httpx.get(
            f"{settings.phoenix_url}/v1/experiments/{experiment_id}/incomplete-evaluations",
            params=params, timeout=READ_TIMEOUT)
        response.raise_for_status()
        body = response.json()
        found |= {item["experiment_run"]["id"] for item in body["data"]}
        cursor = body.get("next_cursor")
        if not cursor:
            return found


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
    """Judge the examples of a :class:`Plan`, storing each run and its evaluation."""

    def __init__(self, settings: Settings, phoenix: AsyncClient, judge: Judge,
                 labeled: LabeledDataset, *, concurrency: int,
                 on_done: Callable[[], None] = lambda: None) -> None:
        self.settings = settings
        self.phoenix = phoenix
        self.judge = judge
        self.labeled = labeled
        self.concurrency = max(1, concurrency)
        self.on_done = on_done
        self.ids = node_ids(labeled)
        self.expected = {e["id"]: e.get("output") or {} for e in labeled.dataset.examples}
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
                for example, run in plan.to_evaluate:
                    group.create_task(self._evaluate(example, run["id"], run.get("output")))
            if self.already_stored:  # their evaluations may be missing: look them up
                for example, run in plan_for(self.settings, plan.experiment,
                                             self.labeled).to_evaluate:
                    await self._evaluate(example, run["id"], run.get("output"), quiet=True)
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
            start = datetime.now(UTC)
            verdict = await self.judge.judge(example.question, example.answer)
            end = datetime.now(UTC)
        output = verdict.as_output()
        try:
            run = await self._write(lambda: self.phoenix.experiments.log_run(
                experiment_id=experiment_id, dataset_example_id=self.ids[example.id],
                output=output, start_time=start, end_time=end,
                error=verdict.error if verdict.label == ERROR else None,
                timeout=POST_TIMEOUT))
        except httpx.HTTPStatusError as error:
            if error.response.status_code != 409:
                raise
            # A retried post whose first attempt was stored after all.
            self.already_stored += 1
            self.on_done()
            return
        self.stored += 1
        await self._evaluate(example, run["id"], output)

    async def _write(self, call: Callable[[], Awaitable[Any]]) -> Any:
        async with self._writes:
            return await _with_retries(call)

    async def _evaluate(self, example: LabeledExample, run_id: str, output: Any, *,
                        quiet: bool = False) -> None:
        result = exact_match(output, self.expected[example.id])
        await self._write(lambda: self.phoenix.experiments.log_evaluation(
            experiment_run_id=run_id, name=EXACT_MATCH, annotator_kind="CODE",
            score=result["score"], label=result["label"], explanation=result["explanation"],
            timeout=POST_TIMEOUT))
        self.evaluated += 1
        if not quiet:
            self.on_done()
