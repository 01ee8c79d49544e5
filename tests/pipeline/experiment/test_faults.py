"""Faults on a real Phoenix: a judge endpoint failing 30% of its calls, a judge endpoint down
for some rows then back, and Phoenix restarted in the middle of an experiment. Every example
ends with exactly one run (counted through Phoenix's REST API) carrying its exact_match."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from evaluators.judge import RetryPolicy
from evaluators.labels import ERROR
from pipeline import stack
from pipeline.settings import Settings
from pipeline.views.experiment import status_lines
from tests.conftest import fresh_settings, scripted_settings
from tests.support.experiments import judge_experiment
from tests.support.scripted_llm import ScriptedLLM, tagged
from tests.support.stack import base_url, connect

pytestmark = pytest.mark.server  # starts its own servers

# Short waits; a per-attempt timeout the scripted "timeout" fault exceeds.
FAST = RetryPolicy(attempts=4, first_wait=0.01, max_wait=0.05, timeout=1.0)
FAULTS: list[dict[str, Any]] = [
    {"status": 429}, {"status": 500}, {"status": 503}, {"delay": 1.5, "content": "helpful"},
    {"raw": b"<html>502 Bad Gateway</html>"}, {"raw": b'{"object": "error"}'}, {"drop": True},
]


def labeled_examples(n: int, tag: str) -> list[dict[str, Any]]:
    """Contract-shaped examples with their own ids (as ``make dataset`` uploads them);
    every third one is labeled not_helpful and carries the marker [n] the judge reads."""
    return [{
        "id": f"{tag}-span-{i:03d}",
        "input": {"question": f"{tag} question {i}: weather in city {i}?",
                  "answer": f"It is {i} degrees in city {i}." + (" [n]" if i % 3 == 0 else "")},
        "output": {"label": "not_helpful" if i % 3 == 0 else "helpful"},
        "metadata": {"trace_id": f"trace-{i}", "category": "forecast",
                     "split": "dev" if i % 10 < 7 else "test"},
    } for i in range(n)]


def make_dataset(settings: Settings, n: int) -> str:
    name = f"faults-{uuid.uuid4().hex[:8]}"
    connect(settings).client.datasets.create_dataset(
        name=name, examples=labeled_examples(n, name), timeout=60)
    return name


def question_of(request: dict[str, Any]) -> str:
    return tagged(request["messages"][-1]["content"], "question").split("?", 1)[0].strip()


def verdict_for(request: dict[str, Any]) -> dict[str, Any]:
    answer = tagged(request["messages"][-1]["content"], "answer")
    return {"content": ("not_helpful" if "[n]" in answer else "helpful") + "\nScripted."}


def runs_per_example(settings: Settings, experiment_id: str) -> Counter[str]:
    runs = httpx.get(f"{base_url(settings)}/v1/experiments/{experiment_id}/runs",
                     timeout=30).json()["data"]
    return Counter(run["dataset_example_id"] for run in runs)


def evaluations(settings: Settings, experiment_id: str) -> list[dict[str, float]]:
    """Per run, its evaluations' scores by name, and ``rate``: the name of the rate
    evaluation its human label calls for (tpr or tnr)."""
    stored = httpx.get(f"{base_url(settings)}/v1/experiments/{experiment_id}/json",
                       timeout=30).json()
    return [{"rate": {"helpful": "tpr", "not_helpful": "tnr"}[run["reference_output"]["label"]],
             **{a["name"]: a["score"] for a in run["annotations"]}} for run in stored]


def complete(run: dict[str, Any]) -> bool:
    """The run carries exactly exact_match and its rate evaluation."""
    return set(run) - {"rate"} == {"exact_match", run["rate"]}


class Flaky:
    """Fails 30% of calls (seeded), cycling through the faults; records each call's fate."""

    def __init__(self, seed: int = 7, rate: float = 0.3) -> None:
        self.random = random.Random(seed)
        self.rate = rate
        self.lock = threading.Lock()
        self.calls: list[tuple[str, bool]] = []  # (question, failed)

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            failed = self.random.random() < self.rate
            fault = FAULTS[sum(f for _, f in self.calls) % len(FAULTS)]
            self.calls.append((question_of(request), failed))
        return fault if failed else verdict_for(request)

    def given_up(self, attempts: int) -> set[str]:
        """Questions whose every attempt failed."""
        by_question: dict[str, list[bool]] = {}
        for question, failed in self.calls:
            by_question.setdefault(question, []).append(failed)
        return {q for q, fates in by_question.items()
                if len(fates) == attempts and all(fates)}


def test_an_endpoint_failing_30_percent_of_calls_still_accounts_for_every_example(
        phoenix: Settings) -> None:
    flaky = Flaky()
    with ScriptedLLM(flaky) as server:
        settings = scripted_settings(phoenix, server)
        name = make_dataset(settings, 40)
        result = judge_experiment(settings, prompt="v3", dataset=name, concurrency=8,
                                      retry=FAST,
                                      prompt_name=f"faults-{uuid.uuid4().hex[:6]}")
    failed = sum(f for _, f in flaky.calls)
    assert 0.2 < failed / len(flaky.calls) < 0.4, (failed, len(flaky.calls))
    assert failed >= len(FAULTS)  # so every kind of fault came up
    counts = runs_per_example(settings, result.experiment_id)
    assert len(counts) == 40 and set(counts.values()) == {1}
    assert len(result.rows) == 40 and result.missing_annotations == 0
    assert all(complete(run) for run in evaluations(settings, result.experiment_id))
    given_up = flaky.given_up(FAST.attempts)
    for row in result.rows:
        question = row.example.question.split("?", 1)[0]
        if question in given_up:
            assert row.run.judge == ERROR
        else:  # retried until a real reply came back
            assert row.run.judge == row.example.label, (row.example.question, row.run)
    # one call per example, plus exactly one more per failed call that had attempts left
    assert len(flaky.calls) == 40 + failed - len(given_up)


def test_rows_whose_judge_calls_failed_are_retried_by_a_rerun(phoenix: Settings) -> None:
    down = {"on": True}

    def failing(request: dict[str, Any]) -> bool:
        return question_of(request).endswith(("city 1", "city 4", "city 7"))

    def flaky_reply(request: dict[str, Any]) -> dict[str, Any]:
        if down["on"] and failing(request):
            return {"status": 503}
        return verdict_for(request)

    with ScriptedLLM(flaky_reply) as server:
        settings = scripted_settings(phoenix, server)
        name = make_dataset(settings, 9)
        options: dict[str, Any] = {"prompt": "v2", "dataset": name, "retry": FAST,
                                   "prompt_name": f"faults-{uuid.uuid4().hex[:6]}"}
        first = judge_experiment(settings, **options)
        assert first.agreement.errors == 3
        assert status_lines(first)[-1].startswith("3 judge calls still failed")
        down["on"] = False
        calls_before = len(server.requests)
        second = judge_experiment(settings, **options)
    assert second.experiment_id == first.experiment_id
    assert second.outcome is not None and second.outcome.resumed
    assert (second.outcome.ran, second.outcome.evaluated) == (3, 3)
    assert len(server.requests) - calls_before == 3
    assert second.agreement.errors == 0 and second.agreement.matches == 9
    counts = runs_per_example(settings, second.experiment_id)
    assert len(counts) == 9 and set(counts.values()) == {1}
    for run in evaluations(settings, second.experiment_id):
        assert complete(run) and run["exact_match"] == run[run["rate"]] == 1.0


def cli(settings: Settings, server: ScriptedLLM, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "JUDGE_ALIGN_RUN_DIR": str(settings.run_dir),
           "PHOENIX_PORT": str(settings.phoenix_port),
           "PHOENIX_GRPC_PORT": str(settings.phoenix_grpc_port),
           "OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "scripted-key",
           "JUDGE_MODEL": "scripted", "COLUMNS": "200"}
    return subprocess.run([str(Path(sys.executable).parent / "judge-align"), "experiment",
                           *args], capture_output=True, text=True, cwd=settings.run_dir, env=env,
                          timeout=300)


def stored_runs(settings: Settings, dataset_id: str) -> int:
    experiments = connect(settings).client.experiments.list(dataset_id=dataset_id)
    return sum(e["successful_run_count"] for e in experiments)


def test_an_experiment_cut_by_a_phoenix_restart_resumes_with_one_run_per_example(
        tmp_path: Path) -> None:
    settings = fresh_settings(tmp_path)
    service = stack.phoenix_service(settings)
    service.start()
    try:
        with ScriptedLLM(lambda request: {**verdict_for(request), "delay": 0.25}) as server:
            name = make_dataset(settings, 40)
            dataset_id = connect(settings).client.datasets.get_dataset(dataset=name).id
            args = ("--prompt", "v3", "--dataset", name, "--concurrency", "2")
            result: dict[str, subprocess.CompletedProcess] = {}
            first = threading.Thread(target=lambda: result.update(run=cli(settings, server,
                                                                          *args)))
            first.start()
            deadline = time.monotonic() + 120
            while stored_runs(settings, dataset_id) < 6:
                assert first.is_alive() and time.monotonic() < deadline, result
                time.sleep(0.2)
            service.stop()  # Phoenix goes away mid-experiment
            first.join(timeout=120)
            cut = result["run"]
            assert cut.returncode == 1, cut.stdout + cut.stderr
            assert "Traceback" not in cut.stderr
            last = cut.stderr.strip().splitlines()[-1]
            assert last.startswith("error: Phoenix stopped answering during experiment "
                                   "'judge-v3-scripted'"), last
            assert "re-run the same command to resume" in last

            service.start()  # same run directory: the SQLite data persists
            (experiment,) = connect(settings).client.experiments.list(dataset_id=dataset_id)
            stored_before = experiment["successful_run_count"]
            assert 6 <= stored_before < 40
            calls_before = len(server.requests)
            resumed = cli(settings, server, *args)
            assert resumed.returncode == 0, resumed.stderr
            assert (f"resumed experiment judge-v3-scripted: judged {40 - stored_before} "
                    "missing or failed examples") in resumed.stdout
            assert len(server.requests) - calls_before == 40 - stored_before
            assert "100.0% (40/40)" in resumed.stdout

            again = cli(settings, server, *args)  # complete: shown again, not re-run
            assert again.returncode == 0, again.stderr
            assert "is already complete" in again.stdout
            assert len(server.requests) - calls_before == 40 - stored_before
        (experiment,) = connect(settings).client.experiments.list(dataset_id=dataset_id)
        counts = runs_per_example(settings, experiment["id"])
        assert len(counts) == 40 and set(counts.values()) == {1}
        assert all(complete(run) for run in evaluations(settings, experiment["id"]))
    finally:
        service.stop()


def test_a_complete_experiment_is_reused_and_fresh_starts_a_new_one(
        phoenix: Settings) -> None:
    with ScriptedLLM(verdict_for) as server:
        settings = scripted_settings(phoenix, server)
        name = make_dataset(settings, 4)
        options: dict[str, Any] = {"prompt": "v1", "dataset": name, "retry": FAST,
                                   "prompt_name": f"faults-{uuid.uuid4().hex[:6]}"}
        first = judge_experiment(settings, **options)
        reused = judge_experiment(settings, **options)
        new = judge_experiment(settings, resume=False, **options)
    assert reused.experiment_id == first.experiment_id
    assert reused.outcome is not None and (reused.outcome.ran, reused.outcome.evaluated) == (0, 0)
    assert new.experiment_id != first.experiment_id and len(server.requests) == 8
