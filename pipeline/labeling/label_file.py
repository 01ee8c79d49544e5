"""``judge-align annotate --labels FILE``: human labels from a CSV or JSONL file.

The file is keyed by ``span_id`` and has a ``label`` column (helpful / not_helpful);
``explanation`` and ``annotator`` are optional. The whole file is checked first (label
values, span ids that are root spans of the project, one row per span); any problem
stops everything before a single label is written. Labels that Phoenix already has are not
written again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from evaluators.labels import HUMAN_LABELS, normalize_label
from pipeline import tabular
from pipeline.errors import UserError
from pipeline.phoenix import annotations, spans

if TYPE_CHECKING:
    from pipeline.phoenix.connection import Phoenix

SPAN_ID_COLUMNS = ("span_id", "context.span_id")
HINT = "fix the file (or JUDGE_ALIGN_PROJECT) and run the command again"


@dataclass(frozen=True)
class FileReport:
    """What a labels file wrote: new labels, changed ones, and those Phoenix already had."""

    rows: int
    written: int
    changed: int
    unchanged: int
    config: str


def read_labels(phoenix: Phoenix, project: str, path: Path) -> list[annotations.LabelToWrite]:
    """Every label in ``path``, checked against the project; UserError on any problem."""
    rows, columns = tabular.read_rows(path)
    span_column = next((c for c in SPAN_ID_COLUMNS if c in columns), None)
    if span_column is None:
        raise UserError(f"{path} has no span_id column: add one with the id of each root "
                        "span (the Phoenix UI and `make dataset` show them); nothing was "
                        "written")
    if "label" not in columns:
        raise UserError(f"{path} has no label column: add one with "
                        f"{' or '.join(HUMAN_LABELS)} for each span; nothing was written")
    problems: list[tuple[int, str]] = []
    first_line: dict[str, int] = {}
    labels: list[annotations.LabelToWrite] = []
    for row in rows:
        span_id = row.text(span_column).lower()
        label = normalize_label(row.text("label"))
        if not span_id:
            problems.append((row.line, "no span_id"))
        elif span_id in first_line:
            problems.append((row.line, f"span {span_id} already labeled on line "
                                       f"{first_line[span_id]} (one row per span)"))
        else:
            first_line[span_id] = row.line
        if label is None:
            problems.append((row.line, f"unknown label {row.text('label')!r} "
                                       f"(use {' or '.join(HUMAN_LABELS)})"))
        if too_long := tabular.too_long(row, "explanation", tabular.MAX_EXPLANATION):
            problems.append((row.line, too_long))
        if span_id and label:
            labels.append(annotations.LabelToWrite(
                span_id=span_id, label=label, explanation=row.text("explanation") or None,
                annotator=row.text("annotator") or None, source=f"file:{path.name}"))
    spans.require_project(phoenix, project)
    known = spans.existing_root_spans(phoenix, project, list(first_line))
    problems += [(line, f"span {span_id} is not a root span of project {project!r}")
                 for span_id, line in first_line.items() if span_id not in known]
    tabular.fail(path, [f"line {line}: {text}" for line, text in sorted(problems)], HINT)
    return labels


def apply_file(phoenix: Phoenix, project: str, path: Path) -> FileReport:
    """Check ``path``, set up the annotation config, and write the labels that differ from
    what Phoenix already has."""
    labels = read_labels(phoenix, project, path)
    config = annotations.ensure_config(phoenix, project)
    current = annotations.human_labels(phoenix, project, [label.span_id for label in labels])
    todo = [label for label in labels if _differs(label, current.get(label.span_id))]
    annotations.write_labels(phoenix, todo)
    changed = sum(1 for label in todo if label.span_id in current)
    return FileReport(rows=len(labels), written=len(todo) - changed, changed=changed,
                      unchanged=len(labels) - len(todo), config=config)


def _differs(label: annotations.LabelToWrite, current: annotations.HumanLabel | None) -> bool:
    return current is None or (current.label, current.explanation or None) != (
        label.label, label.explanation)
