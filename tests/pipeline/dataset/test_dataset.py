"""Traces to a Phoenix dataset: filters, only-new re-runs, fixed splits, and imports."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from pipeline.dataset import importer, splits
from pipeline.dataset.build import build
from pipeline.errors import UserError
from pipeline.phoenix import datasets, spans
from pipeline.settings import Settings
from tests.support.stack import base_url, connect
from tests.support.traces import AgentTrace, ToolSpan, emit_traces, make_traces, run_judge_align


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def versions(settings: Settings, name: str) -> int:
    px = connect(settings)
    return len(px.client.datasets.get_dataset_versions(dataset=name))


def rest_examples(settings: Settings, dataset_id: str) -> list[dict]:
    response = httpx.get(f"{base_url(settings)}/v1/datasets/{dataset_id}/examples", timeout=30)
    response.raise_for_status()
    return response.json()["data"]["examples"]


def test_build_adds_only_new_spans_as_new_versions(phoenix: Settings) -> None:
    project, name = unique("build"), unique("ds")
    first = emit_traces(phoenix, project, make_traces(5, prefix="a"))
    done = run_judge_align(phoenix, "dataset", "build", project=project, dataset=name)
    assert done.returncode == 0, done.stderr
    assert "added 5 new spans" in done.stdout and "/datasets/" in done.stdout
    assert versions(phoenix, name) == 1

    second = emit_traces(phoenix, project, make_traces(3, prefix="b"))
    done = run_judge_align(phoenix, "dataset", "build", project=project, dataset=name)
    assert "added 3 new spans" in done.stdout, done.stdout
    assert versions(phoenix, name) == 2

    again = run_judge_align(phoenix, "dataset", "build", project=project, dataset=name)
    assert again.returncode == 0 and "nothing new" in again.stdout, again.stdout
    assert versions(phoenix, name) == 2

    px = connect(phoenix)
    current = datasets.require(px, name)
    examples = rest_examples(phoenix, current.id)
    assert sorted(e["id"] for e in examples) == sorted(first + second)
    for example in examples:
        span_id = example["id"]
        assert example["source"]["span_id"] == span_id
        assert example["output"] == {"label": None}
        assert set(example["input"]) == {"question", "answer", "tools"}
        (call,) = example["input"]["tools"]  # the trace's TOOL span, compacted
        assert call["tool"] == "get_weather" and call["arguments"]["unit"] == "celsius"
        assert call["result"]["temperature"] == float(example["input"]["question"]
                                                      .split("city ")[1].rstrip("?")) + 10
        assert example["metadata"]["split"] == splits.split_for(span_id)
        assert len(example["metadata"]["trace_id"]) == 32
        assert example["metadata"]["category"] in {"forecast", "units", "travel", "out_of_scope"}
        assert example["metadata"]["project"] == project  # the experiment links its traces
    # The splits are Phoenix dataset splits too, so experiments can select them.
    dev = px.client.datasets.get_dataset(dataset=name, splits=["dev"])
    assert {e["id"] for e in dev.examples} == {
        e["id"] for e in examples if e["metadata"]["split"] == "dev"}


def test_build_leaves_out_failed_runs_without_an_answer(phoenix: Settings) -> None:
    project, name = unique("failed"), unique("ds")
    emit_traces(phoenix, project, [AgentTrace("q ok", "a ok"), AgentTrace("q failed", "")])
    px = connect(phoenix)
    report = build(px, name, project)
    assert (report.added, len(report.skipped), report.total) == (1, 1, 1)
    (reason,) = report.skipped.reasons()
    assert "no answer: the span has no output.value" in reason


def test_filters_limit_sample_query_since_and_paging(phoenix: Settings) -> None:
    project = unique("filters")
    older = emit_traces(phoenix, project, make_traces(8, prefix="old"))
    middle = datetime.now(UTC)
    newer = emit_traces(phoenix, project, make_traces(4, prefix="new"))
    px = connect(phoenix)

    everything = spans.root_spans(px, project)
    assert {s.span_id for s in everything} == set(older + newer)
    paged = spans.root_spans(px, project, page_size=5)
    assert [s.span_id for s in paged] == [s.span_id for s in everything]

    newest = spans.root_spans(px, project, spans.SpanFilter(limit=3))
    assert [s.span_id for s in newest] == newer[::-1][:3]

    recent = spans.root_spans(px, project, spans.SpanFilter(since=middle))
    assert {s.span_id for s in recent} == set(newer)

    def sample(seed: int) -> list[str]:
        return [s.span_id for s in spans.root_spans(
            px, project, spans.SpanFilter(sample=4, seed=seed))]

    assert sample(1) == sample(1)
    assert len(sample(1)) == 4 and set(sample(1)) <= set(older + newer)
    assert len({tuple(sorted(sample(seed))) for seed in range(6)}) > 1

    units = spans.root_spans(px, project, spans.SpanFilter(
        query="metadata['category'] == 'units'"))
    assert units and all(s.category == "units" for s in units)
    assert len(units) == sum(1 for s in everything if s.category == "units")

    with pytest.raises(UserError, match="rejected the span query"):
        spans.root_spans(px, project, spans.SpanFilter(query="category ==="))
    bad = run_judge_align(phoenix, "dataset", "build", "--query", "foo bar",
                          project=project, dataset=unique("ds"))
    assert bad.returncode == 1
    assert bad.stderr.count("\n") == 1 and "span query" in bad.stderr


def test_build_with_filters_through_the_cli(phoenix: Settings) -> None:
    project, name = unique("cli-filters"), unique("ds")
    emit_traces(phoenix, project, make_traces(12))
    done = run_judge_align(phoenix, "dataset", "build", "--sample", "5", "--seed", "7",
                           project=project, dataset=name)
    assert done.returncode == 0, done.stderr
    px = connect(phoenix)
    expected = {s.span_id for s in spans.root_spans(px, project,
                                                    spans.SpanFilter(sample=5, seed=7))}
    assert {e["id"] for e in datasets.require(px, name).examples} == expected
    done = run_judge_align(phoenix, "dataset", "build", "--query",
                           "metadata['category'] == 'travel'", project=project, dataset=name)
    assert done.returncode == 0, done.stderr
    travel = {s.span_id for s in spans.root_spans(px, project) if s.category == "travel"}
    assert {e["id"] for e in datasets.require(px, name).examples} == expected | travel


def test_missing_project_is_a_clear_error(phoenix: Settings) -> None:
    done = run_judge_align(phoenix, "dataset", "build", project=unique("nothing-here"),
                           dataset=unique("ds"))
    assert done.returncode == 1
    assert "no project" in done.stderr and "make agent" in done.stderr


GOLD = [("Will it rain in Oslo tomorrow?", "Yes, 8 mm; take an umbrella.", "helpful"),
        ("Is it warm in Rome?", "I cannot help with that.", "not_helpful"),
        ("Wind in Brest?", "Strong wind, 60 km/h gusts.", "helpful")]


def write_csv(path: Path, header: str, rows: list[tuple[str, ...]]) -> Path:
    import csv

    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header.split(","))
        writer.writerows(rows)
    return path


def test_import_csv_and_jsonl_gold_sets(phoenix: Settings, tmp_path: Path) -> None:
    name = unique("gold")
    csv_file = write_csv(tmp_path / "gold.csv", "question,answer,label,category", [
        (*row, "forecast") for row in GOLD])
    done = run_judge_align(phoenix, "dataset", "import", str(csv_file), "--name", name,
                           project="unused")
    assert done.returncode == 0, done.stderr
    assert "3 added" in done.stdout
    jsonl = tmp_path / "more.jsonl"
    jsonl.write_text("\n".join(json.dumps({"input": q, "output": a, "label": label,
                                           "split": "test"})
                               for q, a, label in [("Snow in Oslo?", "No snow.", "helpful"),
                                                   ("Fog in SF?", "Ask later.", "not_helpful")]))
    done = run_judge_align(phoenix, "dataset", "import", str(jsonl), "--name", name,
                           project="unused")
    assert done.returncode == 0, done.stderr
    px = connect(phoenix)
    examples = datasets.require(px, name).examples
    assert len(examples) == 5 and versions(phoenix, name) == 2
    by_question = {e["input"]["question"]: e for e in examples}
    for question, answer, label in GOLD:
        example = by_question[question]
        assert example["input"]["answer"] == answer
        assert example["output"] == {"label": label}
        assert example["metadata"]["split"] == splits.split_for(
            importer.example_id(question, answer))
        assert example["metadata"]["category"] == "forecast"
    assert by_question["Fog in SF?"]["metadata"]["split"] == "test"
    for split in ("dev", "test"):  # Phoenix's dataset splits, as the UI's filter shows them
        members = px.client.datasets.get_dataset(dataset=name, splits=[split]).examples
        assert {e["id"] for e in members} == {
            e["id"] for e in examples if e["metadata"]["split"] == split}

    again = run_judge_align(phoenix, "dataset", "import", str(csv_file), "--name", name,
                            project="unused")
    assert "3 already there" in again.stdout and "no new dataset version" in again.stdout
    assert versions(phoenix, name) == 2


@pytest.mark.parametrize(("header", "rows", "message"), [
    ("question,answer,label", [GOLD[0], ("Q2", "A2", "meh")], "line 3: unknown label 'meh'"),
    ("question,answer,label", [GOLD[0], GOLD[1], GOLD[0]], "line 4: duplicate of line 2"),
    ("question,answer,verdict", [("Q", "A", "helpful")], "no label column"),
    ("question,label", [("Q", "helpful")], "no output or answer column"),
])
def test_import_rejects_bad_files_and_writes_nothing(phoenix: Settings, tmp_path: Path,
                                                     header: str, rows: list, message: str
                                                     ) -> None:
    name = unique("bad-gold")
    path = write_csv(tmp_path / "gold.csv", header, rows)
    done = run_judge_align(phoenix, "dataset", "import", str(path), "--name", name,
                           project="unused")
    assert done.returncode == 1
    assert message in done.stderr and "nothing was written" in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1
    assert datasets.find(connect(phoenix), name) is None


def test_failed_tool_calls_and_imported_records_reach_the_examples(phoenix: Settings,
                                                                    tmp_path: Path) -> None:
    project, name = unique("tools"), unique("ds")
    failed = ToolSpan("get_weather", {"location": "Atlantis"},
                      error="no weather data for 'Atlantis'")
    (span_id,) = emit_traces(phoenix, project, [AgentTrace(
        "Weather in Atlantis?", "I could not find Atlantis.", tools=(failed,))])
    report = build(connect(phoenix), name, project)
    assert report.added == 1
    (example,) = datasets.require(connect(phoenix), name).examples
    assert example["id"] == span_id
    assert example["input"]["tools"] == [{"tool": "get_weather",
                                          "arguments": {"location": "Atlantis"},
                                          "error": "no weather data for 'Atlantis'"}]

    record = [{"tool": "get_weather", "arguments": {"location": "Oslo"},
               "result": {"temperature": 3.0, "temperature_unit": "°C"}}]
    path = tmp_path / "with-tools.jsonl"
    path.write_text(json.dumps({"question": "Oslo?", "answer": "3 °C.", "label": "helpful",
                                "tools": record}) + "\n"
                    + json.dumps({"question": "Rome?", "answer": "Sunny.",
                                  "label": "Not Helpful"}) + "\n")
    imported = importer.read_examples(path)
    assert imported[0]["input"]["tools"] == record
    assert imported[1]["input"]["tools"] is None  # no record: judged on question and answer

    bad = write_csv(tmp_path / "bad.csv", "question,answer,label,tools",
                    [("Q", "A", "helpful", "not json")])
    with pytest.raises(UserError, match="line 2: tools is not a JSON list"):
        importer.read_examples(bad)
