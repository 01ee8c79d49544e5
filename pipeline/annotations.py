"""Human helpfulness labels as Phoenix span annotations, and the label choices the UI offers.

Every label is a span annotation named ``helpfulness``, annotator kind HUMAN, label
``helpful`` (score 1) or ``not_helpful`` (score 0). Labels are written with the empty
identifier, the same slot the Phoenix UI fills when authentication is off, so a span has one
human label whichever way it was given (UI, terminal, file) and labeling again replaces it.
When several human labels exist (e.g. per-user UI labels with authentication on), the most
recently updated one counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx

from pipeline.errors import UserError
from pipeline.settings import Settings

if TYPE_CHECKING:
    from phoenix.client import Client

NAME = "helpfulness"
LABELS = ("helpful", "not_helpful")
SCORES = {"helpful": 1.0, "not_helpful": 0.0}
WRITE_BATCH = 100
CONFIG = {
    "name": NAME,
    "type": "CATEGORICAL",
    "description": "Did the answer help the user? (human ground truth for the judge)",
    "optimization_direction": "MAXIMIZE",
    "values": [{"label": label, "score": SCORES[label]} for label in LABELS],
}


@dataclass(frozen=True)
class HumanLabel:
    """The current human label of one span."""

    span_id: str
    label: str
    annotation_id: str
    updated_at: datetime
    explanation: str | None = None


@dataclass(frozen=True)
class LabelToWrite:
    span_id: str
    label: str
    explanation: str | None = None
    annotator: str | None = None
    source: str = "file"


def normalize_label(value: object) -> str | None:
    """``helpful``/``not_helpful`` for those words (any case; space or hyphen for the
    underscore), else None."""
    text = "_".join(str(value).strip().lower().replace("-", " ").split())
    return text if text in LABELS else None


def check_label(label: str) -> str:
    """``label`` if it is one of LABELS, else a UserError naming the choices."""
    if label not in LABELS:
        raise UserError(f"unknown label {label!r}: use one of {', '.join(LABELS)}")
    return label


def ensure_config(settings: Settings, project: str) -> str:
    """Create (or correct) the ``helpfulness`` annotation config and attach it to the
    project, so the Phoenix UI offers exactly helpful / not_helpful. Idempotent; returns
    what it did in a few words."""
    with _rest(settings) as rest:
        response = rest.get(f"/v1/annotation_configs/{NAME}")
        if response.status_code == 404:
            _ok(rest.post("/v1/annotation_configs", json=CONFIG))
            done = "created"
        else:
            current = _ok(response).json()["data"]
            if _same_config(current):
                done = "already set up"
            else:
                _ok(rest.put(f"/v1/annotation_configs/{current['id']}", json=CONFIG))
                done = "updated to helpful / not_helpful"
        response = rest.put(f"/v1/projects/{project}/annotation_configs/{NAME}")
        if response.status_code == 404:
            raise UserError(f"Phoenix has no project {project!r}: run the agent first "
                            "(`make agent`) or set JUDGE_ALIGN_PROJECT")
        _ok(response)
    return f"annotation config {NAME!r} {done}, attached to project {project!r}"


def write_label(client: Client, label: LabelToWrite) -> str:
    """Save one label now (synchronously); return the annotation id."""
    return write_labels(client, [label])[0]


def write_labels(client: Client, labels: Iterable[LabelToWrite]) -> list[str]:
    """Save labels synchronously in batches; return their annotation ids in order."""
    rows = [_annotation(label) for label in labels]
    ids: list[str] = []
    for start in range(0, len(rows), WRITE_BATCH):
        inserted = client.spans.log_span_annotations(
            span_annotations=rows[start:start + WRITE_BATCH], sync=True) or []
        ids.extend(item["id"] for item in inserted)
    return ids


def delete_annotation(settings: Settings, annotation_id: str) -> None:
    """Remove one annotation (REST has no per-annotation delete; GraphQL has)."""
    mutation = ("mutation($ids: [ID!]!) { deleteSpanAnnotations(input: {annotationIds: $ids})"
                " { __typename } }")
    with _rest(settings) as rest:
        body = _ok(rest.post("/graphql", json={"query": mutation,
                                               "variables": {"ids": [annotation_id]}})).json()
    if body.get("errors"):
        raise RuntimeError(f"could not delete annotation {annotation_id}: {body['errors']}")


def human_labels(client: Client, project: str, span_ids: Iterable[str]) -> dict[str, HumanLabel]:
    """The current human label of each span that has one."""
    ids = sorted(set(span_ids))
    if not ids:
        return {}
    found: dict[str, HumanLabel] = {}
    annotations = client.spans.get_span_annotations(
        span_ids=ids, project_identifier=project, include_annotation_names=[NAME], timeout=120)
    for item in annotations:
        result = item.get("result") or {}
        if item.get("annotator_kind") != "HUMAN" or result.get("label") not in LABELS:
            continue
        label = HumanLabel(span_id=item["span_id"], label=result["label"],
                           annotation_id=item["id"],
                           updated_at=datetime.fromisoformat(item["updated_at"]),
                           explanation=result.get("explanation"))
        previous = found.get(label.span_id)
        if previous is None or label.updated_at >= previous.updated_at:
            found[label.span_id] = label
    return found


def _annotation(label: LabelToWrite) -> dict[str, Any]:
    check_label(label.label)
    metadata = {"source": label.source}
    if label.annotator:
        metadata["annotator"] = label.annotator
    result: dict[str, Any] = {"label": label.label, "score": SCORES[label.label]}
    if label.explanation:
        result["explanation"] = label.explanation
    return {"span_id": label.span_id, "name": NAME, "annotator_kind": "HUMAN",
            "result": result, "metadata": metadata, "identifier": ""}


def _same_config(current: dict[str, Any]) -> bool:
    values = [(v["label"], v.get("score")) for v in current.get("values") or []]
    return current.get("type") == "CATEGORICAL" and values == [
        (v["label"], v["score"]) for v in CONFIG["values"]]


def _rest(settings: Settings) -> httpx.Client:
    return httpx.Client(base_url=settings.phoenix_url, timeout=30)


def _ok(response: httpx.Response) -> httpx.Response:
    if response.is_error:
        raise RuntimeError(f"Phoenix answered {response.status_code} to {response.request.method}"
                           f" {response.request.url.path}: {response.text[:300]}")
    return response
