"""What Phoenix itself shows about an experiment, read the way its UI reads it: GraphQL for
the aggregates and the splits of the experiments table, REST for runs and their spans."""

from __future__ import annotations

import time
from typing import Any

import httpx

from pipeline.settings import Settings
from tests.support.stack import base_url

_EXPERIMENT = """query ($id: ID!) {
  node(id: $id) {
    ... on Experiment {
      annotationSummaries { annotationName meanScore count }
      datasetSplits { edges { node { name } } }
      costSummary { total { tokens } }
    }
  }
}"""


def experiment_view(settings: Settings, experiment_id: str) -> dict[str, Any]:
    """The experiments table's data for one experiment (GraphQL, as the UI asks for it)."""
    response = httpx.post(f"{base_url(settings)}/graphql", timeout=30, json={
        "query": _EXPERIMENT, "variables": {"id": experiment_id}})
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["node"]


def annotation_means(settings: Settings, experiment_id: str) -> dict[str, tuple[float, int]]:
    """Annotation name -> (Phoenix's mean score, how many runs carry it)."""
    return {s["annotationName"]: (s["meanScore"], s["count"])
            for s in experiment_view(settings, experiment_id)["annotationSummaries"]}


def experiment_splits(settings: Settings, experiment_id: str) -> list[str]:
    """The dataset splits the experiment was created on (the table's "splits" column)."""
    edges = experiment_view(settings, experiment_id)["datasetSplits"]["edges"]
    return sorted(edge["node"]["name"] for edge in edges)


def experiment_runs(settings: Settings, experiment_id: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{base_url(settings)}/v1/experiments/{experiment_id}/runs",
                         timeout=30)
    response.raise_for_status()
    return response.json()["data"]


def spans_of_traces(settings: Settings, project: str, trace_ids: list[str], *,
                    expected_spans: int, wait: float = 20.0) -> dict[str, list[dict[str, Any]]]:
    """Trace id -> its spans in ``project``, once Phoenix holds ``expected_spans`` of them
    (spans are ingested a moment after they are sent)."""
    deadline = time.monotonic() + wait
    while True:
        spans: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"trace_id": trace_ids, "limit": 1000}
            if cursor:
                params["cursor"] = cursor
            response = httpx.get(f"{base_url(settings)}/v1/projects/{project}/spans",
                                 params=params, timeout=30)
            response.raise_for_status()
            body = response.json()
            spans += body["data"]
            cursor = body.get("next_cursor")
            if not cursor:
                break
        if len(spans) >= expected_spans or time.monotonic() > deadline:
            by_trace: dict[str, list[dict[str, Any]]] = {t: [] for t in trace_ids}
            for span in spans:
                by_trace.setdefault(span["context"]["trace_id"], []).append(span)
            return by_trace
        time.sleep(0.5)
