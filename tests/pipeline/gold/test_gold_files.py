"""The gold set's files agree with each other and with gold/README.md, and the labeler a
person uses to write them works from the files alone."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path
from typing import Any

from pipeline.dataset.splits import TEST
from pipeline.gold import labeler
from pipeline.gold.passes import compare_passes, sample
from pipeline.gold.splits import compute_splits, read_splits
from pipeline.gold.stats import gold_stats, markdown, read_label_rows
from pipeline.gold.traces import GOLD_DIR, LABELS_FILE, TRACES_FILE, read_traces

README = GOLD_DIR / "README.md"
BLOCK = re.compile(r"<!-- gold-stats -->\n(.*?)<!-- /gold-stats -->", re.DOTALL)


def test_the_readme_reports_the_counts_of_the_files() -> None:
    block = BLOCK.search(README.read_text(encoding="utf-8"))
    assert block, "gold/README.md lacks the <!-- gold-stats --> block"
    assert block.group(1) == markdown(gold_stats()), \
        "gold/README.md is out of date: paste `judge-align gold stats --markdown` into it"


def test_every_label_names_a_whole_recorded_trace() -> None:
    traces = {t["root_span_id"]: t for t in read_traces()}
    for row in read_label_rows(LABELS_FILE):
        trace = traces[row["span_id"]]
        kinds = [span["span_kind"] for span in trace["spans"]]
        assert kinds.count("AGENT") == 1 and "LLM" in kinds
        tool_spans = [s for s in trace["spans"] if s["span_kind"] == "TOOL"]
        assert all(s["parent_id"] for s in tool_spans)  # children of the trace, kept whole
        assert trace["answer"] and row["label"] in ("helpful", "not_helpful")


def test_the_split_file_follows_the_stratified_rule() -> None:
    splits = read_splits()
    assert splits == compute_splits()
    strata: dict[str, list[str]] = {}
    traces = {t["root_span_id"]: t for t in read_traces()}
    for row in read_label_rows(LABELS_FILE):
        strata.setdefault(f"{row['label']}|{traces[row['span_id']]['category']}",
                          []).append(splits[row["span_id"]])
    for members in strata.values():
        if len(members) >= 2:
            assert TEST in members and "dev" in members


class Screen:
    def __init__(self) -> None:
        self.shown: list[str] = []

    def show(self, trace: dict[str, Any], index: int, total: int) -> None:
        self.shown.append(json.dumps(trace))

    def say(self, message: str) -> None:
        self.shown.append(message)


def test_pass_one_appends_at_once_and_undo_takes_the_last_back(tmp_path: Path) -> None:
    labels = tmp_path / "labels.csv"
    shutil.copy(LABELS_FILE, labels)
    traces = tmp_path / "traces.jsonl"
    shutil.copy(TRACES_FILE, traces)
    keep = read_label_rows(labels)[:-3]  # three traces lose their label
    with labels.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["span_id", "label", "explanation"])
        writer.writeheader()
        writer.writerows(keep)
    todo, path = labeler.todo(1, n=0, seed=0, traces_path=traces, labels_path=labels)
    assert len(todo) == 3 and path == labels
    keys, notes = iter("hnuns"), iter(["rule 3: x", "rule 4: y", "rule 4: z"])
    done = labeler.run(todo, path, lambda: next(keys, "q"), lambda: next(notes), Screen())
    written = {r["span_id"]: r for r in read_label_rows(labels)[len(keep):]}
    assert list(done.written.values()) == ["helpful", "not_helpful"] and done.skipped == 1
    assert [r["explanation"] for r in written.values()] == ["rule 3: x", "rule 4: z"]
    again, _ = labeler.todo(1, n=0, seed=0, traces_path=traces, labels_path=labels)
    assert [t["root_span_id"] for t in again] == [todo[2]["root_span_id"]]  # resumes


def test_the_second_pass_is_blind_sampled_and_compared(tmp_path: Path) -> None:
    second = tmp_path / "pass2.csv"
    todo, path = labeler.todo(2, n=10, seed=3, second_path=second)
    first = {r["span_id"]: r for r in read_label_rows(LABELS_FILE)}
    assert path == second and len(todo) == 10
    assert {t["root_span_id"] for t in todo} == set(sample(sorted(first), 10, 3))
    screen = Screen()
    answers = iter("hn" * 5)
    labeler.run(todo, second, lambda: next(answers), lambda: "", screen)
    shown = " ".join(screen.shown)
    for trace in todo:  # the first pass's notes are never shown
        note = first[trace["root_span_id"]]["explanation"]
        assert not note or note not in shown
    result = compare_passes(LABELS_FILE, second)
    assert result is not None and result.n == 10
    expected = sum((first[t["root_span_id"]]["label"] == ("helpful" if i % 2 == 0
                                                            else "not_helpful"))
                   for i, t in enumerate(todo))
    assert result.agreement.matches == expected
    assert len(result.disagreements) == 10 - expected
