"""``judge-align gold record``: a project's traces into the gold traces file, whole (every
span), only the chosen root spans, and nothing twice; ``gold load`` puts them back."""

from __future__ import annotations

import uuid
from pathlib import Path

from pipeline.gold.traces import read_traces
from pipeline.phoenix import spans
from pipeline.phoenix.connection import Phoenix
from pipeline.settings import Settings
from tests.support.traces import emit_traces, make_traces, run_judge_align


def test_record_keeps_whole_traces_of_the_chosen_spans_once(phoenix: Settings,
                                                             tmp_path: Path) -> None:
    project = f"record-{uuid.uuid4().hex[:8]}"
    span_ids = emit_traces(phoenix, project, make_traces(4))
    only = tmp_path / "labels.csv"
    only.write_text("span_id,label\n" + "".join(f"{s},helpful\n" for s in span_ids[:3]))
    out = tmp_path / "traces.jsonl"  # the traces file of a gold set in tmp_path

    done = run_judge_align(phoenix, "gold", "record", "--project", project, "--only", str(only),
                           "--dir", str(tmp_path), project=project)
    assert done.returncode == 0, done.stderr
    assert f"{out}: 3 traces added from project {project}" in done.stdout
    recorded = read_traces(out)
    assert sorted(t["root_span_id"] for t in recorded) == sorted(span_ids[:3])
    for trace in recorded:
        kinds = sorted(span["span_kind"] for span in trace["spans"])
        assert kinds == ["AGENT", "LLM", "TOOL"]  # the root and its children, tool included
        assert trace["question"] and trace["answer"] and trace["category"]

    again = run_judge_align(phoenix, "gold", "record", "--project", project, "--dir", str(tmp_path),
                            project=project)
    assert again.returncode == 0 and "1 traces added" in again.stdout, again.stdout
    assert len(read_traces(out)) == 4


def test_record_from_a_missing_project_is_one_line(phoenix: Settings, tmp_path: Path) -> None:
    done = run_judge_align(phoenix, "gold", "record", "--project", "nope-" + uuid.uuid4().hex,
                           "--dir", str(tmp_path), project="unused")
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "no project" in done.stderr


def test_load_puts_recorded_traces_into_another_project_once(phoenix: Settings,
                                                             tmp_path: Path) -> None:
    source, target = (f"{name}-{uuid.uuid4().hex[:8]}" for name in ("record", "load"))
    span_ids = emit_traces(phoenix, source, make_traces(3))
    recorded = run_judge_align(phoenix, "gold", "record", "--project", source, "--dir",
                               str(tmp_path), project=source)
    assert recorded.returncode == 0, recorded.stderr
    client = Phoenix.connect(phoenix)
    client.client.projects.delete(project_name=source)  # span ids are unique in a Phoenix

    done = run_judge_align(phoenix, "gold", "load", "--project", target, "--dir", str(tmp_path),
                           project=target)
    assert done.returncode == 0, done.stderr
    assert "3 traces loaded into project" in done.stdout and "0 already there" in done.stdout
    assert spans.root_span_ids(client, target) == set(span_ids)  # the labels' keys still hold
    again = run_judge_align(phoenix, "gold", "load", "--project", target, "--dir", str(tmp_path),
                            project=target)
    assert "0 traces loaded" in again.stdout and "3 already there" in again.stdout, again.stdout
