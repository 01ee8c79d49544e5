"""Imported files and the tool record: no record (None) is kept apart from a record of no
call ([]), from the file to the examples the judge reads. No server needed."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline.dataset import importer
from pipeline.dataset.examples import labeled_examples
from pipeline.errors import UserError

RECORD = [{"tool": "get_weather", "arguments": {"location": "Oslo"},
           "result": {"temperature": 3.0, "temperature_unit": "°C"}}]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def judged(examples: list[dict]) -> list:
    """The examples as the judge reads them back from a dataset."""
    dataset = SimpleNamespace(examples=examples)
    return labeled_examples(dataset).examples  # type: ignore[arg-type]


def test_a_file_without_a_tools_column_gives_no_record(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "set.csv", [
        {"question": "Oslo weather?", "answer": "3 C and dry.", "label": "helpful"},
        {"question": "Rome?", "answer": "Sunny.", "label": "not_helpful"}])
    examples = importer.read_examples(path)
    assert [e["input"]["tools"] for e in examples] == [None, None]  # stored as null
    assert [e.tools for e in judged(examples)] == [None, None]


def test_a_tools_column_tells_a_record_of_no_call_from_an_empty_cell(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "set.csv", [
        {"question": "Oslo?", "answer": "3 C.", "label": "helpful", "tools": json.dumps(RECORD)},
        {"question": "Rome?", "answer": "Sunny.", "label": "helpful", "tools": "[]"},
        {"question": "Bern?", "answer": "Mild.", "label": "helpful", "tools": ""}])
    examples = importer.read_examples(path)
    assert [e["input"]["tools"] for e in examples] == [RECORD, [], None]
    oslo, rome, bern = judged(examples)
    assert oslo.tools is not None and oslo.tools[0].result["temperature"] == 3.0
    assert rome.tools == ()  # a record: no tool was called
    assert bern.tools is None  # no record at all


def test_jsonl_null_and_missing_tools_are_no_record(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in [
        {"input": "Oslo?", "output": "3 C.", "label": "helpful", "tools": RECORD},
        {"input": "Rome?", "output": "Sunny.", "label": "helpful", "tools": None},
        {"input": "Bern?", "output": "Mild.", "label": "helpful"},
        {"input": "Nice?", "output": "Warm.", "label": "helpful", "tools": []}]) + "\n")
    assert [e["input"]["tools"] for e in importer.read_examples(path)] == [
        RECORD, None, None, []]


@pytest.mark.parametrize("cell", ["not json", '{"tool": "x"}', '[{"arguments": {}}]', "3"])
def test_a_tools_cell_that_is_no_record_is_refused(tmp_path: Path, cell: str) -> None:
    path = write_csv(tmp_path / "bad.csv", [
        {"question": "Q", "answer": "A", "label": "helpful", "tools": cell}])
    with pytest.raises(UserError, match="line 2: tools is not a JSON list"):
        importer.read_examples(path)


def test_an_example_stored_before_tools_was_always_written_is_unchanged() -> None:
    example = {"id": "x", "input": {"question": "Q", "answer": "A", "tools": None},
               "output": {"label": "helpful"}, "metadata": {"split": "dev"}}
    stored = {"id": "x", "input": {"question": "Q", "answer": "A"},
              "output": {"label": "helpful"}, "metadata": {"split": "dev"}}
    assert not importer._differs(example, stored)
    assert importer._differs({**example, "input": {**example["input"], "tools": []}}, stored)
