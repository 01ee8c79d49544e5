"""The two labeling passes side by side: agreement, kappa and every disagreement."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.gold.passes import PassAgreement
from pipeline.views.format import interval, number, pct


def render_passes(result: PassAgreement | None, console: Console) -> None:
    if result is None:
        console.print("No second labeling pass yet: `judge-align gold label --second-pass` "
                      "(blind, a seeded sample of 60 traces).")
        return
    a = result.agreement
    console.print(f"Second pass on {result.n} traces: agreement {pct(a.match_rate.value)} "
                  f"({interval(a.match_rate)}), Cohen's kappa {number(a.kappa)}")
    if not result.disagreements:
        return
    table = Table(title="Where the two passes disagree", title_justify="left")
    for column in ("span", "pass 1", "pass 2", "note 1", "note 2"):
        table.add_column(column)
    for d in result.disagreements:
        table.add_row(d.span_id, d.first, d.second, escape(d.first_note),
                      escape(d.second_note))
    console.print(table)
