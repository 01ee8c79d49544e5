"""``judge-traces`` on a real Phoenix with a scripted judge: every new trace gets exactly one
LLM label per prompt version, re-runs add nothing, human labels stay as they were, and the
corrected pass rate equals the Rogan-Gladen value computed by hand."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from evaluators.judge import RetryPolicy
from evaluators.prompt_files import TEMPLATES
from pipeline.judging import calibration
from pipeline.judging.traces import JudgeTracesReport
from pipeline.phoenix import annotations
from pipeline.settings import Settings
from pipeline.views.judging import render_judge_traces
from tests.conftest import scripted_settings
from tests.support.experiments import judge_experiment, judge_new_traces
from tests.support.scripted_llm import ScriptedLLM, label_logprobs
from tests.support.stack import base_url, connect
from tests.support.traces import AgentTrace, emit_traces, run_judge_align

FAST = RetryPolicy(attempts=2, first_wait=0.01, max_wait=0.02, timeout=5.0)
PROMPT_NAME = f"judge-traces-test-{uuid.uuid4().hex[:6]}"
REASONS = {"[j:h]": "It answers the question.", "[j:n]": "It misses the unit asked for."}


def probability_marker(content: str) -> float | None:
    if "[p:" not in content:
        return None
    return float(content.split("[p:", 1)[1].split("]", 1)[0])


def scripted_reply(request: dict[str, Any]) -> dict[str, Any]:
    """Helpful / not helpful from a marker in the answer; ``[p:0.6]`` adds logprobs."""
    content = request["messages"][-1]["content"]
    if "[j:fail]" in content:
        return {"status": 500}
    if "[j:garbage]" in content:
        return {"content": "I would rather not say."}
    label = "not_helpful" if "[j:n]" in content else "helpful"
    reason = REASONS["[j:h]" if label == "helpful" else "[j:n]"]
    reply: dict[str, Any] = {"content": f"{label}\n{reason}"}
    if (p := probability_marker(content)) is not None:
        reply["logprobs"] = label_logprobs(label, p)
    return reply


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def traces(markers: list[str], prefix: str = "q") -> list[AgentTrace]:
    categories = ("forecast", "units", "travel", "out_of_scope")
    return [AgentTrace(question=f"{prefix}{i}: weather in city {i}?",
                       answer=f"{prefix}{i}: 20 degrees and sunny {marker}",
                       category=categories[i % 4]) for i, marker in enumerate(markers)]


def run(settings: Settings, project: str, **kwargs: Any) -> JudgeTracesReport:
    kwargs.setdefault("dataset", unique("no-dataset"))
    kwargs.setdefault("prompt_name", PROMPT_NAME)
    return judge_new_traces(settings, project=project, retry=FAST, **kwargs)


def judge_rows(settings: Settings, project: str, span_ids: list[str]) -> list[dict[str, Any]]:
    """Every ``judge_helpfulness`` annotation on these spans, straight from the REST API."""
    return connect(settings).client.spans.get_span_annotations(
        span_ids=span_ids, project_identifier=project,
        include_annotation_names=[annotations.JUDGE])


def human_rows(settings: Settings, project: str, span_ids: list[str]) -> list[tuple]:
    rows = connect(settings).client.spans.get_span_annotations(
        span_ids=span_ids, project_identifier=project,
        include_annotation_names=[annotations.HUMAN])
    return sorted((r["id"], r["span_id"], r["annotator_kind"], r["result"].get("label"),
                   r["result"].get("score"), r["result"].get("explanation"), r["updated_at"],
                   r.get("identifier")) for r in rows)


def text_of(report: JudgeTracesReport) -> str:
    console = Console(record=True, width=220)
    render_judge_traces(report, console)
    return console.export_text()


def test_twenty_new_traces_get_twenty_llm_labels_and_reruns_add_none(
        phoenix: Settings, scripted_llm: type[ScriptedLLM]) -> None:
    project = unique("judge-traces")
    markers = ["[j:h]" if i % 4 else "[j:n]" for i in range(20)]
    markers[3] += " [p:0.62]"
    span_ids = emit_traces(phoenix, project, traces(markers))
    px = connect(phoenix)
    annotations.write_labels(px, [annotations.LabelToWrite(
        span_id=span_ids[i], label="not_helpful" if i % 2 else "helpful",
        explanation=f"human reason {i}", annotator="tester") for i in range(6)])
    humans_before = human_rows(phoenix, project, span_ids)
    assert len(humans_before) == 6

    with scripted_llm(scripted_reply) as server:
        settings = scripted_settings(phoenix, server)
        first = run(settings, project, concurrency=4)
        calls_after_first = len(server.requests)
        second = run(settings, project, concurrency=4)
        assert len(server.requests) == calls_after_first  # nothing asked again

    assert sum(first.new.values()) == 20 and first.already_judged == 0 and not first.failed
    assert (first.new["helpful"], first.new["not_helpful"]) == (15, 5)
    assert calls_after_first == 20
    assert sum(second.new.values()) == 0 and second.already_judged == 20
    assert second.outcomes.count("helpful") == 15 and len(second.outcomes) == 20

    rows = judge_rows(phoenix, project, span_ids)
    assert len(rows) == 20 and {r["span_id"] for r in rows} == set(span_ids)
    by_span = {r["span_id"]: r for r in rows}
    for span_id, marker in zip(span_ids, markers, strict=True):
        row = by_span[span_id]
        expected = "not_helpful" if "[j:n]" in marker else "helpful"
        assert row["annotator_kind"] == "LLM"
        assert row["identifier"] == "judge-v3-scripted"
        assert row["result"]["label"] == expected
        assert row["result"]["score"] == (1.0 if expected == "helpful" else 0.0)
        assert row["result"]["explanation"] == REASONS["[j:n]" if "[j:n]" in marker else "[j:h]"]
        metadata = row["metadata"]
        assert metadata["prompt_tag"] == "v3" and metadata["model"] == "scripted"
        assert metadata["prompt_version_id"] == first.judge.prompt_version_id
        assert metadata["prompt_name"] == PROMPT_NAME
    assert by_span[span_ids[3]]["metadata"]["label_probability"] == pytest.approx(0.62)
    assert "label_probability" not in by_span[span_ids[4]]["metadata"]

    assert human_rows(phoenix, project, span_ids) == humans_before

    text = text_of(second)
    assert "already judged by v3" in text and "judged now" in text
    assert "75.0% (15/20)" in text and "raw pass rate only" in text
    assert "make experiment PROMPT=v3" in text


def test_only_new_traces_are_judged_and_another_version_keeps_its_own_slot(
        phoenix: Settings, scripted_llm: type[ScriptedLLM]) -> None:
    project = unique("judge-slots")
    span_ids = emit_traces(phoenix, project, traces(["[j:h]", "[j:n]", "[j:h]"]))
    with scripted_llm(scripted_reply) as server:
        settings = scripted_settings(phoenix, server)
        run(settings, project)
        v3_before = {(r["id"], r["updated_at"]) for r in judge_rows(phoenix, project, span_ids)}
        span_ids += emit_traces(phoenix, project, traces(["[j:n]", "[j:h]"], prefix="new"))
        again = run(settings, project)
        v2 = run(settings, project, prompt="v2")
    assert sum(again.new.values()) == 2 and again.already_judged == 3
    assert sum(v2.new.values()) == 5 and v2.already_judged == 0
    rows = judge_rows(phoenix, project, span_ids)
    assert len(rows) == 10
    assert sorted(r["identifier"] for r in rows) == ["judge-v2-scripted"] * 5 + [
        "judge-v3-scripted"] * 5
    assert v3_before <= {(r["id"], r["updated_at"]) for r in rows}  # v2 changed no v3 label


def test_an_edited_prompt_judges_every_span_again_in_the_same_slot(
        phoenix: Settings, scripted_llm: type[ScriptedLLM], tmp_path: Path) -> None:
    project = unique("judge-edited")
    span_ids = emit_traces(phoenix, project, traces(["[j:h]", "[j:n]"]))
    prompt = tmp_path / "v3.txt"
    prompt.write_text((TEMPLATES / "v3.txt").read_text())
    with scripted_llm(scripted_reply) as server:
        settings = scripted_settings(phoenix, server)
        before = run(settings, project, prompts_dir=tmp_path,
                     prompt_name=f"edited-{project}")
        prompt.write_text(prompt.read_text() + "\nBe strict.\n")
        after = run(settings, project, prompts_dir=tmp_path, prompt_name=f"edited-{project}")
    assert sum(before.new.values()) == 2 and sum(after.new.values()) == 2
    assert after.already_judged == 0
    assert after.judge.prompt_version_id != before.judge.prompt_version_id
    rows = judge_rows(phoenix, project, span_ids)
    assert len(rows) == 2  # overwritten in place, not added
    assert {r["metadata"]["prompt_version_id"] for r in rows} == {after.judge.prompt_version_id}


def test_a_failed_call_saves_nothing_and_the_next_run_retries_it(
        phoenix: Settings, scripted_llm: type[ScriptedLLM]) -> None:
    project = unique("judge-fail")
    span_ids = emit_traces(phoenix, project, traces(["[j:h]", "[j:fail]", "[j:garbage]"]))
    with scripted_llm(scripted_reply) as server:
        failing = run(scripted_settings(phoenix, server), project)
    assert [span for span, _ in failing.failed] == [span_ids[1]]
    assert "InternalServerError" in failing.failed[0][1]
    assert failing.new == {"helpful": 1, "invalid": 1}
    stored = {r["span_id"]: r for r in judge_rows(phoenix, project, span_ids)}
    assert set(stored) == {span_ids[0], span_ids[2]}
    assert stored[span_ids[2]]["result"] == {
        "label": "invalid", "score": None,
        "explanation": "unreadable reply: I would rather not say."}
    assert "re-run the same command to retry" in text_of(failing)

    with scripted_llm(lambda request: {"content": "helpful"}) as server:
        retried = run(scripted_settings(phoenix, server), project)
    assert retried.new == {"helpful": 1} and retried.already_judged == 2
    assert len(server.requests) == 1


def test_the_corrected_pass_rate_equals_the_hand_computation(
        phoenix: Settings, scripted_llm: type[ScriptedLLM]) -> None:
    # The measured judge: 24 helpful rows all judged helpful (TPR 1.0); 16 not_helpful rows,
    # 12 judged not_helpful and 4 helpful (TNR 0.75); 40 rows, match 36/40 = 0.9.
    examples = ([("helpful", "[j:h]")] * 24 + [("not_helpful", "[j:n]")] * 12
                + [("not_helpful", "[j:h]")] * 4)
    dataset = unique("judge-calibration")
    project = unique("judge-corrected")
    # New traces: the judge calls 17 of 22 helpful, a raw pass rate of 77.3%.
    span_ids = emit_traces(phoenix, project, traces(["[j:h]"] * 17 + ["[j:n]"] * 5))
    with scripted_llm(scripted_reply) as server:
        settings = scripted_settings(phoenix, server)
        connect(settings).client.datasets.create_dataset(name=dataset, timeout=30, examples=[
            {"input": {"question": f"Question {i}?", "answer": f"Answer {i} {marker}"},
             "output": {"label": label},
             "metadata": {"trace_id": f"t{i}", "category": "forecast",
                          "split": "dev" if i % 3 else "test"}}
            for i, (label, marker) in enumerate(examples)])
        experiment = judge_experiment(settings, prompt="v3", dataset=dataset, retry=FAST,
                                          prompt_name=PROMPT_NAME)
        report = run(settings, project, dataset=dataset)

    assert (experiment.agreement.tpr, experiment.agreement.tnr) == (1.0, 0.75)
    found = report.lookup.calibration
    assert found is not None and found.experiment_id == experiment.experiment_id
    assert (found.n, found.tpr, found.tnr, found.match_rate) == (40, 1.0, 0.75, 0.9)
    assert report.raw is not None and report.raw.value == pytest.approx(17 / 22)
    by_hand = (17 / 22 + 0.75 - 1) / (1.0 + 0.75 - 1)
    corrected = report.corrected
    assert corrected is not None
    assert corrected.value == pytest.approx(by_hand) and corrected.value == pytest.approx(
        0.697, abs=0.0005)
    assert corrected.low is not None and corrected.high is not None
    assert corrected.low <= corrected.value <= corrected.high
    assert report.warnings == []
    text = text_of(report)
    assert "77.3% (17/22)" in text and "69.7%" in text
    assert "100.0% / 75.0% / 90.0%" in text and experiment.experiment_name in text
    assert "raw pass rate only" not in text and "warning" not in text
    assert len(judge_rows(phoenix, project, span_ids)) == 22

    with scripted_llm(scripted_reply) as server:  # v2 has no experiment on that dataset
        other = run(scripted_settings(phoenix, server), project, dataset=dataset, prompt="v2")
    assert other.lookup.calibration is None and other.corrected is None
    assert "no experiment of v2 with scripted" in other.lookup.missing
    assert "make experiment PROMPT=v2" in other.lookup.missing


def test_warnings_for_an_old_small_or_poorly_agreeing_experiment() -> None:
    now = datetime(2026, 11, 29, tzinfo=UTC)

    def measured(days: int, human: list[str], judge: list[str]) -> calibration.Calibration:
        return calibration.Calibration("id", "judge-v3-x", now - timedelta(days=days),
                                       human, judge)

    good = measured(3, ["helpful"] * 20 + ["not_helpful"] * 20,
                    ["helpful"] * 20 + ["not_helpful"] * 18 + ["helpful"] * 2)
    assert good.match_rate == 0.95 and calibration.warnings(good, now) == []
    bad = measured(45, ["helpful"] * 5 + ["not_helpful"] * 5,
                   ["helpful"] * 5 + ["helpful"] * 3 + ["not_helpful"] * 2)
    found = calibration.warnings(bad, now)
    assert len(found) == 3
    assert "45 days old" in found[0]
    assert "only 10 labeled rows" in found[1]
    assert "70.0% of rows (below the 85% bar)" in found[2]
    edge = measured(30, ["helpful"] * 17 + ["not_helpful"] * 13,
                    ["helpful"] * 17 + ["not_helpful"] * 8 + ["helpful"] * 5)
    assert edge.n == 30 and edge.match_rate < 0.85  # 30 days and 30 rows are still fine
    (only,) = calibration.warnings(edge, now)
    assert "below the 85% bar" in only


def test_the_command_line_judges_then_finds_nothing_new(
        phoenix: Settings, scripted_llm: type[ScriptedLLM],
        monkeypatch: pytest.MonkeyPatch) -> None:
    project = unique("judge-cli")
    emit_traces(phoenix, project, traces(["[j:h]", "[j:n]", "[j:h]", "[j:h]"]))
    with scripted_llm(scripted_reply) as server:
        for name, value in (("OPENAI_BASE_URL", server.base_url),
                            ("OPENAI_API_KEY", "scripted-key"), ("JUDGE_MODEL", "scripted")):
            monkeypatch.setenv(name, value)
        first = run_judge_align(phoenix, "judge-traces", "--prompt", "v1", "--limit", "3",
                                project=project)
        second = run_judge_align(phoenix, "judge-traces", "--prompt", "v1", project=project)
    assert first.returncode == 0, first.stderr
    assert "newest 3" in first.stdout and "judged now" in first.stdout
    assert "3 (2 helpful, 1 not_helpful, 0 invalid)" in first.stdout
    assert second.returncode == 0, second.stderr
    assert "1 (1 helpful, 0 not_helpful, 0 invalid)" in second.stdout
    assert "75.0% (3/4)" in second.stdout and "make experiment PROMPT=v1" in second.stdout
    assert f"{base_url(phoenix)}/projects/" in second.stdout
    assert "Traceback" not in first.stderr + second.stderr


def test_a_missing_project_says_how_to_make_it(phoenix: Settings) -> None:
    done = run_judge_align(phoenix, "judge-traces", project=unique("nobody"))
    assert done.returncode == 1
    assert "has no project" in done.stderr and "make agent" in done.stderr
    assert "Traceback" not in done.stderr
