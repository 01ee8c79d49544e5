"""Judge experiments on a real Phoenix with a scripted judge: every figure of the report equals
the value computed by hand, and every run carries its exact-match annotation in Phoenix."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console

from evaluators.errors import EndpointError
from evaluators.judge import RetryPolicy
from evaluators.labels import ERROR, INVALID
from evaluators.prompt_files import load_prompt
from pipeline.errors import UserError
from pipeline.experiment.compare import compare
from pipeline.experiment.report import ExperimentReport, check_gate
from pipeline.settings import Settings
from pipeline.views.experiment import comparison_table, render
from tests.conftest import free_port, scripted_settings
from tests.support.experiments import judge_experiment
from tests.support.phoenix_reads import (
    annotation_means,
    experiment_runs,
    experiment_splits,
    experiment_view,
    spans_of_traces,
)
from tests.support.scripted_llm import ScriptedLLM, tagged
from tests.support.stack import base_url, connect

FAST = RetryPolicy(attempts=3, first_wait=0.01, max_wait=0.02, timeout=5.0)

# The scripted judge reads a marker hidden in the answer.
REPLIES: dict[str, dict[str, Any]] = {
    "[j:h]": {"content": "Helpful\nIt answers the question."},
    "[j:n]": {"content": "**not helpful**\nIt misses a city."},
    "[j:garbage]": {"content": "I would rather not say."},
    "[j:fail]": {"status": 500},
}

# (human label, judge behaviour, split). Hand computation, 12 labeled rows:
#   human helpful (7):     judge helpful 5, not_helpful 1, error 1
#   human not_helpful (5): judge not_helpful 3, helpful 1, invalid 1
#   match 8/12; TPR 5/7; TNR 3/5; p_e = (7*6 + 5*4) / 144 = 62/144 -> kappa = 34/82
#   dev (8 rows): 5 matches -> 0.625; test (4 rows): 3 matches -> 0.75; gap 0.125 > 0.1
ROWS = [
    ("helpful", "[j:h]", "dev"), ("helpful", "[j:h]", "dev"), ("helpful", "[j:h]", "dev"),
    ("helpful", "[j:h]", "test"), ("helpful", "[j:h]", "test"),
    ("helpful", "[j:n]", "dev"), ("helpful", "[j:fail]", "dev"),
    ("not_helpful", "[j:n]", "dev"), ("not_helpful", "[j:n]", "test"),
    ("Not helpful", "[j:n]", "dev"),  # a label written loosely is still read
    ("not_helpful", "[j:h]", "test"), ("not_helpful", "[j:garbage]", "dev"),
]
UNLABELED = [(None, "[j:h]", "dev"), (None, "[j:n]", "test")]


def scripted_reply(request: dict[str, Any]) -> dict[str, Any]:
    content = request["messages"][-1]["content"]
    answer = tagged(content, "answer")
    for marker, reply in REPLIES.items():
        if marker in answer:
            return reply
    return {"content": "helpful"}


def make_dataset(settings: Settings, rows: list[tuple[str | None, str, str]]) -> str:
    """A labeled dataset following the contract, created directly in Phoenix."""
    name = f"judge-test-{uuid.uuid4().hex[:8]}"
    examples = [{
        "input": {"question": f"Weather question {i}?", "answer": f"Answer {i} {marker}"},
        "output": {"label": label},
        "metadata": {"trace_id": f"trace-{i}", "category": "weather_only", "split": split},
    } for i, (label, marker, split) in enumerate(rows)]
    connect(settings).client.datasets.create_dataset(name=name, examples=examples, timeout=30)
    return name


def run(settings: Settings, dataset: str, **kwargs: Any) -> ExperimentReport:
    kwargs.setdefault("prompt_name", f"judge-test-{uuid.uuid4().hex[:6]}")
    return judge_experiment(settings, dataset=dataset, retry=FAST, **kwargs)


def rendered(result: ExperimentReport) -> str:
    console = Console(record=True, width=200)
    render(result, console)
    return console.export_text()


@pytest.fixture(scope="module")
def judged(phoenix: Settings):
    """One v3 experiment on the hand-computed table, shared by the tests that read it."""
    with ScriptedLLM(scripted_reply) as server:
        settings = scripted_settings(phoenix, server)
        name = make_dataset(settings, ROWS + UNLABELED)
        yield settings, server, name, run(settings, name, prompt="v3", concurrency=4)


def test_every_figure_equals_the_hand_computation(judged) -> None:
    *_, result = judged
    a = result.agreement
    assert (a.n, a.matches) == (12, 8)
    assert a.match_rate.value == pytest.approx(8 / 12)
    assert a.match_rate.low is not None and a.match_rate.high is not None
    assert a.match_rate.low < 8 / 12 < a.match_rate.high
    assert a.kappa == pytest.approx(34 / 82)
    assert a.tpr == pytest.approx(5 / 7)
    assert a.tnr == pytest.approx(3 / 5)
    assert a.confusion == {"helpful": {"helpful": 5, "not_helpful": 1, INVALID: 0, ERROR: 1},
                           "not_helpful": {"helpful": 1, "not_helpful": 3, INVALID: 1,
                                           ERROR: 0}}
    assert (a.invalid, a.errors) == (1, 1)
    assert a.human_pass_rate == pytest.approx(7 / 12)
    assert a.judge_pass_rate == pytest.approx(6 / 12)
    # pass view: sensitivity 5/7, specificity 4/5 (invalid counts as "not passed"), raw 1/2
    assert a.corrected_pass_rate is not None
    assert a.corrected_pass_rate.value == pytest.approx((0.5 + 0.8 - 1) / (5 / 7 + 0.8 - 1))
    assert result.dataset.unlabeled == 2 and len(result.rows) == 12
    assert result.by_split["dev"].match_rate.value == pytest.approx(5 / 8)
    assert result.by_split["test"].match_rate.value == pytest.approx(3 / 4)
    assert result.split_gap == pytest.approx(0.125)
    assert len(result.disagreements) == 4
    assert result.experiment_name == "judge-v3-scripted"
    assert result.missing_annotations == 0


def test_the_printed_report_shows_the_figures_rows_and_link(judged) -> None:
    _, _, _, result = judged
    text = rendered(result)
    for expected in ("66.7% (8/12)", "0.415", "71.4% (5/7)", "60.0% (3/5)",
                     "skipped 2 unlabeled", "warning: dev and test agreement differ by 12.5%",
                     "Disagreements (4)", "It misses a city.", "I would rather not say.",
                     "InternalServerError", result.links.experiment, result.links.compare,
                     result.links.traces, result.links.prompt):
        assert expected in text, expected
    assert re.search(r"invalid replies\s*│\s*1 ", text)
    assert re.search(r"failed calls\s*│\s*1 ", text)


def test_every_run_carries_its_evaluations_in_phoenix(judged) -> None:
    settings, _, _, result = judged
    runs = httpx.get(f"{base_url(settings)}/v1/experiments/{result.experiment_id}/json",
                     timeout=30).json()
    assert len(runs) == 12
    for stored in runs:
        human = _canonical(stored["reference_output"]["label"])
        hit = 1.0 if stored["output"]["label"] == human else 0.0
        rate = {"helpful": "tpr", "not_helpful": "tnr"}[human]
        scores = {a["name"]: a["score"] for a in stored["annotations"]}
        assert scores == {"exact_match": hit, rate: hit}
        # the output a person reads: no raw reply unless it could not be read
        assert ("raw" in stored["output"]) == (stored["output"]["label"] == INVALID)
    assert sum(a["score"] for r in runs for a in r["annotations"]
               if a["name"] == "exact_match") == 8

    experiment = httpx.get(f"{base_url(settings)}/v1/experiments/{result.experiment_id}",
                           timeout=30).json()["data"]
    metadata = experiment["metadata"]
    assert metadata["prompt_tag"] == "v3" and metadata["model"] == "scripted"
    assert metadata["prompt_version_id"] == result.prompt.version_id
    assert metadata["dataset_version_id"] == result.dataset.dataset.version_id


def test_phoenix_shows_the_reports_match_rate_tpr_and_tnr(judged) -> None:
    settings, _, _, result = judged
    a = result.agreement
    means = annotation_means(settings, result.experiment_id)
    assert means["exact_match"] == (pytest.approx(a.match_rate.value), 12)
    assert means["tpr"] == (pytest.approx(a.tpr), 7)
    assert means["tnr"] == (pytest.approx(a.tnr), 5)


def test_the_experiment_carries_its_dataset_level_figures_and_prompt_link(judged) -> None:
    settings, _, _, result = judged
    experiment = httpx.get(f"{base_url(settings)}/v1/experiments/{result.experiment_id}",
                           timeout=30).json()["data"]
    figures = experiment["metadata"]["agreement"]
    a = result.agreement
    assert figures["kappa"] == round(34 / 82, 3) and figures["n"] == 12
    assert figures["match_rate"] == 0.667 and figures["tpr"] == 0.714 and figures["tnr"] == 0.6
    assert figures["match_rate_ci95"] == [round(a.match_rate.low, 3), round(a.match_rate.high, 3)]
    assert a.corrected_pass_rate is not None
    assert figures["corrected_pass_rate"] == round(a.corrected_pass_rate.value, 3)
    assert figures["by_split"]["dev"]["match_rate"] == 0.625
    assert figures["by_split"]["test"]["match_rate"] == 0.75
    assert experiment["description"].startswith("kappa 0.415, corrected pass rate ")
    assert "prompt v3, model scripted, split all" in experiment["description"]
    assert experiment["metadata"]["prompt_url"] == result.links.prompt
    assert result.links.prompt.endswith(f"/versions/{result.prompt.version_id}")


def test_every_run_has_a_trace_with_the_judges_llm_span(judged) -> None:
    settings, _, _, result = judged
    experiment = httpx.get(f"{base_url(settings)}/v1/experiments/{result.experiment_id}",
                           timeout=30).json()["data"]
    runs = experiment_runs(settings, result.experiment_id)
    assert len(runs) == 12 and all(run["trace_id"] for run in runs)
    traces = spans_of_traces(settings, experiment["project_name"],
                             [run["trace_id"] for run in runs],
                             expected_spans=12 + 11 + FAST.attempts)
    prompt = load_prompt("v3")
    inputs = {e["id"]: e["input"] for e in result.dataset.dataset.examples}
    node_ids = {node: example for example, node in result.dataset.node_ids().items()}
    for run in runs:
        spans = traces[run["trace_id"]]
        (root,) = [s for s in spans if s["parent_id"] is None]
        assert (root["name"], root["span_kind"]) == ("Task: judge", "CHAIN")
        assert json.loads(root["attributes"]["output.value"]) == run["output"]
        llm = [s for s in spans if s["span_kind"] == "LLM"]
        assert all(s["parent_id"] == root["context"]["span_id"] for s in llm)
        question = inputs[node_ids[run["dataset_example_id"]]]
        if "[j:fail]" in question["answer"]:  # every attempt is a span of its own
            assert len(llm) == FAST.attempts and root["status_code"] == "ERROR"
            continue
        (call,) = llm
        attributes = call["attributes"]
        assert attributes["llm.input_messages.0.message.content"] == prompt.render(
            question["question"], question["answer"])
        assert attributes["llm.output_messages.0.message.content"] == scripted_reply(
            {"messages": [{"content": prompt.render(**question)}]})["content"]
        assert attributes["llm.prompt_template.version"] == result.prompt.version_id
        assert attributes["llm.token_count.total"] == 12
    view = experiment_view(settings, result.experiment_id)
    assert view["costSummary"]["total"]["tokens"] == 11 * 12


def _canonical(label: str) -> str:
    return label.lower().replace(" ", "_")


def test_a_failing_call_is_retried_then_counted_as_an_error_row(judged) -> None:
    _, server, _, result = judged
    failing = [r for r in server.requests if "[j:fail]" in r["messages"][-1]["content"]]
    assert len(failing) == FAST.attempts
    (error_row,) = [r for r in result.rows if r.run.judge == ERROR]
    assert "[j:fail]" in error_row.example.answer


def test_the_gate_fails_below_the_bar_and_passes_above(judged) -> None:
    _, _, _, result = judged
    check_gate(result, 0.6)
    check_gate(result, None)
    with pytest.raises(UserError, match=r"gate failed: match rate 0.667 is below the gate 0.850"):
        check_gate(result, 0.85)


def test_one_split_only(phoenix: Settings, scripted_llm: type[ScriptedLLM]) -> None:
    with scripted_llm(scripted_reply) as server:
        settings = scripted_settings(phoenix, server)
        name = make_dataset(settings, ROWS)  # split in metadata only: Phoenix's is put right
        result = run(settings, name, prompt="v1", split="test")
    assert result.agreement.n == 4 and result.agreement.matches == 3
    assert result.dataset.outside_split == 8 and result.by_split == {}
    assert {r.example.split for r in result.rows} == {"test"}
    # created on Phoenix's "test" split, which holds exactly the test rows
    assert experiment_splits(settings, result.experiment_id) == ["test"]
    test_split = connect(settings).client.datasets.get_dataset(dataset=name, splits=["test"])
    assert {e["id"] for e in test_split.examples} == {r.example.id for r in result.rows}
    experiment = httpx.get(f"{base_url(settings)}/v1/experiments/{result.experiment_id}",
                           timeout=30).json()["data"]
    assert experiment["example_count"] == 4 and experiment["missing_run_count"] == 0


def test_compare_lists_every_judge_experiment(phoenix: Settings,
                                              scripted_llm: type[ScriptedLLM]) -> None:
    with scripted_llm(scripted_reply) as server:
        settings = scripted_settings(phoenix, server)
        name = make_dataset(settings, ROWS + UNLABELED)
        first = run(settings, name, prompt="v1", concurrency=2)
        second = run(settings, name, prompt="v3", concurrency=4)
    px = connect(settings)
    dataset_id, summaries = compare(px, name)
    assert [s.experiment_id for s in summaries] == [first.experiment_id, second.experiment_id]
    assert [s.prompt for s in summaries] == ["v1", "v3"]
    for summary, result in zip(summaries, (first, second), strict=True):
        assert summary.n == 12 and summary.model == "scripted"
        assert summary.match_rate is not None
        assert summary.match_rate.value == pytest.approx(result.agreement.match_rate.value)
        assert summary.kappa == pytest.approx(result.agreement.kappa)
    console = Console(record=True, width=200)
    console.print(comparison_table(summaries, name))
    console.print(px.compare_url(dataset_id, [s.experiment_id for s in reversed(summaries)]))
    text = console.export_text()
    assert "66.7%" in text and "v1" in text and "v3" in text
    assert f"experimentId={second.experiment_id}&experimentId={first.experiment_id}" in text


def test_a_missing_dataset_says_how_to_build_it(phoenix: Settings) -> None:
    with pytest.raises(UserError, match=r"no dataset 'nope-\w+'.*make dataset.*make labels"):
        run(phoenix, f"nope-{uuid.uuid4().hex[:6]}")


def test_an_unlabeled_dataset_says_how_to_label_it(phoenix: Settings) -> None:
    name = make_dataset(phoenix, UNLABELED)
    with pytest.raises(UserError, match=r"2 examples but none is labeled.*make annotate.*"
                                        r"make labels"):
        run(phoenix, name)


def test_an_empty_dataset_says_how_to_fill_it(phoenix: Settings) -> None:
    name = f"judge-test-empty-{uuid.uuid4().hex[:6]}"
    # the UI's "new dataset" makes an empty one (the REST upload refuses no examples)
    created = httpx.post(f"{base_url(phoenix)}/graphql", timeout=30, json={
        "query": "mutation($name: String!) { createDataset(input: {name: $name}) "
                 "{ dataset { id } } }", "variables": {"name": name}}).json()
    assert "errors" not in created, created
    with pytest.raises(UserError, match=r"no examples.*make agent.*make dataset"):
        run(phoenix, name)


def test_a_judge_endpoint_that_is_down_says_so_before_any_run(phoenix: Settings) -> None:
    down = dataclasses.replace(phoenix, openai_base_url=f"http://127.0.0.1:{free_port()}/v1",
                               openai_api_key="x", judge_model="scripted")
    name = make_dataset(down, ROWS[:2])
    with pytest.raises(EndpointError, match=r"judge model endpoint .* is not reachable"):
        run(down, name)
    dataset_id = connect(phoenix).client.datasets.get_dataset(dataset=name).id
    assert connect(phoenix).client.experiments.list(dataset_id=dataset_id) == []


def test_the_command_line_runs_reports_and_gates(phoenix: Settings,
                                                 scripted_llm: type[ScriptedLLM]) -> None:
    good = [row for row in ROWS if row[1] != "[j:fail]"]  # no retries with the default backoff
    with scripted_llm(scripted_reply) as server:
        settings = scripted_settings(phoenix, server)
        name = make_dataset(settings, good)
        env = {**os.environ, "PHOENIX_PORT": str(settings.phoenix_port),
               "OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "scripted-key",
               "JUDGE_MODEL": "scripted", "JUDGE_ALIGN_PROJECT": f"none-{uuid.uuid4().hex}"}
        done = subprocess.run(
            [str(Path(sys.executable).parent / "judge-align"), "experiment", "--prompt", "v2",
             "--dataset", name, "--concurrency", "3", "--gate", "0.9"],
            capture_output=True, text=True, cwd=settings.run_dir, env=env, timeout=180)
    assert done.returncode == 1, done.stderr
    # 11 rows: the hand table above without the failing helpful row -> 8 matches of 11
    assert "72.7% (8/11)" in done.stdout
    assert "error: gate failed: match rate 0.727 is below the gate 0.900" in done.stderr
    assert "Traceback" not in done.stderr
    assert f"{base_url(settings)}/datasets/" in done.stdout
    for link in ("Phoenix experiment: ", "compare view: ", "judge traces (one per run): ",
                 "prompt v2 as used: "):
        assert f"{link}{base_url(settings)}/" in done.stdout, link
    assert "labeled traces" not in done.stdout  # made directly: its project does not exist



def test_resuming_gives_old_runs_the_evaluations_they_lack(
        phoenix: Settings, scripted_llm: type[ScriptedLLM]) -> None:
    """An experiment stored before tpr / tnr existed (runs with exact_match only, one example
    without a run) is completed: the missing run is judged and traced, the old runs get
    their rate evaluation, nothing is judged twice."""
    from datetime import UTC, datetime

    from evaluators.exact_match import exact_match
    from pipeline.dataset.examples import load_labeled
    from pipeline.phoenix.prompts import push_prompt

    rows = [ROWS[0], ROWS[5], ROWS[7], ROWS[8]]  # helpful h, helpful n, not_helpful n x2
    prompt_name = f"judge-test-{uuid.uuid4().hex[:6]}"
    with scripted_llm(scripted_reply) as server:
        settings = scripted_settings(phoenix, server)
        name = make_dataset(settings, rows)
        px = connect(settings)
        labeled = load_labeled(px, name)
        stored = push_prompt(px, load_prompt("v3"), model_name="scripted",
                             prompt_name=prompt_name)
        old = px.client.experiments.create(
            dataset_id=labeled.dataset.id, dataset_version_id=labeled.dataset.version_id,
            experiment_name="judge-v3-scripted", experiment_metadata={
                "kind": "judge", "prompt_tag": "v3", "prompt_name": prompt_name,
                "prompt_version_id": stored.version_id, "model": "scripted", "split": "all",
                "dataset_name": name, "dataset_version_id": labeled.dataset.version_id})
        ids = labeled.node_ids()
        now = datetime.now(UTC)
        for example in labeled.examples[:3]:
            output = {"label": scripted_reply({"messages": [{"content": example.answer}]})[
                "content"].split("\n")[0].strip("*").lower().replace(" ", "_"), "raw": "old"}
            run_id = px.client.experiments.log_run(
                experiment_id=old["id"], dataset_example_id=ids[example.id], output=output,
                start_time=now, end_time=now)["id"]
            match = exact_match(output, {"label": example.label})
            px.client.experiments.log_evaluation(
                experiment_run_id=run_id, name="exact_match", annotator_kind="CODE",
                score=match["score"], label=match["label"])
        result = run(settings, name, prompt="v3", prompt_name=prompt_name)
    assert result.experiment_id == old["id"]
    assert result.outcome is not None and result.outcome.resumed
    assert (result.outcome.ran, result.outcome.evaluated) == (1, 4)  # the new run too
    assert len(server.requests) == 1
    runs = httpx.get(f"{base_url(settings)}/v1/experiments/{old['id']}/json",
                     timeout=30).json()
    assert sorted(sorted(a["name"] for a in r["annotations"]) for r in runs) == [
        ["exact_match", "tnr"], ["exact_match", "tnr"], ["exact_match", "tpr"],
        ["exact_match", "tpr"]]
    means = annotation_means(settings, old["id"])
    assert means["tpr"] == (pytest.approx(result.agreement.tpr), 2)
    assert means["tnr"] == (pytest.approx(result.agreement.tnr), 2)
    traced = [r for r in experiment_runs(settings, old["id"]) if r["trace_id"]]
    assert [r["dataset_example_id"] for r in traced] == [ids[labeled.examples[3].id]]
