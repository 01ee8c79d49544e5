"""What ``make align`` compared on the dev rows, what it chose and wrote, and the proof."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.align.run import AlignReport
from pipeline.views.format import number, pct


def candidates_table(report: AlignReport) -> Table:
    """Every candidate's agreement on held-out dev rows (k-fold cross-validation)."""
    table = Table(title=f"Candidates on the dev split of {escape(repr(report.dataset))} "
                        f"({len(report.dev.examples)} rows, each judged by a fit that never "
                        "saw it)", title_justify="left")
    for column in ("candidate", "match rate", "kappa", "TPR", "TNR"):
        table.add_column(column, justify="left" if column == "candidate" else "right")
    for score in sorted(report.scores, key=lambda s: -s.match_rate):
        a = score.agreement
        name = escape(score.candidate.name)
        if score is report.winner:
            name = f"[bold green]{name} (chosen)[/]"
        table.add_row(name, pct(a.match_rate.value), number(a.kappa), pct(a.tpr), pct(a.tnr))
    return table


def fit_lines(report: AlignReport) -> list[str]:
    """The fit written into the version's header: threshold or weights."""
    fitted = report.fitted
    if fitted.combiner is not None and fitted.combiner.weights:
        weights = ", ".join(f"{name} {weight:+.2f}" for name, weight in
                            sorted(fitted.combiner.weights.items(), key=lambda kv: kv[1]))
        return [f"weights (fitted on every dev row): bias {fitted.combiner.bias:+.2f}, "
                f"{weights}; helpful when P >= {fitted.combiner.threshold}"]
    if fitted.combiner is not None:
        return ["rule: not_helpful as soon as one failure check fires (nothing fitted)"]
    if fitted.mode == "probability":
        return [f"threshold on P(helpful), fitted on every dev row: {fitted.threshold:.3f}"]
    return ["the label the model writes (nothing fitted)"]


def _test_read(report: AlignReport) -> str:
    """Whether this run judged the test rows or showed the version's earlier experiment."""
    outcome = report.experiment.outcome if report.experiment else None
    if outcome is not None and outcome.resumed and not outcome.ran:
        return "this version's experiment was already complete, shown again (nothing re-run)"
    return "the test split was read for the first time by this run"


def render_align(report: AlignReport, prompt_url: str, console: Console) -> None:
    if report.reused:
        console.print(f"{report.reused} dev-row verdicts copied from finished experiments of "
                      "the same prompt text, model and dataset version (not asked again)")
    console.print(candidates_table(report))
    for line in fit_lines(report):
        console.print(line, highlight=False)
    if report.templates_copied:
        console.print(f"made the prompts folder {report.folder} with the packaged templates "
                      f"({', '.join(report.templates_copied)}): yours to edit, and where "
                      "your own versions go", highlight=False)
    state = "written" if report.created else "already there (same fit)"
    console.print(f"prompt version {report.version}: {state}, "
                  f"{report.folder / f'{report.version}.txt'}; Phoenix: {prompt_url}",
                  highlight=False)
    if report.experiment is not None:
        dev, test = (report.experiment.by_split.get(s) for s in ("dev", "test"))
        console.print(f"[bold]{report.version} on the whole dataset[/]: dev "
                      f"{pct(dev.match_rate.value) if dev else 'n/a'} (kappa "
                      f"{number(dev.kappa) if dev else 'n/a'}), test "
                      f"{pct(test.match_rate.value) if test else 'n/a'} (kappa "
                      f"{number(test.kappa) if test else 'n/a'}): {_test_read(report)}")
