"""Human labels: the annotation config, labels from a file, the terminal labeler, and the
copy of the labels into the dataset, end to end on a real Phoenix."""

from __future__ import annotations

import io
import json
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from pipeline.dataset.build import build
from pipeline.errors import UserError
from pipeline.labeling import labeler
from pipeline.labeling.sync import sync
from pipeline.phoenix import annotations, datasets, splits
from pipeline.settings import Settings
from pipeline.tabular import MAX_EXPLANATION
from pipeline.views.dataset import render_labels
from pipeline.views.labeling import TerminalScreen
from tests.support.stack import base_url, connect
from tests.support.traces import emit_traces, make_traces, run_judge_align


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def cli(settings: Settings, *args: str, project: str, name: str = "", stdin: str | None = None):
    done = run_judge_align(settings, *args, project=project, dataset=name, stdin=stdin)
    assert done.returncode == 0, done.stderr
    return done


def version_count(settings: Settings, name: str) -> int:
    return len(connect(settings).client.datasets.get_dataset_versions(dataset=name))


def human_annotations(settings: Settings, project: str, span_ids: list[str]) -> list[dict]:
    """Every ``helpfulness`` annotation on these spans, straight from the REST API."""
    px = connect(settings)
    return [a for a in px.client.spans.get_span_annotations(
        span_ids=span_ids, project_identifier=project, include_annotation_names=["helpfulness"])
        if a["annotator_kind"] == "HUMAN"]


def write_labels_csv(path: Path, rows: list[tuple[str, ...]], header: str = "span_id,label"
                     ) -> Path:
    path.write_text("\n".join([header, *(",".join(row) for row in rows)]) + "\n")
    return path


def label_for(index: int) -> str:
    return "not_helpful" if index % 3 == 0 else "helpful"


def test_twelve_traces_to_a_labeled_dataset_and_every_rerun_changes_nothing(
        phoenix: Settings, tmp_path: Path) -> None:
    project, name = unique("e2e"), unique("labeled")
    span_ids = emit_traces(phoenix, project, make_traces(12))
    wanted = {span_id: label_for(i) for i, span_id in enumerate(span_ids)}
    # People spell labels their own way: each spelling is read as the canonical label.
    spellings = {"not_helpful": ["Not Helpful", "unhelpful", "not-helpful", "not_helpful"],
                 "helpful": ["Helpful", "helpful"]}
    labels_file = write_labels_csv(tmp_path / "labels.csv",
                                   [(s, spellings[label][i % len(spellings[label])],
                                     f"reason {i}")
                                    for i, (s, label) in enumerate(wanted.items())],
                                   header="span_id,label,explanation")

    def every_step() -> list[str]:
        return [cli(phoenix, "dataset", "build", project=project, name=name).stdout,
                cli(phoenix, "annotate", "--labels", str(labels_file), project=project).stdout,
                cli(phoenix, "labels", project=project, name=name).stdout]

    build, annotate, sync = every_step()
    assert "added 12 new spans" in build
    assert "12 labels: 12 new, 0 changed" in annotate
    assert "12 examples: 12 labeled, 0 still without a label" in sync
    assert "/datasets/" in sync
    assert version_count(phoenix, name) == 2  # the spans, then their labels

    px = connect(phoenix)
    current = datasets.require(px, name)
    response = httpx.get(f"{base_url(phoenix)}/v1/datasets/{current.id}/examples", timeout=30)
    examples = response.json()["data"]["examples"]
    assert len(examples) == 12
    for example in examples:
        assert example["source"]["span_id"] == example["id"]  # linked to its span
        assert example["output"] == {"label": wanted[example["id"]]}
    trace_ids = {e["metadata"]["trace_id"] for e in examples}
    assert len(trace_ids) == 12

    before = human_annotations(phoenix, project, span_ids)
    assert len(before) == 12
    build, annotate, sync = every_step()
    assert "nothing new" in build
    assert "0 new, 0 changed, 12 already in Phoenix" in annotate
    assert "no new version" in sync
    assert version_count(phoenix, name) == 2
    after = human_annotations(phoenix, project, span_ids)
    assert sorted(a["id"] for a in after) == sorted(a["id"] for a in before)

    # The annotation config offers exactly the two labels in the project.
    configs = httpx.get(f"{base_url(phoenix)}/v1/projects/{project}/annotation_configs"
                        ).json()["data"]
    helpfulness = [c for c in configs if c["name"] == "helpfulness"]
    assert len(helpfulness) == 1
    assert [v["label"] for v in helpfulness[0]["values"]] == ["helpful", "not_helpful"]


def test_relabeling_replaces_the_label_and_patches_the_same_example(
        phoenix: Settings, tmp_path: Path) -> None:
    project, name = unique("relabel"), unique("labeled")
    span_ids = emit_traces(phoenix, project, make_traces(3))
    cli(phoenix, "dataset", "build", project=project, name=name)
    first = write_labels_csv(tmp_path / "a.csv", [(s, "helpful") for s in span_ids])
    cli(phoenix, "annotate", "--labels", str(first), project=project)
    cli(phoenix, "labels", project=project, name=name)
    px = connect(phoenix)
    node_ids = {e["id"]: e["node_id"] for e in datasets.require(px, name).examples}

    changed = tmp_path / "b.jsonl"
    changed.write_text(json.dumps({"span_id": span_ids[0], "label": "Not Helpful",
                                   "annotator": "ann"}) + "\n")
    done = cli(phoenix, "annotate", "--labels", str(changed), project=project)
    assert "0 new, 1 changed" in done.stdout
    found = human_annotations(phoenix, project, [span_ids[0]])
    assert len(found) == 1 and found[0]["result"]["label"] == "not_helpful"
    assert found[0]["metadata"]["annotator"] == "ann"

    versions = version_count(phoenix, name)
    done = cli(phoenix, "labels", project=project, name=name)
    assert "copied 1 new or changed" in done.stdout
    assert version_count(phoenix, name) == versions + 1
    examples = datasets.require(px, name).examples
    assert {e["id"]: e["node_id"] for e in examples} == node_ids  # same examples, patched
    assert {e["id"]: e["output"]["label"] for e in examples} == {
        span_ids[0]: "not_helpful", span_ids[1]: "helpful", span_ids[2]: "helpful"}
    assert all(e["source"]["span_id"] == e["id"] for e in examples)
    # the patched example is still in its Phoenix dataset split
    assert phoenix_splits(phoenix, name) == {e["id"]: e["metadata"]["split"] for e in examples}


def phoenix_splits(settings: Settings, name: str) -> dict[str, str]:
    """Example id -> the Phoenix dataset split it is in (as the UI's split filter reads)."""
    px = connect(settings)
    return {example["id"]: split for split in ("dev", "test")
            for example in px.client.datasets.get_dataset(dataset=name, splits=[split]).examples}


def test_labels_puts_examples_into_the_phoenix_split_their_metadata_names(
        phoenix: Settings) -> None:
    """A dataset uploaded without Phoenix splits (an older version of this tool, another
    tool) gets them from ``make labels``; a second run has nothing to do."""
    project, name = unique("splits"), unique("labeled")
    emit_traces(phoenix, project, make_traces(6))
    px = connect(phoenix)
    report = build(px, name, project)
    current = datasets.require(px, name)
    # the build put every example into its split: take them all out again
    for split in ("dev", "test"):
        splits.change(px, current.id, split, add=set(),
                      remove=splits.members(px, current, split))
    assert phoenix_splits(phoenix, name) == {}
    console = Console(record=True, width=200)
    render_labels(sync(px, name, project), console)
    assert f"put {report.total} examples into the Phoenix dataset split" in console.export_text()
    assert phoenix_splits(phoenix, name) == {
        e["id"]: e["metadata"]["split"] for e in current.examples}
    assert sync(px, name, project).split_changes == 0


@pytest.fixture(scope="module")
def labeled_project(phoenix: Settings) -> Iterator[tuple[str, list[str]]]:
    """A project with three traces and no labels, shared by the bad-file tests."""
    project = unique("bad-files")
    yield project, emit_traces(phoenix, project, make_traces(3))


@pytest.mark.parametrize(("content", "message"), [
    ("span_id,label\n{0},helpful\n{1},meh\n", "line 3: unknown label 'meh'"),
    ("span_id,label\n{0},helpful\nfeedfacefeedface,helpful\n",
     "line 3: span feedfacefeedface is not a root span"),
    ("span_id,label\n{0},helpful\n{1},helpful\n{0},not_helpful\n",
     "line 4: span {0} already labeled on line 2"),
    ("span_id,verdict\n{0},helpful\n", "has no label column"),
    ("label\nhelpful\n", "has no span_id column"),
    ('{{"span_id": "{0}", "label": "helpful"}}\n{{"span_id": "{1}", "label": "maybe"}}\n',
     "line 2: unknown label 'maybe'"),
    pytest.param(f"span_id,label,explanation\n{{0}},helpful,{'x' * (MAX_EXPLANATION + 1)}\n",
                 f"line 2: explanation has {MAX_EXPLANATION + 1:,} characters",
                 id="csv-explanation-too-long"),
    pytest.param(f'{{{{"span_id": "{{0}}", "label": "helpful", "explanation": '
                 f'"{"x" * 5_000_000}"}}}}\n', "line 1: explanation has 5,000,000 characters",
                 id="jsonl-explanation-too-long"),
])
def test_a_bad_labels_file_is_one_clear_error_and_writes_nothing(
        phoenix: Settings, tmp_path: Path, labeled_project: tuple[str, list[str]],
        content: str, message: str) -> None:
    project, span_ids = labeled_project
    suffix = ".jsonl" if content.startswith("{") else ".csv"
    path = tmp_path / f"labels{suffix}"
    path.write_text(content.format(*span_ids))
    done = run_judge_align(phoenix, "annotate", "--labels", str(path), project=project)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert message.format(*span_ids) in done.stderr, done.stderr
    assert "nothing was written" in done.stderr
    assert human_annotations(phoenix, project, span_ids) == []


def test_terminal_labeler_stopped_half_way_keeps_labels_and_resumes(phoenix: Settings) -> None:
    project = unique("labeler")
    span_ids = emit_traces(phoenix, project, make_traces(6))
    px = connect(phoenix)

    def session(keys: str) -> tuple[labeler.Session, str]:
        pressed = iter(keys)
        output = io.StringIO()
        console = Console(file=output, width=160)
        result = labeler.run(px, project, lambda: next(pressed, "q"), TerminalScreen(console))
        return result, output.getvalue()

    def current() -> dict[str, str]:
        return {k: v.label for k, v in annotations.human_labels(px, project,
                                                                 span_ids).items()}

    # h, n, skip, then quit: two labels saved at once, the skipped span stays unlabeled.
    first, shown = session("hnsq")
    assert first.labeled == {span_ids[0]: "helpful", span_ids[1]: "not_helpful"}
    assert current() == first.labeled
    assert "span 4 of 6" in shown and "span 5 of 6" not in shown

    # Resume at the first unlabeled span (the skipped one); undo goes back one label.
    second, shown = session("uhnuhxq")
    assert "nothing to undo" in shown and "unknown key 'x'" in shown
    assert shown.index(span_ids[2]) < shown.index(span_ids[3])
    assert span_ids[0] not in shown and span_ids[1] not in shown
    assert second.labeled == {span_ids[2]: "helpful", span_ids[3]: "helpful"}
    assert second.undone == 1
    assert current() == {span_ids[0]: "helpful", span_ids[1]: "not_helpful",
                         span_ids[2]: "helpful", span_ids[3]: "helpful"}
    assert len(human_annotations(phoenix, project, span_ids)) == 4

    # Undo of a span that had no label removes the annotation entirely.
    third, _ = session("nuq")
    assert third.labeled == {} and span_ids[4] not in current()
    assert third.remaining == 2


def test_terminal_labeler_takes_a_queue_first_and_reads_keys_from_a_pipe(
        phoenix: Settings, tmp_path: Path) -> None:
    project = unique("queue")
    span_ids = emit_traces(phoenix, project, make_traces(4))
    queue = tmp_path / "queue.txt"
    queue.write_text(f"# suggested\n{span_ids[3]}\n\n{span_ids[1]}\n")
    done = cli(phoenix, "annotate", "--queue", str(queue), "--annotator", "tester",
               project=project, stdin="n\nh\n")  # then end of input: quit
    assert "labeled 2, skipped 0, 2 still without a label" in done.stdout
    found = {a["span_id"]: a for a in human_annotations(phoenix, project, span_ids)}
    assert {k: v["result"]["label"] for k, v in found.items()} == {
        span_ids[3]: "not_helpful", span_ids[1]: "helpful"}
    assert found[span_ids[3]]["metadata"] == {"source": "terminal", "annotator": "tester"}

    queue.write_text("0123456789abcdef\n")
    bad = run_judge_align(phoenix, "annotate", "--queue", str(queue), project=project)
    assert bad.returncode == 1 and "queue" in bad.stderr


def test_labels_report_balance_warning_and_unlabeled_count(phoenix: Settings) -> None:
    project, name = unique("balance"), unique("labeled")
    span_ids = emit_traces(phoenix, project, make_traces(8))
    px = connect(phoenix)
    build(px, name, project)
    annotations.write_labels(px, [
        annotations.LabelToWrite(span_id, "not_helpful" if i == 0 else "helpful")
        for i, span_id in enumerate(span_ids[:7])])
    report = sync(px, name, project)
    assert (report.labeled, report.unlabeled, report.updated) == (7, 1, 7)
    assert report.balance == {"helpful": 6, "not_helpful": 1}
    assert sum(report.by_split.values(), Counter()) == Counter(report.balance)
    [warning] = report.warnings()
    assert "not_helpful" in warning and "14%" in warning
    output = io.StringIO()
    render_labels(report, Console(file=output, width=200))
    assert "1 still without a label" in output.getvalue() and "warning" in output.getvalue()
    # Nothing changed: no new version. A label in the dataset is never erased when its span
    # loses the annotation (e.g. an undo after the sync).
    versions = version_count(phoenix, name)
    first = annotations.human_labels(px, project, [span_ids[0]])[span_ids[0]]
    annotations.delete_annotation(px, first.annotation_id)
    again = sync(px, name, project)
    assert (again.updated, again.labeled, again.new_version) == (0, 7, False)
    assert version_count(phoenix, name) == versions


def test_annotation_config_is_idempotent_and_needs_the_project(phoenix: Settings) -> None:
    project = unique("config")
    px = connect(phoenix)
    with pytest.raises(UserError, match="no project"):
        annotations.ensure_config(px, project)
    emit_traces(phoenix, project, make_traces(1))
    annotations.ensure_config(px, project)
    assert "already set up" in annotations.ensure_config(px, project)
    every = httpx.get(f"{base_url(phoenix)}/v1/annotation_configs").json()["data"]
    assert [c["name"] for c in every].count("helpfulness") == 1


def test_labels_without_a_dataset_is_a_clear_error(phoenix: Settings) -> None:
    done = run_judge_align(phoenix, "labels", project="whatever", dataset=unique("missing"))
    assert done.returncode == 1 and "make dataset" in done.stderr
