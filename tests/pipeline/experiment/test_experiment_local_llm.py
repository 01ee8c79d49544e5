"""The default path, real end to end: a judge experiment on the local model (no key, no
scripted server) over a few gold examples, stored in a real Phoenix with exact_match."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from pathlib import Path

import httpx
import pytest

from evaluators.labels import ERROR, HELPFUL, NOT_HELPFUL
from evaluators.modes import make_judge
from evaluators.prompt_files import load_prompt
from pipeline.dataset.importer import read_examples
from pipeline.settings import Settings
from tests.support.experiments import judge_experiment
from tests.support.gold import gold_labels, gold_traces
from tests.support.stack import base_url, connect

pytestmark = pytest.mark.llm


def gold_examples(per_label: int) -> list[dict]:
    """The first ``per_label`` gold answers of each label, as dataset examples."""
    labels = gold_labels()
    picked: dict[str, list[dict]] = {"helpful": [], "not_helpful": []}
    for trace in gold_traces():
        label = labels.get(trace["root_span_id"])
        if label and len(picked[label]) < per_label and len(trace["answer"]) < 600:
            picked[label].append({
                "input": {"question": trace["question"], "answer": trace["answer"]},
                "output": {"label": label},
                "metadata": {"trace_id": trace["trace_id"], "category": trace["category"],
                             "split": "dev"}})
    return picked["helpful"] + picked["not_helpful"]


def test_a_judge_experiment_runs_on_the_local_model(phoenix: Settings,
                                                    local_llm: Settings) -> None:
    settings = dataclasses.replace(phoenix, local_llm_port=local_llm.local_llm_port)
    assert settings.uses_local_llm
    name = f"local-judge-{uuid.uuid4().hex[:6]}"
    examples = gold_examples(per_label=2)
    connect(settings).client.datasets.create_dataset(name=name, examples=examples, timeout=30)
    result = judge_experiment(settings, prompt="v1", dataset=name, concurrency=2)
    assert len(result.rows) == len(examples) == 4
    assert all(row.run.judge != ERROR for row in result.rows), "every call got an answer"
    runs = httpx.get(f"{base_url(settings)}/v1/experiments/{result.experiment_id}/json",
                     timeout=30).json()
    assert len(runs) == 4
    assert all(any(a["name"] == "exact_match" for a in run["annotations"]) for run in runs)
    assert 0.0 <= result.agreement.match_rate.value <= 1.0


PROBE = Path(__file__).parents[2] / "data" / "external-probe.jsonl"
"""12 question/answer pairs (6 helpful, 6 not_helpful) written and labeled by an annotator
session in other assistants' styles, with no tool record."""


@pytest.mark.parametrize("version", ["v1", "v2", "v3"])
def test_without_a_tool_record_each_version_predicts_both_labels(
        local_llm: Settings, version: str) -> None:
    """The hand-written versions on an imported set without tool records, on the local
    model: none says one label for every row (v3 once called all of them not_helpful when it
    was shown an empty tools block)."""
    examples = read_examples(PROBE)
    assert all(e["input"]["tools"] is None for e in examples)
    assert sorted(e["output"]["label"] for e in examples).count("helpful") == 6
    judge = make_judge(local_llm.judge_endpoint(), load_prompt(version))

    async def verdicts() -> list[str]:
        try:
            return [(await judge.judge(e["input"]["question"], e["input"]["answer"],
                                       None)).label for e in examples]
        finally:
            await judge.aclose()

    labels = asyncio.run(verdicts())
    assert set(labels) >= {HELPFUL, NOT_HELPFUL}, labels
