"""The alignment report: how far the judge is from the humans, at a glance and row by row;
and the comparison of every judge experiment on a dataset."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evaluators.labels import ERROR, HELPFUL, HUMAN_LABELS, INVALID, JUDGE_OUTCOMES
from evaluators.metrics import Agreement
from pipeline.experiment.compare import ExperimentSummary
from pipeline.experiment.report import SPLIT_GAP_WARNING, ExperimentReport
from pipeline.views.format import interval, number, pct, truncate

ANSWER_CHARS = 160
QUESTION_CHARS = 100


def agreement_table(a: Agreement, title: str = "Agreement with the human labels",
                    auroc: float | None = None) -> Table:
    helpful_rows = sum(a.confusion[HELPFUL].values())
    not_helpful_rows = a.n - helpful_rows
    table = Table(title=title, title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("95% interval", justify="right")
    table.add_row("match rate", f"{pct(a.match_rate.value)} ({a.matches}/{a.n})",
                  interval(a.match_rate))
    table.add_row("Cohen's kappa", number(a.kappa), "")
    table.add_row("AUROC of P(helpful)", number(auroc) if auroc is not None
                  else "n/a (no probabilities)", "")
    table.add_row("TPR (helpful rows the judge calls helpful)",
                  f"{pct(a.tpr)} ({a.confusion[HELPFUL][HELPFUL]}/{helpful_rows})", "")
    table.add_row("TNR (not_helpful rows the judge calls not_helpful)",
                  f"{pct(a.tnr)} ({a.confusion['not_helpful']['not_helpful']}/"
                  f"{not_helpful_rows})", "")
    table.add_row("invalid replies", str(a.invalid), "")
    table.add_row("failed calls", str(a.errors), "")
    table.add_row("pass rate: humans", pct(a.human_pass_rate), "")
    table.add_row("pass rate: judge, raw", pct(a.judge_pass_rate), "")
    corrected = a.corrected_pass_rate
    table.add_row("pass rate: judge, corrected (Rogan-Gladen)",
                  pct(corrected.value) if corrected else "n/a (TPR + TNR <= 1)",
                  interval(corrected))
    return table


def confusion_table(a: Agreement) -> Table:
    table = Table(title="Confusion matrix (rows: humans, columns: judge)", title_justify="left")
    table.add_column("human \\ judge")
    for outcome in JUDGE_OUTCOMES:
        table.add_column(outcome, justify="right")
    table.add_column("total", justify="right")
    for human in HUMAN_LABELS:
        counts = a.confusion[human]
        table.add_row(human, *(str(counts[o]) for o in JUDGE_OUTCOMES),
                      str(sum(counts.values())))
    return table


def split_table(report: ExperimentReport) -> Table:
    table = Table(title="By split (dev tunes the prompt, test checks it once)",
                  title_justify="left")
    for column in ("split", "N", "match rate", "95% interval", "kappa", "TPR", "TNR", "AUROC"):
        table.add_column(column, justify="left" if column == "split" else "right")
    for split, a in report.by_split.items():
        table.add_row(split, str(a.n), pct(a.match_rate.value), interval(a.match_rate),
                      number(a.kappa), pct(a.tpr), pct(a.tnr), number(report.auroc_of(split)))
    return table


def disagreement_table(report: ExperimentReport) -> Table:
    table = Table(title=f"Disagreements ({len(report.disagreements)})", title_justify="left",
                  show_lines=True)
    table.add_column("question", ratio=2)
    table.add_column("answer", ratio=3)
    table.add_column("human")
    table.add_column("judge")
    table.add_column("judge's reason", ratio=2)
    for row in report.disagreements:
        judge_style = "red" if row.run.judge in (INVALID, ERROR) else "yellow"
        table.add_row(truncate(row.example.question, QUESTION_CHARS),
                      truncate(row.example.answer, ANSWER_CHARS), row.example.label,
                      f"[{judge_style}]{row.run.judge}[/]",
                      truncate(row.run.reason or row.run.error or "", ANSWER_CHARS))
    return table


def render(report: ExperimentReport, console: Console) -> None:
    """Print the whole report."""
    data = report.dataset
    skipped = []
    if data.unlabeled:
        skipped.append(f"{data.unlabeled} unlabeled")
    if data.malformed:
        skipped.append(f"{data.malformed} without question or answer")
    if data.unknown_labels:
        skipped.append(f"{sum(data.unknown_labels.values())} with an unknown label")
    if data.outside_split:
        skipped.append(f"{data.outside_split} outside the {data.split} split")
    console.print(f"[bold]{escape(report.experiment_name)}[/]: prompt {report.prompt.version} "
                  f"(Phoenix prompt version {report.prompt.version_id}), "
                  f"model {escape(report.model)}")
    console.print(f"dataset {escape(repr(data.dataset.name))} version "
                  f"{data.dataset.version_id}, split {data.split}: {len(report.rows)} labeled "
                  "examples judged" + (f"; skipped {', '.join(skipped)}" if skipped else ""))
    console.print(agreement_table(report.agreement, auroc=report.auroc))
    console.print(confusion_table(report.agreement))
    if report.by_split:
        console.print(split_table(report))
        gap = report.split_gap
        if gap is not None and gap > SPLIT_GAP_WARNING:
            console.print(f"[yellow]warning: dev and test agreement differ by {gap:.1%} "
                          f"(more than {SPLIT_GAP_WARNING:.0%}): the prompt may be tuned to "
                          "dev; trust the test figure[/]")
    if report.missing_annotations:
        console.print(f"[yellow]warning: {report.missing_annotations} runs carry no "
                      f"exact_match annotation in Phoenix[/]")
    if report.disagreements:
        console.print(disagreement_table(report))
    else:
        console.print("No disagreements: the judge gave the human label on every row.")
    render_links(report, console)


def render_links(report: ExperimentReport, console: Console) -> None:
    """Where to look in Phoenix: the experiment, its compare view, its traces, its prompt."""
    links = report.links
    console.print(f"Phoenix experiment: {links.experiment}", soft_wrap=True)
    console.print(f"  compare view: {links.compare}", soft_wrap=True)
    console.print(f"  judge traces (one per run): {links.traces}", soft_wrap=True)
    console.print(f"  prompt {escape(report.prompt.version)} as used: {links.prompt}",
                  soft_wrap=True)
    if links.source_traces:
        console.print(f"  labeled traces (project {escape(links.source_project or '')}): "
                      f"{links.source_traces}", soft_wrap=True)


def status_lines(result: ExperimentReport) -> list[str]:
    """What this call did to the experiment, and what to do about calls that failed."""
    lines = []
    outcome = result.outcome
    if outcome is not None and outcome.resumed:
        lines.append(
            f"resumed experiment {result.experiment_name}: judged {outcome.ran} missing or "
            f"failed examples, evaluated {outcome.evaluated} runs" if outcome.ran or
            outcome.evaluated else
            f"experiment {result.experiment_name} is already complete for this prompt "
            "version, model, split and dataset version: showing it (--fresh runs a new one)")
    if result.agreement.errors:
        lines.append(f"{result.agreement.errors} judge calls still failed after their retries: "
                     "re-run the same command to retry only those")
    return lines


def comparison_table(summaries: list[ExperimentSummary], dataset_name: str) -> Table:
    table = Table(title=f"Judge experiments on {escape(repr(dataset_name))}",
                  title_justify="left")
    for column in ("prompt", "model", "split", "N", "match rate", "95% interval", "kappa",
                   "dev", "test", "date"):
        table.add_column(column, justify="right" if column in (
            "N", "match rate", "kappa", "dev", "test") else "left")
    best = max((s.match_rate.value for s in summaries if s.match_rate), default=None)
    for s in summaries:
        rate = pct(s.match_rate.value if s.match_rate else None)
        if best is not None and s.match_rate and s.match_rate.value == best:
            rate = f"[bold green]{rate}[/]"
        table.add_row(escape(s.prompt), escape(s.model), s.split, str(s.n), rate,
                      interval(s.match_rate), number(s.kappa),
                      pct(s.by_split.get("dev")), pct(s.by_split.get("test")),
                      s.created_at[:16].replace("T", " "))
    return table


def render_comparison(summaries: list[ExperimentSummary], dataset_name: str,
                      compare_url: str, experiments_url: str, console: Console) -> None:
    """The comparison table with the Phoenix links (or what to run when there is nothing)."""
    if not summaries:
        console.print(f"No judge experiment on {escape(repr(dataset_name))} yet: run one with "
                      "`make experiment PROMPT=v3`.")
        return
    console.print(comparison_table(summaries, dataset_name))
    console.print(f"Phoenix compare: {compare_url}")
    console.print(f"All experiments: {experiments_url}")
