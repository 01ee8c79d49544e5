"""Judge experiments as Phoenix stores them: which experiments are ours, and their runs.

Everything here reads back from Phoenix (REST ``/v1/experiments/{id}/json``: each run with
its input, reference output, task output and annotations), so the report and the comparison
show what the Phoenix UI shows, not what this process remembers.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from evaluators.labels import ERROR, INVALID, JUDGE_OUTCOMES, normalize_label
from pipeline.settings import Settings

if TYPE_CHECKING:
    from phoenix.client import Client

JUDGE_KIND = "judge"
"""``metadata["kind"]`` of the experiments this tool runs (other experiments are ignored)."""
EXACT_MATCH = "exact_match"
READ_TIMEOUT = 60


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
    label_probability: float | None = None
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
    probability = output.get("label_probability")
    return RunRecord(
        example_id=run["example_id"],
        question=str(inputs.get("question", "")),
        answer=str(inputs.get("answer", "")),
        human=normalize_label(reference.get("label") if isinstance(reference, dict) else None),
        judge=judge_outcome(output, run.get("error")),
        reason=str(output.get("reason") or output.get("error") or run.get("error") or ""),
        exact_match=float(scores[-1]) if scores else None,
        label_probability=float(probability) if isinstance(probability, int | float) else None,
        error=output.get("error") or run.get("error"),
    )


def fetch_runs(settings: Settings, experiment_id: str) -> list[RunRecord]:
    """Every run of an experiment with its annotations, read from Phoenix's REST API."""
    response = httpx.get(f"{settings.phoenix_url}/v1/experiments/{experiment_id}/json",
                         timeout=READ_TIMEOUT)
    response.raise_for_status()
    return [_record(run) for run in response.json()]


def judge_experiments(client: Client, dataset_id: str) -> list[dict[str, Any]]:
    """The dataset's experiments run by this tool, oldest first."""
    experiments = client.experiments.list(dataset_id=dataset_id, timeout=READ_TIMEOUT)
    ours = [e for e in experiments if (e.get("metadata") or {}).get("kind") == JUDGE_KIND]
    return sorted(ours, key=lambda e: (e.get("created_at") or "", _row_number(e["id"])))


def _row_number(global_id: str) -> int:
    """The database row behind a Phoenix id such as base64("Experiment:7"): it breaks ties
    between experiments created within the same timestamp resolution."""
    try:
        return int(base64.b64decode(global_id).decode().rsplit(":", 1)[1])
    except (ValueError, IndexError, UnicodeDecodeError):
        return 0
