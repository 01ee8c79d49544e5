"""The demo's closing table: how long each step took."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from pipeline.views.format import minutes_seconds


def render_step_times(step_seconds: dict[str, float], total: float, console: Console) -> None:
    """Each step's wall time and its share of the whole run."""
    table = Table(title="time per step")
    table.add_column("step")
    table.add_column("time", justify="right")
    table.add_column("share", justify="right")
    for title, seconds in step_seconds.items():
        table.add_row(title, minutes_seconds(seconds), f"{seconds / total:.0%}" if total else "")
    table.add_row("all (stack start not included)", minutes_seconds(total), "100%")
    console.print(table)
