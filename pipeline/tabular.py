"""Read a small CSV or JSONL file as rows that remember their line number, for clear errors.

Lines end at "\\n" (or "\\r\\n") and nowhere else, in both formats; a CSV record's line is the
one where it starts, even when a quoted field spans several lines.
"""

from __future__ import annotations

import contextlib
import csv
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import UserError

FORMATS = (".csv", ".jsonl", ".ndjson")
JSON_WHITESPACE = " \t\r\n"
# The longest explanation a labels file or an imported gold set may give, in characters,
# whatever the format (Phoenix stores and shows every character of it).
MAX_EXPLANATION = 10_000


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
    lines = _lines(path)
    rows = _read_csv(path, lines) if suffix == ".csv" else _read_jsonl(path, lines)
    if not rows:
        raise UserError(f"{path} has no rows: add at least one")
    columns = {name for row in rows for name in row.values}
    return rows, columns


def too_long(row: Row, name: str, limit: int) -> str | None:
    """A problem (without the line number) when the text in column ``name`` is longer than
    ``limit`` characters, else None."""
    size = len(row.text(name))
    if size <= limit:
        return None
    return f"{name} has {size:,} characters, more than the {limit:,} allowed (shorten it)"


def _lines(path: Path) -> list[str]:
    """The file's lines, each with its ending: split at "\\n" only (so also at "\\r\\n").

    ``str.splitlines`` would also split at U+2028, U+2029, U+0085, form feeds, vertical tabs
    and lone "\\r", all of which may stand inside a JSON string or a CSV field. Nothing is
    translated (``newline=""``), as the csv module wants.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            text = file.read()
    except UnicodeDecodeError as error:
        raise UserError(f"{path} is not UTF-8 text ({error.reason}): save it as UTF-8") from None
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


@contextlib.contextmanager
def _csv_fields_unlimited() -> Iterator[None]:
    """Lift the csv module's field size limit (131,072 characters) while reading, so long
    values meet the same checks as in JSONL instead of a CSV parsing error."""
    previous = csv.field_size_limit(sys.maxsize)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _read_csv(path: Path, lines: list[str]) -> list[Row]:
    reader = csv.reader(lines)
    header: list[str] | None = None
    rows = []
    start = 1  # the line where the next record starts (a quoted field may span lines)
    try:
        with _csv_fields_unlimited():
            for record in reader:
                line, start = start, reader.line_num + 1
                if not any(value.strip() for value in record):
                    continue
                if header is None:
                    header = [name.strip().lower() for name in record]
                    continue
                if len(record) > len(header):
                    raise UserError(f"{path} line {line}: more values than header columns: "
                                    "quote values that contain commas")
                missing = [None] * (len(header) - len(record))  # like csv.DictReader
                rows.append(Row(line=line, values=dict(zip(header, [*record, *missing],
                                                           strict=True))))
    except csv.Error as error:
        raise UserError(f"{path} line {start}: not valid CSV ({error})") from None
    return rows


def _read_jsonl(path: Path, lines: list[str]) -> list[Row]:
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip(JSON_WHITESPACE):
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
