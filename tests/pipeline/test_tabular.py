"""Reading CSV and JSONL files: lines end at "\\n" only, line numbers in errors stay right, and
an explanation has the same size limit in every format. No server."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from pipeline import tabular
from pipeline.dataset import importer
from pipeline.errors import UserError

# Characters str.splitlines() splits at, all of them valid inside a JSON string or CSV field.
LINE_BREAKS_IN_VALUES = ["\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\x1c", "\x1e"]


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def jsonl(*objects: dict) -> str:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects)


@pytest.mark.parametrize("char", LINE_BREAKS_IN_VALUES)
def test_jsonl_strings_may_hold_characters_splitlines_breaks_at(tmp_path: Path,
                                                                 char: str) -> None:
    path = write(tmp_path / "labels.jsonl", jsonl(
        {"span_id": "a", "label": "helpful", "explanation": f"one{char}two"},
        {"span_id": "b", "label": "not_helpful"}))
    rows, columns = tabular.read_rows(path)
    assert [(row.line, row.values["span_id"]) for row in rows] == [(1, "a"), (2, "b")]
    assert rows[0].values["explanation"] == f"one{char}two"
    assert columns == {"span_id", "label", "explanation"}


@pytest.mark.parametrize("char", LINE_BREAKS_IN_VALUES)
def test_csv_fields_may_hold_characters_splitlines_breaks_at(tmp_path: Path, char: str) -> None:
    path = write(tmp_path / "labels.csv", f"span_id,label,explanation\na,helpful,x{char}y\n"
                                          f'b,helpful,"quoted{char}too"\n')
    rows, _ = tabular.read_rows(path)
    assert [(row.line, row.text("explanation")) for row in rows] == [
        (2, f"x{char}y"), (3, f"quoted{char}too")]


def test_crlf_files_read_like_lf_files(tmp_path: Path) -> None:
    csv_rows, _ = tabular.read_rows(write(
        tmp_path / "a.csv", 'span_id,label\r\na,helpful\r\n\r\nb,"not\r\nhelpful"\r\nc,x\r\n'))
    assert [(row.line, row.values["label"]) for row in csv_rows] == [
        (2, "helpful"), (4, "not\r\nhelpful"), (6, "x")]
    jsonl_rows, _ = tabular.read_rows(write(
        tmp_path / "a.jsonl", '{"span_id": "a"}\r\n\r\n{"span_id": "b"}\r\n'))
    assert [(row.line, row.values) for row in jsonl_rows] == [
        (1, {"span_id": "a"}), (3, {"span_id": "b"})]


def test_a_csv_record_is_numbered_by_the_line_it_starts_on(tmp_path: Path) -> None:
    text = ('question,answer,label\n'
            '"a question\nover three\nlines",an answer,helpful\n'
            '\n'
            'q2,"a2",not_helpful\n')
    rows, _ = tabular.read_rows(write(tmp_path / "gold.csv", text))
    assert [row.line for row in rows] == [2, 6]
    assert rows[0].values["question"] == "a question\nover three\nlines"


@pytest.mark.parametrize(("text", "message"), [
    ('a,b\n"x\ny",1\n3,4,5\n', "line 4: more values than header columns"),
    ('a,b\n"multi\nline",1\nx\ry,2\n', "line 4: not valid CSV"),  # a lone CR, unquoted
])
def test_csv_errors_name_the_line_of_the_bad_record(tmp_path: Path, text: str,
                                                    message: str) -> None:
    path = write(tmp_path / "bad.csv", text)
    with pytest.raises(UserError, match=message):
        tabular.read_rows(path)


def test_csv_rows_shorter_than_the_header_keep_every_column(tmp_path: Path) -> None:
    rows, columns = tabular.read_rows(write(tmp_path / "a.csv", "span_id,label\nabc\n"))
    assert columns == {"span_id", "label"} and rows[0].values == {"span_id": "abc",
                                                                  "label": None}


def test_jsonl_errors_name_the_right_line_after_unusual_characters(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.jsonl", jsonl({"q": "a\u2028b\x85c"}, {"q": "d\x0ce"})
                 + "{not json}\n")
    with pytest.raises(UserError, match="line 3: not valid JSON"):
        tabular.read_rows(path)


def test_a_byte_order_mark_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    rows, columns = tabular.read_rows(write(tmp_path / "a.csv", "\ufeffspan_id,label\na,b\n"))
    assert columns == {"span_id", "label"} and rows[0].values["span_id"] == "a"


def gold_file(tmp_path: Path, suffix: str, explanation: str) -> Path:
    rows = [{"question": "Q1", "answer": "A1", "label": "helpful"},
            {"question": "Q2", "answer": "A2", "label": "not_helpful",
             "explanation": explanation}]
    if suffix == ".jsonl":
        return write(tmp_path / "gold.jsonl", jsonl(*rows))
    with (tmp_path / "gold.csv").open("w", newline="") as file:
        writer = csv.DictWriter(file, ["question", "answer", "label", "explanation"])
        writer.writeheader()
        writer.writerows(rows)
    return tmp_path / "gold.csv"


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
@pytest.mark.parametrize("size", [tabular.MAX_EXPLANATION + 1, 200_000, 5_000_000])
def test_an_overlong_explanation_is_refused_alike_in_every_format(
        tmp_path: Path, suffix: str, size: int) -> None:
    limit = csv.field_size_limit()
    path = gold_file(tmp_path, suffix, "x" * size)
    line = 3 if suffix == ".csv" else 2
    with pytest.raises(UserError) as refused:
        importer.read_examples(path)
    assert str(refused.value) == (
        f"{path} line {line}: explanation has {size:,} characters, more than the "
        f"{tabular.MAX_EXPLANATION:,} allowed (shorten it): fix the file and run the command "
        "again; nothing was written")
    assert csv.field_size_limit() == limit  # lifted only while reading


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_an_explanation_at_the_limit_is_kept(tmp_path: Path, suffix: str) -> None:
    explanation = "y" * tabular.MAX_EXPLANATION
    examples = importer.read_examples(gold_file(tmp_path, suffix, explanation))
    assert examples[1]["metadata"]["explanation"] == explanation
