"""The summary of ``judge-traces``: what was judged, raw and corrected pass rates."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evaluators.labels import HELPFUL, INVALID, NOT_HELPFUL
from pipeline.judging.traces import JudgeTracesReport
from pipeline.phoenix import annotations
from pipeline.views.format import interval, pct, print_skipped


def render_judge_traces(report: JudgeTracesReport, console: Console) -> None:
    """The run's counts, the pass rates and what to trust about them."""
    judge = report.judge
    console.print(f"[bold]judge {escape(judge.identifier)}[/]: prompt {judge.prompt_tag} "
                  f"(Phoenix prompt version {judge.prompt_version_id}), model "
                  f"{escape(judge.model)}; project {escape(repr(report.project))}, "
                  f"{escape(report.selection)}")
    table = Table(title="Judge labels on the traces", title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("95% interval", justify="right")
    table.add_row("root spans selected (with a question and an answer)",
                  str(report.selected), "")
    if report.skipped:
        table.add_row(f"skipped: {report.skipped.describe()}", str(len(report.skipped)), "")
    table.add_row(f"already judged by {judge.prompt_tag}", str(report.already_judged), "")
    new = sum(report.new.values())
    table.add_row("judged now", f"{new} ({report.new[HELPFUL]} helpful, "
                  f"{report.new[NOT_HELPFUL]} not_helpful, {report.new[INVALID]} invalid)"
                  + (f" in {report.seconds:.1f} s" if new else ""), "")
    if report.failed:
        table.add_row("[red]failed calls (nothing saved)[/]", str(len(report.failed)), "")
    raw, corrected = report.raw, report.corrected
    found = report.lookup.calibration
    table.add_row("pass rate: judge, raw",
                  f"{pct(raw.value)} ({report.outcomes.count(HELPFUL)}/{len(report.outcomes)})"
                  if raw else "n/a (nothing judged)", interval(raw))
    if found:
        table.add_row("pass rate: corrected (Rogan-Gladen)",
                      pct(corrected.value) if corrected else "n/a (TPR + TNR <= 1)",
                      interval(corrected))
        table.add_row("  measured by", escape(f"{found.experiment_name} "
                      f"({found.created_at:%Y-%m-%d}, {found.n} labeled rows)"), "")
        table.add_row("  TPR / TNR / match rate",
                      f"{pct(found.tpr)} / {pct(found.tnr)} / {pct(found.match_rate)}", "")
    console.print(table)
    print_skipped(report.skipped, console)
    if report.failed:
        span_id, error = report.failed[0]
        calls = "call" if len(report.failed) == 1 else "calls"
        console.print(f"[yellow]{len(report.failed)} {calls} failed after their retries (first: "
                      f"span {span_id}: {escape(error)}); re-run the same command to retry "
                      "them[/]")
    if not found:
        console.print(f"[yellow]raw pass rate only: {escape(report.lookup.missing)} to measure "
                      "the judge's error rates and correct for them[/]")
    for warning in report.warnings:
        console.print(f"[yellow]warning: {escape(warning)}[/]")
    console.print(f"Phoenix project (judge labels under {annotations.JUDGE!r}): "
                  f"{report.project_url}")
