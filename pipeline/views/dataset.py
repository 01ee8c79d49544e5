"""Tables for the dataset: what a build added, and the labels copied into it."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from pipeline.dataset.build import BuildReport
from pipeline.dataset.importer import ImportReport
from pipeline.labeling.sync import LabelsReport
from pipeline.views.format import print_skipped


def render_build(report: BuildReport, console: Console) -> None:
    """What a dataset build found and added, with the Phoenix link."""
    table = Table(title=f"dataset {report.name}", show_header=False)
    table.add_row("root spans matching", f"{report.matched} ({report.filter})")
    if report.skipped:
        table.add_row("left out", f"{len(report.skipped)} ({report.skipped.describe()})")
    if report.read_by:
        table.add_row("read by", report.read_by)
    table.add_row("added", f"{report.added} (already labeled: {report.added_labeled})")
    if report.moved:
        table.add_row("moved", f"{report.moved} examples to the split the set fixes")
    table.add_row("examples", str(report.total))
    table.add_row("split", "  ".join(f"{k} {v}" for k, v in report.splits.items()))
    table.add_row("Phoenix", report.url)
    console.print(table)
    print_skipped(report.skipped, console)
    if report.moved:
        console.print(f"moved {report.moved} examples to their fixed split")
    if report.new_version:
        console.print(f"added {report.added} new spans as a new dataset version")
    else:
        console.print("nothing new: every matching span is already in the dataset "
                      "(no new version)")


def render_import(report: ImportReport, path: str, console: Console) -> None:
    """What an import of a labeled file did."""
    console.print(f"{path}: {report.rows} examples: {report.created} added, {report.updated} "
                  f"updated, {report.unchanged} already there"
                  + ("" if report.new_version else " (no new dataset version)"))
    console.print(f"dataset {report.name}: {report.total} examples  {report.url}")


def render_labels(report: LabelsReport, console: Console) -> None:
    """The class balance per split, what changed, and warnings about a thin class."""
    table = Table(title=f"labels in dataset {report.name}")
    table.add_column("label")
    for split in sorted(report.by_split):
        table.add_column(split, justify="right")
    table.add_column("all", justify="right")
    table.add_column("share", justify="right")
    for label, count in report.balance.items():
        share = f"{count / report.labeled:.0%}" if report.labeled else "-"
        table.add_row(label, *[str(report.by_split[s][label]) for s in sorted(report.by_split)],
                      str(count), share)
    console.print(table)
    console.print(f"{report.examples} examples: {report.labeled} labeled, "
                  f"{report.unlabeled} still without a label")
    if report.new_version:
        console.print(f"copied {report.updated} new or changed human labels into the dataset "
                      "(a new dataset version)")
    else:
        console.print("the dataset already has every human label (no new version)")
    if report.split_changes:
        console.print(f"put {report.split_changes} examples into the Phoenix dataset split "
                      "(dev / test) their metadata names")
    for warning in report.warnings():
        console.print(f"[yellow]warning:[/] {warning}")
    console.print(f"Phoenix: {report.url}")
