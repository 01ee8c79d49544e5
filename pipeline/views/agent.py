"""The agent run on screen: a progress bar while it asks, a summary table when done."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from agent_demo.run import Callbacks, RunSummary


@contextmanager
def agent_progress(console: Console) -> Iterator[Callbacks]:
    """Callbacks that draw the run as a bar (the current category beside it) and print the
    first warning only (the summary counts the rest)."""
    columns = (TextColumn("[bold]agent[/]"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("{task.description}"))
    warned: list[str] = []
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("", total=None)

        def on_warning(message: str) -> None:
            if not warned:
                console.print(f"[yellow]warning:[/] {message}")
            warned.append(message)

        yield Callbacks(
            on_start=lambda questions: progress.update(task, total=len(questions)),
            on_answer=lambda result: progress.update(task, advance=1,
                                                     description=result.category),
            on_warning=on_warning)


def render_agent_summary(summary: RunSummary, *, project: str, project_url: str | None,
                         phoenix_base: str, console: Console) -> None:
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
                          f"{result.error}", highlight=False)
    if summary.undelivered_traces:
        console.print(f"[yellow]{summary.undelivered_traces} of {len(summary.results)} traces "
                      f"could not be delivered to Phoenix at {phoenix_base}.[/] Start it with "
                      "`make up` and run the agent again.")
    if project_url:
        console.print(f"Traces in Phoenix (project {project}): {project_url}")
