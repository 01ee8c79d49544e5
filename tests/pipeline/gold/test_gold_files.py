"""The gold set's files agree with each other and with gold/README.md, and the labeler a
person uses to write them works from the files alone."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from evaluators.labels import HELPFUL, NOT_HELPFUL
from pipeline.dataset.splits import TEST
from pipeline.errors import UserError
from pipeline.gold import labeler
from pipeline.gold.files import AGENT_AFTER_PROJECT, AGENT_BEFORE, DEMO, GoldFiles
from pipeline.gold.label_rows import final_rows, read_labels, read_rows, write_rows
from pipeline.gold.passes import compare_passes, gold_passes, open_cases, sample, settle
from pipeline.gold.sheet import sections, sheet_text
from pipeline.gold.splits import compute_splits, read_splits
from pipeline.gold.stats import gold_stats, markdown
from pipeline.gold.traces import read_traces

README = DEMO.readme
BLOCK = re.compile(r"<!-- gold-stats -->\n(.*?)<!-- /gold-stats -->", re.DOTALL)


def test_the_readme_reports_the_counts_of_the_files() -> None:
    block = BLOCK.search(README.read_text(encoding="utf-8"))
    assert block, "gold/README.md lacks the <!-- gold-stats --> block"
    expected = markdown(gold_stats(), gold_stats(AGENT_BEFORE), AGENT_AFTER_PROJECT)
    assert block.group(1) == expected, (
        "gold/README.md is out of date: paste `judge-align gold stats --markdown --before "
        f"gold/agent-before --project {AGENT_AFTER_PROJECT}` into it")
    assert "Blind second pass on" in expected and "Cohen's kappa" in expected


def test_the_final_labels_are_the_first_pass_with_the_rulings_applied() -> None:
    for files in (DEMO, AGENT_BEFORE):
        assert read_rows(files.labels) == final_rows(files)
        assert not {r["span_id"] for r in read_rows(files.adjudication)} - open_cases(files)


def test_the_set_is_as_large_and_varied_as_the_judge_needs() -> None:
    """At least 160 traces, both labels at 35% or more and in every question category,
    every rubric rule deciding at least 5 not_helpful labels, a blind second pass on 60 or
    more, a test split of 50 or more."""
    stats = gold_stats()
    labels = stats.labels
    assert len(stats.rows) >= 160
    assert min(labels.values()) / len(stats.rows) >= 0.35
    for category, counts in stats.by("category").items():
        assert min(counts[HELPFUL], counts[NOT_HELPFUL]) >= 1, category
    assert all(stats.rules.get(rule, 0) >= 5 for rule in range(1, 11)), stats.rules
    assert stats.passes is not None and stats.passes.n >= 60 and not stats.passes.unsettled
    assert sum(stats.by("split")[TEST].values()) >= 50


def test_every_label_names_a_whole_recorded_trace() -> None:
    traces = {t["root_span_id"]: t for t in read_traces(DEMO.traces)}
    for row in read_rows(DEMO.labels):
        trace = traces[row["span_id"]]
        kinds = [span["span_kind"] for span in trace["spans"]]
        assert kinds.count("AGENT") == 1 and "LLM" in kinds
        tool_spans = [s for s in trace["spans"] if s["span_kind"] == "TOOL"]
        assert all(s["parent_id"] for s in tool_spans)  # children of the trace, kept whole
        assert trace["answer"] and row["label"] in ("helpful", "not_helpful")


def test_the_split_file_follows_the_stratified_rule() -> None:
    splits = read_splits(DEMO.splits)
    assert splits == compute_splits(DEMO)
    strata: dict[str, list[str]] = {}
    traces = {t["root_span_id"]: t for t in read_traces(DEMO.traces)}
    for row in read_rows(DEMO.labels):
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


def copy_of_gold(tmp_path: Path, labeled: int) -> GoldFiles:
    """A gold set in ``tmp_path`` with the demo's traces and ``labeled`` of them labeled in
    pass 1 (labels made up for the test, alternating)."""
    files = GoldFiles(tmp_path)
    shutil.copy(DEMO.traces, files.traces)
    traces = read_traces(files.traces)
    write_rows(files.pass1, [{"span_id": t["root_span_id"],
                              "label": ("helpful", "not_helpful")[i % 2],
                              "explanation": f"rule {i % 10 + 1}: note {i}"}
                             for i, t in enumerate(traces[:labeled])])
    return files


def test_pass_one_appends_at_once_and_undo_takes_the_last_back(tmp_path: Path) -> None:
    files = copy_of_gold(tmp_path, labeled=len(read_traces(DEMO.traces)) - 3)
    kept = len(read_rows(files.pass1))
    todo, path = labeler.todo(1, n=0, seed=0, files=files)
    assert len(todo) == 3 and path == files.pass1
    keys, notes = iter("hnuns"), iter(["rule 3: x", "rule 4: y", "rule 4: z"])
    done = labeler.run(todo, path, lambda: next(keys, "q"), lambda: next(notes), Screen())
    written = {r["span_id"]: r for r in read_rows(files.pass1)[kept:]}
    assert list(done.written.values()) == ["helpful", "not_helpful"] and done.skipped == 1
    assert [r["explanation"] for r in written.values()] == ["rule 3: x", "rule 4: z"]
    again, _ = labeler.todo(1, n=0, seed=0, files=files)
    assert [t["root_span_id"] for t in again] == [todo[2]["root_span_id"]]  # resumes
    assert labeler.finish(files) == kept + 2
    assert read_rows(files.labels) == read_rows(files.pass1)  # no ruling: pass 1 is final


def test_the_second_pass_is_blind_sampled_and_compared(tmp_path: Path) -> None:
    files = copy_of_gold(tmp_path, labeled=40)
    todo, path = labeler.todo(2, n=10, seed=3, files=files)
    first = {r["span_id"]: r for r in read_rows(files.pass1)}
    assert path == files.pass2 and len(todo) == 10
    assert {t["root_span_id"] for t in todo} == set(sample(sorted(first), 10, 3))
    screen = Screen()
    answers = iter("hn" * 5)
    labeler.run(todo, files.pass2, lambda: next(answers), lambda: "", screen)
    shown = " ".join(screen.shown)
    for trace in todo:  # the first pass's notes are never shown
        assert first[trace["root_span_id"]]["explanation"] not in shown
    result = compare_passes(files.pass1, files.pass2)
    assert result is not None and result.n == 10
    expected = sum((first[t["root_span_id"]]["label"] == ("helpful" if i % 2 == 0
                                                            else "not_helpful"))
                   for i, t in enumerate(todo))
    assert result.agreement.matches == expected
    assert len(result.disagreements) == 10 - expected


def test_a_sheet_shows_each_trace_as_the_labeler_does_and_never_a_label(tmp_path: Path) -> None:
    files = copy_of_gold(tmp_path, labeled=5)
    todo, _ = labeler.todo(1, n=0, seed=0, files=files)
    text = sheet_text(todo)
    assert text.count("=== trace ") == len(todo)
    first = todo[0]
    for title, body in sections(first):
        assert f"--- {title} ---\n{body}" in text
    assert "category" not in text and "variant" not in text


def test_a_filled_in_file_is_checked_whole_then_taken(tmp_path: Path) -> None:
    files = copy_of_gold(tmp_path, labeled=5)
    todo, path = labeler.todo(1, n=0, seed=0, files=files)
    filled = tmp_path / "filled.csv"
    rows = [{"span_id": t["root_span_id"], "label": "Not Helpful", "explanation": "rule 7"}
            for t in todo[:3]]
    write_rows(filled, [*rows, {"span_id": "0" * 16, "label": "helpful", "explanation": ""}])
    with pytest.raises(UserError, match=r"line 5 .*not a trace this pass"):
        labeler.take_file(filled, todo, path)
    assert len(read_rows(files.pass1)) == 5  # nothing written
    write_rows(filled, rows)
    assert labeler.take_file(filled, todo, path) == 3
    assert [r["label"] for r in read_rows(files.pass1)[5:]] == ["not_helpful"] * 3


def test_rulings_settle_only_disagreements_and_make_the_final_labels(tmp_path: Path) -> None:
    files = copy_of_gold(tmp_path, labeled=8)
    first = read_rows(files.pass1)
    flipped = {"helpful": "not_helpful", "not_helpful": "helpful"}
    second = [dict(r, label=flipped[r["label"]] if i < 2 else r["label"])
              for i, r in enumerate(first)]
    write_rows(files.pass2, second)
    rulings = tmp_path / "rulings.csv"
    write_rows(rulings, [{"span_id": first[2]["span_id"], "label": "helpful",
                          "explanation": "rule 1"}])
    with pytest.raises(UserError, match="not a trace the passes disagree on or marked"):
        settle(files, rulings)
    write_rows(rulings, [{"span_id": first[0]["span_id"], "label": second[0]["label"],
                          "explanation": "settled: rule 5"}])
    assert settle(files, rulings) == 1
    final = {r["span_id"]: r for r in read_rows(files.labels)}
    assert final[first[0]["span_id"]]["label"] == second[0]["label"]
    assert final[first[1]["span_id"]]["label"] == first[1]["label"]  # not ruled on: pass 1
    result = gold_passes(files)
    assert result is not None and result.n == 8 and len(result.disagreements) == 2
    assert [d.span_id for d in result.unsettled] == [first[1]["span_id"]]
    assert "Cohen's kappa" in markdown(gold_stats(files))


def test_a_sheet_shows_every_tool_result_whole() -> None:
    """A person checks the answer against all the tool returned (the judge's record is
    compacted: it drops the plan's per-period suggestions)."""
    trace = next(t for t in read_traces(DEMO.traces)
                 if any(s["name"] == "plan_activities" for s in t["spans"]))
    shown = dict(sections(trace))["tool calls"]
    tool = next(s for s in trace["spans"] if s["name"] == "plan_activities")
    plan = json.loads(tool["attributes"]["output.value"])["plan"]
    assert all(suggestion in shown for period in plan for suggestion in period["suggestions"])
    assert shown.startswith("1. ")


def test_a_trace_a_reader_marked_unclear_is_settled_too(tmp_path: Path) -> None:
    files = copy_of_gold(tmp_path, labeled=4)
    rows = read_rows(files.pass1)
    rows[1]["explanation"] = "helpful: looks fine. UNCLEAR: a real city not covered"
    write_rows(files.pass1, rows)
    rulings = tmp_path / "rulings.csv"
    write_rows(rulings, [{"span_id": rows[1]["span_id"], "label": "not_helpful",
                          "explanation": "rule 6: a real city called unknown"}])
    assert settle(files, rulings) == 1  # no second pass: the unclear note opened the case
    assert read_labels(files.labels)[rows[1]["span_id"]] == "not_helpful"
    assert read_labels(files.labels)[rows[0]["span_id"]] == rows[0]["label"]
