"""What ``make align`` compared on the dev rows, what it chose and wrote, and the proof:
every candidate's dev cross-validation, gold test and external figures with intervals, and
the chosen form's learning curve (a table, and a PNG beside the report)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evaluators.metrics import Agreement, Estimate
from pipeline.align.learning_curve import Point
from pipeline.align.run import AlignReport
from pipeline.views.format import interval, number, pct


def _figure(estimate: Estimate, kappa: float | None) -> str:
    return f"{pct(estimate.value)} ({interval(estimate)}), κ {number(kappa, 2)}"


def _held(agreement: Agreement | None) -> str:
    return "n/a" if agreement is None else _figure(agreement.match_rate, agreement.kappa)


def candidates_table(report: AlignReport) -> Table:
    """Every candidate: repeated cross-validation on dev (each row judged by fits that never
    saw it) and, after the final run, its fit on every dev row scored on each held-out set."""
    held = [h.name for h in report.held_out]
    table = Table(title=f"Candidates for {escape(repr(report.dataset))}: dev "
                        f"{len(report.dev.examples)} rows, {report.folds}-fold CV repeated "
                        f"{report.repeats} times" + "".join(
                            f"; {escape(h.name)} {len(h.labels)} rows"
                            for h in report.held_out), title_justify="left")
    table.add_column("candidate")
    for column in ("dev CV (95% interval), kappa", *(escape(name) for name in held)):
        table.add_column(column, justify="right")
    figures = {id(f.dev): f for f in report.figures}
    for score in sorted(report.scores, key=lambda s: -s.match_rate.value):
        name = escape(score.candidate.name)
        if score is report.winner:
            name = f"[bold green]{name} (chosen)[/]"
        found = figures.get(id(score))
        table.add_row(name, _figure(score.match_rate, score.mean_of("kappa")),
                      *(_held(found.held_out.get(h) if found else None) for h in held))
    return table


def curve_table(points: list[Point], chosen: str) -> Table:
    table = Table(title=f"Learning curve of {escape(chosen)}: refitted on seeded subsets of "
                        "the dev labels, scored on the test split", title_justify="left")
    for column in ("dev labels", "draws", "test agreement (mean)", "lowest", "highest"):
        table.add_column(column, justify="right")
    for p in points:
        table.add_row(str(p.size), str(len(p.rates)), pct(p.mean), pct(p.low), pct(p.high))
    return table


def curve_png(points: list[Point], chosen: str, path: Path) -> Path:
    """The learning curve as a PNG: mean test agreement per number of dev labels, with the
    range over draws."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [p.size for p in points]
    figure, axes = plt.subplots(figsize=(6, 4), dpi=110)
    axes.fill_between(sizes, [p.low for p in points], [p.high for p in points], alpha=0.25,
                      label="lowest to highest draw")
    axes.plot(sizes, [p.mean for p in points], marker="o", label="mean over draws")
    axes.set_xscale("log")
    axes.set_xticks(sizes, [str(s) for s in sizes])
    axes.set_xlabel("dev labels the judge was fitted on")
    axes.set_ylabel("agreement on the test split")
    axes.set_ylim(0, 1)
    axes.grid(alpha=0.3)
    axes.set_title(f"Learning curve: {chosen}", fontsize=9)
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path


def _md_rate(estimate: Estimate, kappa: float | None) -> str:
    return f"{pct(estimate.value)} ({interval(estimate)}) | {number(kappa, 3)}"


def report_markdown(report: AlignReport, curve_png_name: str | None = None) -> str:
    """The candidates and the learning curve as markdown tables (the file written beside the
    plot; the README quotes it)."""
    held = [h.name for h in report.held_out]
    head = ["candidate", "dev CV (95% interval)", "dev kappa"]
    for name in held:
        head += [f"{name} ({len(next(h for h in report.held_out if h.name == name).labels)}"
                 " rows)", f"{name} kappa"]
    lines = [f"# align on {report.dataset}: {report.version}", "",
             f"Dev: {len(report.dev.examples)} rows, {report.folds}-fold cross-validation "
             f"repeated {report.repeats} times; chosen: the simplest candidate within one "
             "paired standard error of the best. Held-out sets read once, after the choice.",
             "", checks_line(report) + ".", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    figures = {id(f.dev): f for f in report.figures}
    for score in sorted(report.scores, key=lambda s: -s.match_rate.value):
        name = score.candidate.name + (" **(chosen)**" if score is report.winner else "")
        cells = [name, _md_rate(score.match_rate, score.mean_of("kappa"))]
        found = figures.get(id(score))
        for h in held:
            a = found.held_out.get(h) if found else None
            cells.append("n/a | n/a" if a is None else _md_rate(a.match_rate, a.kappa))
        lines.append("| " + " | ".join(cells) + " |")
    if report.curve:
        lines += ["", f"Learning curve of {report.winner.candidate.name} (test agreement of "
                      "fits on seeded stratified subsets of the dev labels):", "",
                  "| dev labels | draws | mean | lowest | highest |", "|---|---|---|---|---|"]
        lines += [f"| {p.size} | {len(p.rates)} | {pct(p.mean)} | {pct(p.low)} | "
                  f"{pct(p.high)} |" for p in report.curve]
        if curve_png_name:
            lines += ["", f"![learning curve]({curve_png_name})"]
    return "\n".join(lines) + "\n"


def write_report(report: AlignReport, directory: Path) -> tuple[Path, Path | None]:
    """``<dataset>-<version>.md`` and, with a curve, ``...-learning-curve.png`` beside it."""
    stem = "".join(c if c.isalnum() or c in "._-" else "-" for c in
                   f"{report.dataset}-{report.version}")
    png = (curve_png(report.curve, report.winner.candidate.name,
                     directory / f"{stem}-learning-curve.png") if report.curve else None)
    markdown = directory / f"{stem}.md"
    markdown.write_text(report_markdown(report, png.name if png else None), encoding="utf-8")
    return markdown, png


def checks_line(report: AlignReport) -> str:
    """Which checks module the checklist candidates came from, or that there were none."""
    line = (f"checks module: {report.checks} (checklist and stacked candidates use it)"
            if report.checks else "no checks module named: generic candidates only (name "
            "one in a prompt header or with --checks)")
    if report.left_out:
        line += f"; modes left out: {', '.join(sorted(report.left_out))}"
    return line


def _test_read(report: AlignReport) -> str:
    """Whether this run judged the test rows or showed the version's earlier experiment."""
    outcome = report.experiment.outcome if report.experiment else None
    if outcome is not None and outcome.resumed and not outcome.ran:
        return "this version's experiment was already complete, shown again (nothing re-run)"
    return "the test split was read for the first time by this run"


def render_align(report: AlignReport, prompt_url: str, console: Console,
                 report_dir: Path | None = None) -> None:
    if report.reused:
        console.print(f"{report.reused} dev-row verdicts copied from finished experiments of "
                      "the same prompt text, model and dataset version (not asked again)")
    console.print(checks_line(report), highlight=False)
    console.print(candidates_table(report))
    console.print("chosen: the simplest candidate within one paired standard error of the "
                  "best dev CV agreement", highlight=False)
    console.print(report.fitted.describe(), highlight=False)
    if report.templates_copied:
        console.print(f"made the prompts folder {report.folder} with the packaged templates "
                      f"({', '.join(report.templates_copied)}): yours to edit, and where "
                      "your own versions go", highlight=False)
    state = "written" if report.created else "already there (same fit)"
    console.print(f"prompt version {report.version}: {state}, {report.prompt_path}; "
                  f"Phoenix: {prompt_url}", highlight=False)
    if report.curve:
        console.print(curve_table(report.curve, report.winner.candidate.name))
    if report.experiment is not None:
        dev, test = (report.experiment.by_split.get(s) for s in ("dev", "test"))
        console.print(f"[bold]{report.version} on the whole dataset[/]: dev "
                      f"{pct(dev.match_rate.value) if dev else 'n/a'} (kappa "
                      f"{number(dev.kappa) if dev else 'n/a'}), test "
                      f"{pct(test.match_rate.value) if test else 'n/a'} (kappa "
                      f"{number(test.kappa) if test else 'n/a'}): {_test_read(report)}")
    for name, external in report.external.items():
        a = external.agreement
        console.print(f"[bold]{report.version} on {escape(name)}[/]: "
                      f"{_figure(a.match_rate, a.kappa)} over {a.n} rows")
    if report_dir is not None and report.figures:
        markdown, png = write_report(report, report_dir)
        console.print(f"report: {markdown}" + (f"; learning curve plot: {png}" if png else ""))
