"""The default path, real end to end: a judge experiment on the local model (no key, no
scripted server) over a few gold examples, stored in a real Phoenix with exact_match."""

from __future__ import annotations

import dataclasses
import uuid

import httpx
import pytest

from evaluators.labels import ERROR
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
