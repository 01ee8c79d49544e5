"""Run the agent over N questions with a progress bar, then print a summary.

Phoenix being down does not stop the run: the agent answers every question, warns once, and
the summary says how many traces could not be delivered (counted by the exporter).
"""

from __future__ import annotations

import datetime as dt
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from agent_demo.agent import AgentResult, WeatherAgent
from agent_demo.questions import load_questions, sample_questions
from agent_demo.tracing import phoenix_reachable, traced
from pipeline.errors import UserError
from pipeline.settings import Settings


@dataclass
class RunSummary:
    session_id: str
    results: list[AgentResult] = field(default_factory=list)
    undelivered_traces: int = 0
    warnings: list[str] = field(default_factory=list)
    project_url: str | None = None

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


class WarnOnce:
    """Prints the first warning it is given and records, silently, that more happened."""

    def __init__(self, console: Console, summary: RunSummary) -> None:
        self.console = console
        self.summary = summary
        self._lock = threading.Lock()

    def __call__(self, message: str) -> None:
        with self._lock:
            first = not self.summary.warnings
            self.summary.warnings.append(message)
        if first:
            self.console.print(f"[yellow]warning:[/] {message}")


def _phoenix_down_message(settings: Settings) -> str:
    return (f"Phoenix is not reachable at {settings.phoenix_url}: the agent answers anyway, "
            "but its traces will not be delivered (start Phoenix with `make up`)")


def _check_local_llm(settings: Settings) -> None:
    """Fail fast, before any trace, when the default local model server is not running."""
    if not settings.uses_local_llm:
        return
    try:
        httpx.get(f"{settings.llm_base_url}/models", timeout=5).raise_for_status()
    except httpx.HTTPError:
        raise UserError(f"the local model server is not running at {settings.llm_base_url}: "
                        "start it with `make up` (or set OPENAI_API_KEY / OPENAI_BASE_URL)"
                        ) from None


def _project_url(settings: Settings, wait_s: float = 5.0) -> str | None:
    """The project's UI page once Phoenix has ingested the first spans (None if it is down)."""
    from pipeline import connection

    try:
        phoenix = connection.client(settings)
    except UserError:
        return None
    deadline = time.monotonic() + wait_s
    while True:
        url = connection.project_url(settings, phoenix, settings.project)
        if not url.endswith("/projects") or time.monotonic() > deadline:
            return url
        time.sleep(0.5)


def run_agent(settings: Settings, n: int = 10, questions_path: Path | None = None,
              seed: int = 0, console: Console | None = None, max_retries: int = 2,
              timeout_s: float = 300.0, temperature: float = 0.2,
              today: dt.date | None = None, variant: str | None = None) -> RunSummary:
    """Ask ``n`` seeded questions; every answer (or failure) is one trace in Phoenix."""
    from openai import OpenAI

    console = console or Console()
    questions = sample_questions(load_questions(questions_path), n, seed)
    _check_local_llm(settings)
    summary = RunSummary(session_id=f"agent-run-{dt.datetime.now():%Y%m%d-%H%M%S}-"
                                    f"{uuid.uuid4().hex[:6]}")
    warn = WarnOnce(console, summary)
    reachable = phoenix_reachable(settings)
    if not reachable:
        warn(_phoenix_down_message(settings))
    client = OpenAI(base_url=settings.llm_base_url, api_key=settings.llm_api_key,
                    max_retries=max_retries, timeout=timeout_s)
    columns = (TextColumn("[bold]agent[/]"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("{task.description}"))
    with traced(settings, lambda _: warn(_phoenix_down_message(settings)), reachable) as tracing:
        agent = WeatherAgent(client, settings.agent_model_name, tracing.tracer,
                             summary.session_id, temperature=temperature, today=today,
                             variant=variant)
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task("", total=len(questions))
            for question in questions:
                progress.update(task, description=question.category)
                summary.results.append(agent.answer(question.text, question.category))
                progress.advance(task)
    summary.undelivered_traces = tracing.undelivered_traces
    if summary.undelivered_traces < len(summary.results):
        summary.project_url = _project_url(settings)
    return summary


def print_summary(summary: RunSummary, settings: Settings, console: Console) -> None:
    """The closing table, the Phoenix link, and what went wrong if anything did."""
    table = Table(title=f"Agent run {summary.session_id}")
    for column in ("questions", "done", "failed", "mean latency", "tool calls", "tool errors",
                   "not delivered"):
        table.add_column(column, justify="right")
    table.add_row(str(len(summary.results)), str(summary.done), str(summary.failed),
                  f"{summary.mean_latency_s:.1f} s", str(summary.tool_calls),
                  str(summary.tool_errors), str(summary.undelivered_traces))
    console.print(table)
    for result in summary.results:
        if not result.ok:
            console.print(f"[red]failed[/] ({result.category}) {result.question!r}: "
                          f"{result.error}")
    if summary.undelivered_traces:
        console.print(f"[yellow]{summary.undelivered_traces} of {len(summary.results)} traces "
                      f"could not be delivered to Phoenix at {settings.phoenix_url}.[/] Start "
                      "it with `make up` and run the agent again.")
    if summary.project_url:
        console.print(f"Traces in Phoenix (project {settings.project}): {summary.project_url}")
    if summary.results and not summary.done:
        raise UserError(f"every question failed (first: {summary.results[0].error}): check "
                        f"the LLM endpoint {settings.llm_base_url or 'https://api.openai.com'}")
