"""The table of ``judge-align invariance``: per perturbation, how many verdicts held."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evaluators.checks.perturb import SAME
from evaluators.labels import NOT_HELPFUL
from pipeline.judging.invariance import InvarianceReport
from pipeline.views.format import minutes_seconds, pct

SHOWN_BROKEN = 3
"""Row ids shown per perturbation whose verdict did not hold."""


def expectation(expect: str) -> str:
    return "unchanged" if expect == SAME else f"helpful -> {expect}"


def invariance_table(report: InvarianceReport) -> Table:
    """One line per perturbation: what it must do, on how many rows, how many held."""
    table = Table(title=f"Invariance of {report.version} on {report.dataset} "
                        f"({report.split}, {report.rows} rows)", title_justify="left")
    for name, justify in (("perturbation", "left"), ("verdict must be", "left"),
                          ("tried", "right"), ("held", "right"), ("rate", "right"),
                          ("skipped", "right"), ("rows that broke", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for tally in report.tallies:
        broken = ", ".join(tally.broken[:SHOWN_BROKEN]) + (
            f" (+{len(tally.broken) - SHOWN_BROKEN})" if len(tally.broken) > SHOWN_BROKEN
            else "")
        rate = pct(tally.rate)
        if tally.rate is not None and tally.rate < 1:
            rate = f"[yellow]{rate}[/]"
        table.add_row(f"{tally.name}\n[dim]{escape(tally.what)}[/]", expectation(tally.expect),
                      str(tally.tried), str(tally.held), rate, str(tally.skipped),
                      escape(broken))
    return table


def render_invariance(report: InvarianceReport, console: Console) -> None:
    """The judge, the table and the totals of both kinds."""
    judged_by = (f"model {escape(report.model)}" if report.model
                 else "code only, no model call")
    console.print(f"[bold]{report.version}[/] ({report.mode}, {judged_by}); perturbations of "
                  f"{escape(report.source)}; {report.judged} verdicts in "
                  f"{minutes_seconds(report.seconds)}")
    console.print(invariance_table(report))
    for expect, what in ((SAME, "invariant (verdict unchanged)"),
                         (NOT_HELPFUL, "directional (helpful turned not_helpful)")):
        held, tried = report.totals(expect)
        console.print(f"{what}: {held}/{tried} held"
                      + (f" ({pct(held / tried)})" if tried else ""))
    if report.unlabeled:
        console.print(f"[yellow]{report.unlabeled} verdicts were no label (failed calls or "
                      "unreadable replies): their rows are counted as skipped[/]")
