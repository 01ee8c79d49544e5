"""Judge experiments as Phoenix stores them: which experiments are ours, their runs, and the
experiment records themselves (created, and their description and metadata updated).

Runs are read back from Phoenix (REST ``/v1/experiments/{id}/json``: each run with its
input, reference output, task output and annotations), so the report and the comparison
show what the Phoenix UI shows, not what this process remembers.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from evaluators.exact_match import NAME as EXACT_MATCH
from evaluators.labels import ERROR, INVALID, JUDGE_OUTCOMES, normalize_label

if TYPE_CHECKING:
    from phoenix.client.resources.datasets import Dataset

    from pipeline.phoenix.connection import Phoenix

JUDGE_KIND = "judge"
"""``metadata["kind"]`` of the experiments this tool runs (other experiments are ignored)."""
READ_TIMEOUT = 60


def experiment_name(prompt_version: str, model: str) -> str:
    """``judge-v3-<model>`` (the model's name made safe for a title): also the judge's slot
    in span annotations."""
    return f"judge-{prompt_version}-{re.sub(r'[^A-Za-z0-9._-]+', '-', model).strip('-')}"


@dataclass(frozen=True)
class RunRecord:
    """One experiment run: the human label, the judge's outcome and the exact-match score."""

    example_id: str
    question: str
    answer: str
    human: str | None
    judge: str
    reason: str
    exact_match: float | None
    probability: float | None = None
    """P(helpful) as the judge stored it, when known."""
    error: str | None = None


def judge_outcome(output: Any, run_error: str | None) -> str:
    """The judge's outcome for a run: its label, ``error`` if the task failed, else invalid."""
    if run_error:
        return ERROR
    label = output.get("label") if isinstance(output, dict) else None
    return label if label in JUDGE_OUTCOMES else INVALID


def _record(run: dict[str, Any]) -> RunRecord:
    inputs = run.get("input") or {}
    output = run.get("output") if isinstance(run.get("output"), dict) else {}
    reference = run.get("reference_output") or {}
    scores = [a.get("score") for a in run.get("annotations") or []
              if a.get("name") == EXACT_MATCH and a.get("score") is not None]
    probability = output.get("probability")
    return RunRecord(
        example_id=run["example_id"],
        question=str(inputs.get("question", "")),
        answer=str(inputs.get("answer", "")),
        human=normalize_label(reference.get("label") if isinstance(reference, dict) else None),
        judge=judge_outcome(output, run.get("error")),
        reason=str(output.get("reason") or output.get("error") or run.get("error") or ""),
        exact_match=float(scores[-1]) if scores else None,
        probability=float(probability) if isinstance(probability, int | float) else None,
        error=output.get("error") or run.get("error"),
    )


def fetch_runs(phoenix: Phoenix, experiment_id: str) -> list[RunRecord]:
    """Every run of an experiment with its annotations, read from Phoenix's REST API."""
    response = phoenix.rest.get(f"/v1/experiments/{experiment_id}/json", timeout=READ_TIMEOUT)
    response.raise_for_status()
    return [_record(run) for run in response.json()]


def stored_runs(phoenix: Phoenix, experiment_id: str) -> dict[str, dict[str, Any]]:
    """The experiment's runs by the dataset example they judged (REST ``/runs``)."""
    response = phoenix.rest.get(f"/v1/experiments/{experiment_id}/runs", timeout=READ_TIMEOUT)
    response.raise_for_status()
    return {run["dataset_example_id"]: run for run in response.json()["data"]}


def missing_evaluations(phoenix: Phoenix, experiment_id: str, names: Iterable[str]
                        ) -> dict[str, frozenset[str]]:
    """Run id -> which of ``names`` it lacks (or carries only as failed), for every run that
    lacks any (Phoenix works it out, page by page)."""
    found: dict[str, frozenset[str]] = {}
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 1000, "evaluation_name": list(names)}
        if cursor:
            params["cursor"] = cursor
        response = phoenix.rest.get(f"/v1/experiments/{experiment_id}/incomplete-evaluations",
                                    params=params, timeout=READ_TIMEOUT)
        response.raise_for_status()
        body = response.json()
        found |= {item["experiment_run"]["id"]: frozenset(item["evaluation_names"])
                  for item in body["data"]}
        cursor = body.get("next_cursor")
        if not cursor:
            return found


def create(phoenix: Phoenix, dataset: Dataset, *, name: str, description: str,
           metadata: dict[str, Any], split: str | None = None) -> dict[str, Any]:
    """A new experiment on ``dataset``'s version; on the Phoenix dataset split ``split`` when
    given (the experiments table shows it, and the experiment covers that split only)."""
    return dict(phoenix.client.experiments.create(
        dataset_id=dataset.id, dataset_version_id=dataset.version_id, experiment_name=name,
        experiment_description=description, experiment_metadata=metadata,
        splits=[split] if split else None, timeout=READ_TIMEOUT))


def get(phoenix: Phoenix, experiment_id: str) -> dict[str, Any]:
    """One experiment as Phoenix stores it (REST ``GET``): name, description, metadata."""
    response = phoenix.rest.get(f"/v1/experiments/{experiment_id}", timeout=READ_TIMEOUT)
    response.raise_for_status()
    return response.json()["data"]


def update(phoenix: Phoenix, experiment: dict[str, Any], *, description: str,
           metadata: dict[str, Any]) -> dict[str, Any]:
    """Replace the experiment's description and metadata (REST ``PATCH``); unchanged ones
    are not written again."""
    if (experiment.get("description"), experiment.get("metadata")) == (description, metadata):
        return experiment
    response = phoenix.rest.patch(f"/v1/experiments/{experiment['id']}", timeout=READ_TIMEOUT,
                                  json={"description": description, "metadata": metadata})
    response.raise_for_status()
    return response.json()["data"]


def judge_experiments(phoenix: Phoenix, dataset_id: str) -> list[dict[str, Any]]:
    """The dataset's experiments run by this tool, oldest first."""
    experiments = phoenix.client.experiments.list(dataset_id=dataset_id, timeout=READ_TIMEOUT)
    ours = [e for e in experiments if (e.get("metadata") or {}).get("kind") == JUDGE_KIND]
    return sorted(ours, key=lambda e: (e.get("created_at") or "", _row_number(e["id"])))


def _row_number(global_id: str) -> int:
    """The database row behind a Phoenix id such as base64("Experiment:7"): it breaks ties
    between experiments created within the same timestamp resolution."""
    try:
        return int(base64.b64decode(global_id).decode().rsplit(":", 1)[1])
    except (ValueError, IndexError, UnicodeDecodeError):
        return 0
