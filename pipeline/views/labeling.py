"""The terminal labeler's screen and key reader, and the table of suggested spans."""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pipeline.gold.labeler import HELP as GOLD_HELP
from pipeline.gold.sheet import sections
from pipeline.labeling.labeler import HELP
from pipeline.labeling.suggest import Suggestions
from pipeline.phoenix.spans import RootSpan
from pipeline.views.format import truncate


def read_key() -> str:
    """One key from the terminal without Enter (a whole line when stdin is not a terminal).
    End of input and Ctrl-C/Ctrl-D count as q."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        return line.strip()[:1] if line else "q"
    import termios
    import tty

    descriptor = sys.stdin.fileno()
    saved = termios.tcgetattr(descriptor)
    try:
        tty.setcbreak(descriptor)
        key = sys.stdin.read(1)
    finally:
        termios.tcsetattr(descriptor, termios.TCSADRAIN, saved)
    return "q" if key in ("", "\x03", "\x04") else key


class TerminalScreen:
    """The terminal labeler's screen: each span in panels, messages as lines."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def say(self, message: str) -> None:
        self.console.print(message, markup=False, highlight=False)

    def show(self, span: RootSpan, index: int, total: int) -> None:
        console = self.console
        console.rule(f"span {index + 1} of {total}  ·  {span.span_id}  ·  "
                     f"category {span.category or '-'}")
        console.print(Panel(Text(span.question), title="question", title_align="left"))
        console.print(Panel(Text(span.answer), title="answer", title_align="left"))
        self.say(HELP)


def render_suggestions(result: Suggestions, console: Console, project_url: str) -> None:
    """The table of picks with their reasons, and what to run next."""
    console.print(f"{result.candidates} root spans of {escape(repr(result.project))} have no "
                  f"human label; {sum(result.labeled.values())} have one. Judge versions seen: "
                  f"{result.judge_slots}; unlabeled spans with label-token probabilities: "
                  f"{result.with_probabilities}.")
    if result.judge_slots < 2:
        console.print("[yellow]fewer than two judge versions have labeled these traces: run "
                      "`make judge-traces PROMPT=...` with another version to find "
                      "disagreements[/]")
    if not result.with_probabilities:
        console.print("[yellow]no label-token probabilities recorded (the endpoint gave none, "
                      "or judge-traces has not run): picks rest on disagreement and "
                      "coverage[/]")
    if not result.picks:
        console.print("Nothing to suggest: every answered root span has a human label.")
        return
    table = Table(title=f"Label these next ({len(result.picks)}, seed {result.seed})",
                  title_justify="left")
    for column in ("#", "span id", "category", "why", "question"):
        table.add_column(column, justify="right" if column == "#" else "left")
    for index, pick in enumerate(result.picks, 1):
        table.add_row(str(index), pick.span_id, escape(pick.candidate.category),
                      escape(pick.reason), truncate(pick.candidate.span.question, 70))
    console.print(table)
    by_category = Counter(p.candidate.category for p in result.picks)
    console.print("by category: " + ", ".join(
        f"{escape(c)} {by_category[c]} (labeled {result.labeled[c]}, traces "
        f"{result.population[c]})" for c in sorted(result.population)))
    if result.queue:
        console.print(f"queue: {result.queue}; label them with `judge-align annotate --queue "
                      f"{result.queue}` (or `make annotate QUEUE={result.queue}`)")
    console.print(f"Phoenix project: {project_url}")


class GoldTraceScreen(TerminalScreen):
    """The gold labeler's screen: the whole trace, tool calls included, never a label."""

    def show(self, trace: dict[str, Any], index: int, total: int) -> None:  # type: ignore[override]
        console = self.console
        console.rule(f"trace {index + 1} of {total}  ·  {trace['root_span_id']}")
        for title, text in sections(trace):
            console.print(Panel(Text(text), title=title, title_align="left"))
        self.say(GOLD_HELP)


def read_line() -> str:
    """One line from the terminal (empty at end of input)."""
    return sys.stdin.readline().rstrip("\n")
