"""Small formatters shared by the tables: percentages, intervals, numbers, one-line text."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from evaluators.metrics import Estimate
from pipeline.phoenix.spans import Unreadable


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def interval(estimate: Estimate | None) -> str:
    if estimate is None or estimate.low is None or estimate.high is None:
        return "n/a"
    return f"{estimate.low:.1%} - {estimate.high:.1%}"


def number(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def truncate(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters, escaped for rich (answers hold brackets)."""
    text = " ".join(text.split())
    return escape(text if len(text) <= limit else text[: limit - 1] + "…")


def minutes_seconds(seconds: float) -> str:
    """``754.2`` -> ``12 min 34 s``; under a minute, ``42.0 s``."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    return f"{whole // 60} min {whole % 60:02d} s"


def print_skipped(skipped: Unreadable, console: Console) -> None:
    """The root spans left out for lack of a question or an answer: how many, why, and one
    line per span (the first few) naming the option that reads it."""
    if not skipped:
        return
    spans = "root span" if len(skipped) == 1 else "root spans"
    console.print(f"[yellow]skipped {len(skipped)} {spans} ({skipped.describe()}):[/]")
    for line in skipped.reasons():
        console.print(f"  {escape(line)}", soft_wrap=True)
