"""Run the agent over N questions: each answer is one trace in Phoenix.

Phoenix being down does not stop the run: the agent answers every question, reports a
warning, and the summary says how many traces could not be delivered (counted by the
exporter). Progress and warnings go to callbacks; the caller draws them.
"""

from __future__ import annotations

import datetime as dt
import statistics
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from agent_demo.agent import AgentResult, WeatherAgent
from agent_demo.questions import Question, load_questions, sample_questions
from agent_demo.tracing import phoenix_reachable, traced


@dataclass(frozen=True)
class ModelEndpoint:
    """The OpenAI-compatible endpoint the agent calls (``base_url`` None: OpenAI)."""

    base_url: str | None
    api_key: str
    model: str


@dataclass
class RunSummary:
    """What a run did: every result, and what could not be delivered to Phoenix."""

    session_id: str
    results: list[AgentResult] = field(default_factory=list)
    undelivered_traces: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(r.ok for r in self.results)

    @property
    def failed(self) -> int:
        return len(self.results) - self.done

    @property
    def mean_latency_s(self) -> float:
        return statistics.fmean(r.latency_s for r in self.results) if self.results else 0.0

    @property
    def tool_calls(self) -> int:
        return sum(len(r.tool_calls) for r in self.results)

    @property
    def tool_errors(self) -> int:
        return sum(not call.ok for r in self.results for call in r.tool_calls)


@dataclass
class Callbacks:
    """Where a run reports: the questions chosen, each result, and warnings (first one shown
    by the caller; all recorded in the summary)."""

    on_start: Callable[[list[Question]], None] = lambda questions: None
    on_answer: Callable[[AgentResult], None] = lambda result: None
    on_warning: Callable[[str], None] = lambda message: None


def _phoenix_down_message(phoenix_url: str) -> str:
    return (f"Phoenix is not reachable at {phoenix_url}: the agent answers anyway, but its "
            "traces will not be delivered (start Phoenix with `make up`)")


def run_agent(endpoint: ModelEndpoint, phoenix_url: str, project: str, *, n: int = 10,
              questions_path: Path | None = None, seed: int = 0, max_retries: int = 2,
              timeout_s: float = 300.0, temperature: float = 0.2,
              today: dt.date | None = None, variant: str | None = None,
              callbacks: Callbacks | None = None) -> RunSummary:
    """Ask ``n`` seeded questions; every answer (or failure) is one trace in ``project``."""
    from openai import OpenAI

    callbacks = callbacks or Callbacks()
    questions = sample_questions(load_questions(questions_path), n, seed)
    summary = RunSummary(session_id=f"agent-run-{dt.datetime.now():%Y%m%d-%H%M%S}-"
                                    f"{uuid.uuid4().hex[:6]}")
    lock = threading.Lock()

    def warn(message: str) -> None:
        with lock:
            summary.warnings.append(message)
        callbacks.on_warning(message)

    reachable = phoenix_reachable(phoenix_url)
    if not reachable:
        warn(_phoenix_down_message(phoenix_url))
    client = OpenAI(base_url=endpoint.base_url, api_key=endpoint.api_key,
                    max_retries=max_retries, timeout=timeout_s)
    callbacks.on_start(questions)
    with traced(phoenix_url, project, lambda _: warn(_phoenix_down_message(phoenix_url)),
                reachable) as tracing:
        agent = WeatherAgent(client, endpoint.model, tracing.tracer, summary.session_id,
                             temperature=temperature, today=today, variant=variant)
        for question in questions:
            result = agent.answer(question.text, question.category)
            summary.results.append(result)
            callbacks.on_answer(result)
    summary.undelivered_traces = tracing.undelivered_traces
    return summary
