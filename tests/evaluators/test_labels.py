"""One label vocabulary: every spelling people use reads the same way everywhere (labels
files, imported gold sets, dataset examples, judge replies)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from phoenix.client.resources.datasets import Dataset

from evaluators.judge import parse_reply
from evaluators.labels import HELPFUL, NOT_HELPFUL, normalize_label
from pipeline.dataset.examples import labeled_examples
from pipeline.dataset.importer import read_examples

SPELLINGS = [("helpful", HELPFUL), ("Helpful", HELPFUL), (" HELPFUL ", HELPFUL),
             ("not_helpful", NOT_HELPFUL), ("Not Helpful", NOT_HELPFUL),
             ("not-helpful", NOT_HELPFUL), ("NOT  HELPFUL", NOT_HELPFUL),
             ("unhelpful", NOT_HELPFUL), ("Unhelpful", NOT_HELPFUL)]


@pytest.mark.parametrize(("text", "label"), SPELLINGS)
def test_every_spelling_has_one_meaning(text: str, label: str) -> None:
    assert normalize_label(text) == label


@pytest.mark.parametrize("text", ["", "meh", "helpful?!x", "not", "very helpful", None, 1])
def test_anything_else_is_no_label(text: object) -> None:
    assert normalize_label(text) is None


def test_a_gold_file_a_dataset_and_a_judge_reply_read_the_same_words(tmp_path: Path) -> None:
    path = tmp_path / "gold.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["question", "answer", "label"])
        writer.writerows((f"question {i}?", f"answer {i}.", text)
                         for i, (text, _) in enumerate(SPELLINGS))
    expected = [label for _, label in SPELLINGS]
    imported = read_examples(path)
    assert [e["output"]["label"] for e in imported] == expected

    dataset = Dataset.from_dict({
        "id": "RGF0YXNldDox", "name": "d", "version_id": "v", "description": None,
        "metadata": {}, "created_at": None, "updated_at": None, "example_count": len(SPELLINGS),
        "examples": [{"id": str(i), "input": {"question": "q?", "answer": "a."},
                      "output": {"label": text}, "metadata": {"split": "dev"},
                      "updated_at": None} for i, (text, _) in enumerate(SPELLINGS)]})
    assert [e.label for e in labeled_examples(dataset).examples] == expected

    assert [parse_reply(f"{text}\nbecause.")[0] for text, _ in SPELLINGS] == expected
