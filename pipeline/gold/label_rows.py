"""The gold set's label files (``span_id,label,explanation``): read, append, import a file
an annotator filled in, and derive the final labels from the passes and the rulings."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from evaluators.labels import normalize_label
from pipeline import tabular
from pipeline.errors import UserError
from pipeline.gold.files import GoldFiles

FIELDS = ("span_id", "label", "explanation")


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a labels file (none when it does not exist); a set of imported examples
    names each by ``id`` instead of ``span_id``."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [{"span_id": row.get("span_id") or row.get("id") or "",
                 "label": row.get("label") or "", "explanation": row.get("explanation") or ""}
                for row in csv.DictReader(handle)]


def read_labels(path: Path) -> dict[str, str]:
    """``{span_id: label}`` of a labels file."""
    return {row["span_id"]: row["label"] for row in read_rows(path)}


def write_rows(path: Path, rows: Iterable[dict[str, str]]) -> None:
    """Write ``rows`` as the whole file (through a temporary file: never half written)."""
    temporary = path.with_suffix(".tmp")
    with temporary.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({key: row.get(key, "") for key in FIELDS} for row in rows)
    temporary.replace(path)


def append_row(path: Path, row: dict[str, str]) -> None:
    """Append one label at once (the header first when the file is new)."""
    new = not path.is_file() or path.stat().st_size == 0
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
        if new:
            writer.writeheader()
        writer.writerow({key: row.get(key, "") for key in FIELDS})


def final_rows(files: GoldFiles) -> list[dict[str, str]]:
    """The final labels: pass 1, each row a ruling settled replaced by the ruling."""
    rulings = {row["span_id"]: row for row in read_rows(files.adjudication)}
    return [rulings.get(row["span_id"], row) for row in read_rows(files.pass1)]


def write_final(files: GoldFiles) -> int:
    """Write ``labels.csv`` from the passes and the rulings; return how many rows."""
    rows = final_rows(files)
    write_rows(files.labels, rows)
    return len(rows)


def read_filled(path: Path, known: set[str], unknown: str = "no such trace in the gold set"
                ) -> list[dict[str, str]]:
    """The rows of a labels file an annotator filled in (CSV or JSONL, ``span_id`` or ``id``,
    ``label``, ``explanation``), checked whole: each id a known trace, once, with a label."""
    rows, columns = tabular.read_rows(path)
    id_column = "span_id" if "span_id" in columns else "id"
    if id_column not in columns or "label" not in columns:
        raise UserError(f"{path}: needs the columns span_id (or id), label and explanation: "
                        "fix the file and run the command again")
    found: list[dict[str, str]] = []
    seen: set[str] = set()
    for row in rows:
        span_id, label = row.text(id_column), normalize_label(row.text("label"))
        problem = (unknown if span_id not in known else
                   "labeled twice" if span_id in seen else
                   f"label {row.text('label')!r} is not helpful or not_helpful"
                   if label is None else None)
        if problem:
            raise UserError(f"{path} line {row.line} ({span_id or 'no id'}): {problem}: fix the "
                            "file and run the command again")
        seen.add(span_id)
        found.append({"span_id": span_id, "label": label,
                      "explanation": row.text("explanation")})
    return found
