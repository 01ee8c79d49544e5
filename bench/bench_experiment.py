"""Experiment throughput: 200 labeled examples judged against a scripted OpenAI-compatible
endpoint that answers every call after a fixed 200 ms, at concurrency 1, 4 and 16.

Each time is the whole ``run_judge_experiment`` (read the dataset, push the prompt, judge,
store every run with its trace id and its evaluations in Phoenix, read the runs back for the
report, write the figures into the experiment, send the traces),
compared with the ideal ``examples x latency / concurrency``, with Phoenix's own sequential
``Client.experiments.run_experiment`` running the same judge with the same evaluator, and with
Phoenix's ``AsyncClient`` version at concurrency 16 (which this tool used before it got its
own runner). Target: within 1.25x of the ideal at concurrency 16. Phoenix's cost per stored
run or evaluation is measured too: it bounds what any client can reach.

The endpoint runs in its own process (so its threads do not share our interpreter), and the
benchmark starts a throwaway Phoenix and stops it at the end. Run with
``python -m bench bench_experiment`` or ``make bench``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` and `pipeline` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import describe
from bench.throwaway import throwaway_phoenix
from pipeline.settings import ROOT, Settings

EXAMPLES = 200
LATENCY = 0.2  # seconds per call at the scripted endpoint
CONCURRENCY = (1, 4, 16)
TARGET = 1.25  # at the highest concurrency, as a multiple of the ideal
PROMPT = "v3"
WRITES_PER_RUN = 3
"""The run, its exact_match, and its tpr or tnr (every example here is labeled)."""


def serve(latency: float) -> None:
    """The scripted endpoint (run in a child process): every call answers ``helpful`` or
    ``not_helpful`` (from a marker in the answer) after ``latency`` seconds."""
    from tests.support.scripted_llm import ScriptedLLM

    def reply(request: dict[str, Any]) -> dict[str, Any]:
        answer = request["messages"][-1]["content"].rsplit("<answer>", 1)[-1]
        label = "not_helpful" if "[n]" in answer else "helpful"
        return {"content": f"{label}\nScripted reason.", "delay": latency}

    with ScriptedLLM(reply) as server:
        print(server.base_url, flush=True)
        threading.Event().wait()


@contextlib.contextmanager
def scripted_endpoint(latency: float) -> Iterator[str]:
    """Start :func:`serve` in a child process; yield its base URL."""
    child = subprocess.Popen([sys.executable, "-m", "bench.bench_experiment", "--serve",
                              str(latency)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        yield child.stdout.readline().strip()
    finally:
        child.terminate()
        child.wait(timeout=10)


def make_dataset(settings: Settings, n: int) -> str:
    """``n`` labeled examples in the dataset contract (a third of them not_helpful)."""
    from tests.support.stack import connect

    name = f"bench-experiment-{uuid.uuid4().hex[:6]}"
    examples = [{
        "input": {"question": f"What is the weather in city {i}?",
                  "answer": f"It is {10 + i % 20} degrees and sunny in city {i}."
                            + (" [n]" if i % 3 == 0 else "")},
        "output": {"label": "not_helpful" if i % 3 == 0 else "helpful"},
        "metadata": {"trace_id": f"trace-{i}", "category": "forecast",
                     "split": "dev" if i % 10 < 7 else "test"},
    } for i in range(n)]
    connect(settings).client.datasets.create_dataset(name=name, examples=examples, timeout=120)
    return name


def ours(settings: Settings, dataset: str, concurrency: int) -> tuple[float, int, float]:
    """Seconds for one whole experiment and the runs stored; then the seconds until Phoenix
    held the experiment's traces, waited for so that the next case starts on an idle Phoenix
    (as it did before runs were traced: ingesting spans takes Phoenix's CPU)."""
    from tests.support.experiments import judge_experiment

    started = time.perf_counter()
    result = judge_experiment(settings, prompt=PROMPT, dataset=dataset,
                              concurrency=concurrency,
                              prompt_name=f"bench-{uuid.uuid4().hex[:6]}")
    seconds = time.perf_counter() - started
    ingest = traces_ingested(settings, result.experiment_id, 2 * len(result.rows))
    return seconds, sum(row.run.exact_match is not None for row in result.rows), ingest


def traces_ingested(settings: Settings, experiment_id: str, spans: int,
                    timeout: float = 120.0) -> float:
    """Seconds until the experiment's project holds ``spans`` spans (a root and the judge's
    LLM span per run): Phoenix ingests them after the command has sent them."""
    import httpx

    from tests.support.stack import base_url

    url = base_url(settings)
    project = httpx.get(f"{url}/v1/experiments/{experiment_id}", timeout=30
                        ).json()["data"]["project_name"]
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        found, cursor = 0, None
        while True:
            page = httpx.get(f"{url}/v1/projects/{project}/spans", timeout=30, params={
                "limit": 1000, **({"cursor": cursor} if cursor else {})}).json()
            found += len(page.get("data") or [])
            cursor = page.get("next_cursor")
            if not cursor:
                break
        if found >= spans:
            break
        time.sleep(0.5)
    return time.perf_counter() - started


def usable_examples(labeled: Any) -> Any:
    """The Phoenix dataset restricted to the labeled examples (same id and version), for
    Phoenix's own ``run_experiment``."""
    from phoenix.client.resources.datasets import Dataset

    keep = {example.id for example in labeled.examples}
    data = labeled.dataset.to_dict()
    data["examples"] = [e for e in data["examples"] if e["id"] in keep]
    data["example_count"] = len(data["examples"])
    return Dataset.from_dict(data)


def phoenix_sequential(settings: Settings, dataset: str) -> tuple[float, int]:
    """Seconds for Phoenix's sync ``run_experiment`` with the same judge and evaluator."""
    from evaluators.exact_match import exact_match
    from evaluators.judge import Judge
    from evaluators.prompt_files import load_prompt
    from pipeline.dataset.examples import load_labeled
    from tests.support.stack import connect

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    judge = Judge(settings.judge_endpoint(), load_prompt(PROMPT))

    def task(input: dict[str, Any]) -> dict[str, Any]:
        verdict = asyncio.run_coroutine_threadsafe(
            judge.judge(input["question"], input["answer"]), loop).result()
        return verdict.as_output()

    try:
        started = time.perf_counter()
        phoenix = connect(settings)
        labeled = load_labeled(phoenix, dataset)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            ran = phoenix.client.experiments.run_experiment(
                dataset=usable_examples(labeled), task=task, evaluators=[exact_match],
                experiment_name="phoenix-sequential", print_summary=False, timeout=120)
        seconds = time.perf_counter() - started
    finally:
        asyncio.run_coroutine_threadsafe(judge.aclose(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
    return seconds, len(ran["evaluation_runs"])


def phoenix_async(settings: Settings, dataset: str, concurrency: int) -> float:
    """Seconds for Phoenix's ``AsyncClient.experiments.run_experiment`` (what this tool used
    before its own runner) with the same judge and evaluator at ``concurrency``."""
    from evaluators.exact_match import exact_match
    from evaluators.judge import Judge
    from evaluators.prompt_files import load_prompt
    from pipeline.dataset.examples import load_labeled
    from tests.support.stack import connect

    async def run() -> None:
        judge = Judge(settings.judge_endpoint(), load_prompt(PROMPT))

        async def task(input: dict[str, Any]) -> dict[str, Any]:
            return (await judge.judge(input["question"], input["answer"])).as_output()

        try:
            await connect(settings).async_client().experiments.run_experiment(
                dataset=usable_examples(labeled), task=task, evaluators=[exact_match],
                experiment_name="phoenix-async", print_summary=False, timeout=120,
                concurrency=concurrency)
        finally:
            await judge.aclose()

    started = time.perf_counter()
    labeled = load_labeled(connect(settings), dataset)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        asyncio.run(run())
    return time.perf_counter() - started


def phoenix_write_time(settings: Settings, dataset: str, n: int = 40) -> float:
    """Mean seconds Phoenix takes to store one run or one evaluation, one write at a time
    (``n`` runs and ``n`` evaluations on a scratch experiment)."""
    from datetime import UTC, datetime

    from pipeline.dataset.examples import load_labeled
    from tests.support.stack import connect

    labeled = load_labeled(connect(settings), dataset)

    async def probe() -> float:
        phoenix = connect(settings).async_client().experiments
        experiment = await phoenix.create(dataset_id=labeled.dataset.id,
                                          dataset_version_id=labeled.dataset.version_id,
                                          experiment_name="write-probe")
        now = datetime.now(UTC)
        started = time.perf_counter()
        for example in labeled.dataset.examples[:n]:
            run = await phoenix.log_run(experiment_id=experiment["id"],
                                        dataset_example_id=example["node_id"],
                                        output={"label": "helpful"}, start_time=now,
                                        end_time=now)
            await phoenix.log_evaluation(experiment_run_id=run["id"], name="probe", score=1.0)
        return (time.perf_counter() - started) / (2 * n)

    return asyncio.run(probe())


def main() -> None:
    print(f"# Experiment throughput ({describe()})")
    print(f"{EXAMPLES} examples, scripted endpoint answering in {LATENCY * 1000:.0f} ms; "
          f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with throwaway_phoenix("bench-experiment-") as phoenix, scripted_endpoint(LATENCY) as url:
        settings = dataclasses.replace(phoenix, openai_base_url=url, openai_api_key="scripted",
                                       judge_model="scripted")
        dataset = make_dataset(settings, EXAMPLES)
        ours(settings, dataset, 16)  # warm-up: imports, first connections
        times = {}
        for concurrency in CONCURRENCY:
            seconds, stored, ingest = ours(settings, dataset, concurrency)
            times[concurrency] = seconds
            ideal = EXAMPLES * LATENCY / concurrency
            print(f"judge-align, concurrency {concurrency:2d}   {seconds:6.2f} s   ideal "
                  f"{ideal:5.2f} s   x{seconds / ideal:4.2f} of ideal   ({stored} runs "
                  f"with their evaluations; Phoenix held their traces {ingest:.1f} s later)")
        sequential, evaluated = phoenix_sequential(settings, dataset)
        print(f"Phoenix run_experiment (sequential)  {sequential:6.2f} s   ideal "
              f"{EXAMPLES * LATENCY:5.2f} s   x{sequential / (EXAMPLES * LATENCY):4.2f} of "
              f"ideal   ({evaluated} evaluations)")
        top = max(CONCURRENCY)
        ideal = EXAMPLES * LATENCY / top
        phoenix_16 = phoenix_async(settings, dataset, top)
        print(f"Phoenix AsyncClient run_experiment, {top}  {phoenix_16:6.2f} s   ideal "
              f"{ideal:5.2f} s   x{phoenix_16 / ideal:4.2f} of ideal")
        ratio = times[top] / ideal
        print("speed-up over Phoenix's sequential run_experiment: "
              + ", ".join(f"x{sequential / times[c]:.1f} at {c}" for c in CONCURRENCY))
        write = phoenix_write_time(settings, dataset)
        writes = WRITES_PER_RUN * EXAMPLES
        floor = writes * write
        print(f"Phoenix stores each run and each evaluation with its own write: "
              f"{write * 1000:.1f} ms a write here, so {writes} writes take at least "
              f"{floor:.2f} s (x{floor / ideal:.2f} of the ideal at {top}); at {top} we took "
              f"x{times[top] / max(floor, ideal):.2f} of max(ideal, that floor)")
        print(f"target: within {TARGET}x of the ideal at concurrency {top}: "
              f"{'met' if ratio <= TARGET else 'MISSED'} (x{ratio:.2f})")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(float(sys.argv[2]))
    else:
        main()
