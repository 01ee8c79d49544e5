"""Read a small CSV or JSONL file as rows that remember their line number, for clear errors."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import UserError

FORMATS = (".csv", ".jsonl", ".ndjson")


@dataclass(frozen=True)
class Row:
    """One record of the file; ``line`` is where it starts (1 = the first line)."""

    line: int
    values: dict[str, Any]

    def text(self, *names: str) -> str:
        """The first of ``names`` that has a non-empty value, stripped ("" if none)."""
        for name in names:
            value = self.values.get(name)
            if value is not None and str(value).strip():
                return str(value).strip()
        return ""


def read_rows(path: Path) -> tuple[list[Row], set[str]]:
    """The rows of ``path`` and every column name seen (CSV header, or JSONL keys)."""
    if not path.is_file():
        raise UserError(f"{path} does not exist: give the path of a .csv or .jsonl file")
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UserError(f"{path}: unknown format {suffix or '(no extension)'}: use a .csv "
                        "file with a header row or a .jsonl file with one JSON object per line")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(f"{path} is not UTF-8 text ({error.reason}): save it as UTF-8") from None
    rows = _read_csv(path, text) if suffix == ".csv" else _read_jsonl(path, text)
    if not rows:
        raise UserError(f"{path} has no rows: add at least one")
    columns = {name for row in rows for name in row.values}
    return rows, columns


def _read_csv(path: Path, text: str) -> list[Row]:
    reader = csv.DictReader(text.splitlines(keepends=True))
    rows = []
    try:
        for values in reader:
            if None in values:
                raise UserError(f"{path} line {reader.line_num}: more values than header "
                                "columns: quote values that contain commas")
            if any(str(v or "").strip() for v in values.values()):
                rows.append(Row(line=reader.line_num, values={
                    (k or "").strip().lower(): v for k, v in values.items()}))
    except csv.Error as error:
        raise UserError(f"{path} line {reader.line_num}: not valid CSV ({error})") from None
    return rows


def _read_jsonl(path: Path, text: str) -> list[Row]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values = json.loads(line)
        except json.JSONDecodeError as error:
            raise UserError(f"{path} line {number}: not valid JSON ({error.msg}): write one "
                            "JSON object per line") from None
        if not isinstance(values, dict):
            raise UserError(f"{path} line {number}: expected a JSON object like "
                            '{"span_id": "...", "label": "helpful"}')
        rows.append(Row(line=number, values={str(k).strip().lower(): v
                                             for k, v in values.items()}))
    return rows


def fail(path: Path, problems: list[str], hint: str) -> None:
    """Raise one UserError naming the first problem (and how many more) when any exist."""
    if problems:
        more = f" (and {len(problems) - 1} more problem{'s' * (len(problems) > 2)})" \
            if len(problems) > 1 else ""
        raise UserError(f"{path} {problems[0]}{more}: {hint}; nothing was written")
