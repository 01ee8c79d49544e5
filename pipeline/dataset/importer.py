"""``judge-align dataset import FILE``: bring a gold set that is already labeled.

The file (CSV or JSONL) has, per row, the question (``input`` or ``question``), the answer
(``output`` or ``answer``) and ``label`` (helpful / not_helpful); optional columns: ``id``,
``category``, ``split`` (dev / test), ``explanation``, and ``tools``: the trace's tool
record, a JSON list of ``{"tool", "arguments", "result"}`` or ``{"tool", "arguments",
"error"}`` (in a CSV, that JSON as the cell's text); ``[]`` says no tool was called. Without
it (no column, an empty cell, ``null``) the example has no record (``"tools": null``) and
the judge works from the question and the answer alone. The whole file is checked before
anything is uploaded. Each example's id is the given ``id`` or a hash of question and answer,
so importing the same file again changes nothing, and a corrected label patches its example.
Without a ``split`` column the split comes from the id, like spans (70% dev, 30% test).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evaluators.evidence import ToolCall
from evaluators.labels import HUMAN_LABELS, normalize_label
from pipeline import tabular
from pipeline.dataset.splits import SPLITS, split_for
from pipeline.errors import UserError
from pipeline.phoenix import datasets

if TYPE_CHECKING:
    from pipeline.phoenix.connection import Phoenix

QUESTION_COLUMNS = ("input", "question")
ANSWER_COLUMNS = ("output", "answer")
HINT = "fix the file and run the command again"


@dataclass(frozen=True)
class ImportReport:
    """What an import added, changed or found already there."""

    name: str
    rows: int
    created: int
    updated: int
    unchanged: int
    total: int
    new_version: bool
    url: str


def example_id(question: str, answer: str) -> str:
    """A stable id for a question/answer pair without one."""
    return "import-" + hashlib.sha256(f"{question}\0{answer}".encode()).hexdigest()[:16]


def read_examples(path: Path) -> list[dict[str, Any]]:
    """The examples in ``path``; one UserError for the first problem (and how many more)."""
    rows, columns = tabular.read_rows(path)
    missing = [f"{' or '.join(names)}" for names in (QUESTION_COLUMNS, ANSWER_COLUMNS, ("label",))
               if not columns & set(names)]
    if missing:
        raise UserError(f"{path} has no {' / '.join(missing)} column: the file needs the "
                        "question (input), the answer (output) and label (helpful or "
                        "not_helpful); nothing was written")
    problems: list[str] = []
    seen: dict[str, int] = {}
    examples = []
    for row in rows:
        question, answer = row.text(*QUESTION_COLUMNS), row.text(*ANSWER_COLUMNS)
        label = normalize_label(row.text("label"))
        split = row.text("split").lower() or None
        if not question or not answer:
            problems.append(f"line {row.line}: empty question or answer")
        if label is None:
            problems.append(f"line {row.line}: unknown label {row.text('label')!r} "
                            f"(use {' or '.join(HUMAN_LABELS)})")
        if too_long := tabular.too_long(row, "explanation", tabular.MAX_EXPLANATION):
            problems.append(f"line {row.line}: {too_long}")
        if split is not None and split not in SPLITS:
            problems.append(f"line {row.line}: unknown split {split!r} (use dev or test, or "
                            "leave it empty)")
        key = row.text("id") or example_id(question, answer)
        if key in seen:
            problems.append(f"line {row.line}: duplicate of line {seen[key]} (same id, or same "
                            "question and answer)")
            continue
        seen[key] = row.line
        split = split or split_for(key)
        metadata = {"trace_id": None, "category": row.text("category") or None,
                    "split": split, "source": f"import:{path.name}"}
        if explanation := row.text("explanation"):
            metadata["explanation"] = explanation
        try:
            tools = _tools(row.values.get("tools"))
        except ValueError:
            tools = None
            problems.append(f"line {row.line}: tools is not a JSON list of "
                            '{"tool": ..., "arguments": {...}, "result" or "error": ...}')
        inputs = {"question": question, "answer": answer, "tools": tools}
        examples.append({"id": key, "input": inputs, "output": {"label": label},
                         "metadata": metadata, "splits": split})
    tabular.fail(path, problems, HINT)
    return examples


def _tools(value: Any) -> list[dict[str, Any]] | None:
    """A tool record from a file's cell (a list, or its JSON): None when the cell is empty
    or null (no record), [] for a record of no call; ValueError when it is not a record."""
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else None
    if value is None:
        return None
    if not isinstance(value, list) or not all(
            isinstance(item, dict) and isinstance(item.get("tool"), str) for item in value):
        raise ValueError("not a tool record")
    return [ToolCall.from_dict(item).as_dict() for item in value]


def import_file(phoenix: Phoenix, name: str, path: Path) -> ImportReport:
    """Check ``path`` and add its examples to the dataset ``name`` (created if needed)."""
    examples = read_examples(path)
    existing = datasets.find(phoenix, name)
    current = {example["id"]: example for example in existing.examples} if existing else {}
    todo = [example for example in examples if _differs(example, current.get(example["id"]))]
    result = datasets.upload(phoenix, name, todo, existing) if todo else existing
    assert result is not None  # examples is never empty
    updated = sum(1 for example in todo if example["id"] in current)
    return ImportReport(name=name, rows=len(examples), created=len(todo) - updated,
                        updated=updated, unchanged=len(examples) - len(todo),
                        total=len(result.examples), new_version=bool(todo),
                        url=phoenix.dataset_url(result.id))


def _differs(example: dict[str, Any], current: Any) -> bool:
    """Whether ``example`` changes the stored ``current`` (one stored before inputs always
    carried ``tools`` lacks the key: that is the same as no record)."""
    if current is None:
        return True
    stored = {key: dict(current.get(key) or {}) for key in ("input", "output", "metadata")}
    stored["input"].setdefault("tools", None)
    return any(example[key] != stored[key] for key in stored)
