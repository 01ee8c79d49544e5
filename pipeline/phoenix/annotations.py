"""Labels on spans: the human ground truth and the judge's labels, as Phoenix annotations.

Human labels are span annotations named ``helpfulness``, annotator kind HUMAN, label
``helpful`` (score 1) or ``not_helpful`` (score 0), written with the empty identifier: the
slot the Phoenix UI fills when authentication is off, so a span has one human label whichever
way it was given (UI, terminal, file) and labeling again replaces it. When several human
labels exist (per-user UI labels with authentication on), the most recently updated counts.

Judge labels are span annotations named ``judge_helpfulness``, annotator kind LLM, label
``helpful`` / ``not_helpful`` / ``invalid``, and metadata naming the judge. Their identifier
is the judge's *slot* (``judge-<prompt tag>-<model>``), so each prompt version keeps its own
label on a span and nothing written there can touch the human labels.

Every write goes through :func:`write_annotations` (synchronous, in batches).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from evaluators.labels import HELPFUL, HUMAN_LABELS, INVALID, NOT_HELPFUL, SCORES
from pipeline.errors import UserError

if TYPE_CHECKING:
    from pipeline.phoenix.connection import Phoenix

HUMAN = "helpfulness"
JUDGE = "judge_helpfulness"
JUDGE_LABELS = (HELPFUL, NOT_HELPFUL, INVALID)
WRITE_BATCH = 100
READ_TIMEOUT = 120
CONFIG = {
    "name": HUMAN,
    "type": "CATEGORICAL",
    "description": "Did the answer help the user? (human ground truth for the judge)",
    "optimization_direction": "MAXIMIZE",
    "values": [{"label": label, "score": SCORES[label]} for label in HUMAN_LABELS],
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
    """A human label to save."""

    span_id: str
    label: str
    explanation: str | None = None
    annotator: str | None = None
    source: str = "file"


@dataclass(frozen=True)
class JudgeLabel:
    """One judge label read back from Phoenix."""

    span_id: str
    identifier: str
    label: str
    prompt_tag: str
    prompt_version_id: str
    model: str
    explanation: str
    label_probability: float | None
    updated_at: datetime

    @property
    def passed(self) -> bool:
        return self.label == HELPFUL


# --- writing -----------------------------------------------------------------------------------

def write_annotations(phoenix: Phoenix, rows: list[dict[str, Any]]) -> list[str]:
    """Save span annotations synchronously in batches; return their ids in order."""
    ids: list[str] = []
    for start in range(0, len(rows), WRITE_BATCH):
        inserted = phoenix.client.spans.log_span_annotations(
            span_annotations=rows[start:start + WRITE_BATCH], sync=True) or []
        ids.extend(item["id"] for item in inserted)
    return ids


def human_annotation(label: LabelToWrite) -> dict[str, Any]:
    """The span annotation of one human label."""
    if label.label not in HUMAN_LABELS:
        raise UserError(f"unknown label {label.label!r}: use one of {', '.join(HUMAN_LABELS)}")
    metadata = {"source": label.source}
    if label.annotator:
        metadata["annotator"] = label.annotator
    result: dict[str, Any] = {"label": label.label, "score": SCORES[label.label]}
    if label.explanation:
        result["explanation"] = label.explanation
    return {"span_id": label.span_id, "name": HUMAN, "annotator_kind": "HUMAN",
            "result": result, "metadata": metadata, "identifier": ""}


def write_labels(phoenix: Phoenix, labels: Iterable[LabelToWrite]) -> list[str]:
    """Save human labels now; return their annotation ids in order."""
    return write_annotations(phoenix, [human_annotation(label) for label in labels])


def delete_annotation(phoenix: Phoenix, annotation_id: str) -> None:
    """Remove one annotation (REST has no per-annotation delete; GraphQL has)."""
    mutation = ("mutation($ids: [ID!]!) { deleteSpanAnnotations(input: {annotationIds: $ids})"
                " { __typename } }")
    response = phoenix.rest.post("/graphql", json={"query": mutation,
                                                   "variables": {"ids": [annotation_id]}})
    response.raise_for_status()
    if errors := response.json().get("errors"):
        raise UserError(f"Phoenix could not delete annotation {annotation_id}: {errors}")


def ensure_config(phoenix: Phoenix, project: str) -> str:
    """Create (or correct) the ``helpfulness`` annotation config and attach it to the
    project, so the Phoenix UI offers exactly helpful / not_helpful. Idempotent; returns
    what it did in a few words."""
    rest = phoenix.rest
    response = rest.get(f"/v1/annotation_configs/{HUMAN}")
    if response.status_code == 404:
        rest.post("/v1/annotation_configs", json=CONFIG).raise_for_status()
        done = "created"
    else:
        current = response.raise_for_status().json()["data"]
        if _same_config(current):
            done = "already set up"
        else:
            rest.put(f"/v1/annotation_configs/{current['id']}", json=CONFIG).raise_for_status()
            done = "updated to helpful / not_helpful"
    response = rest.put(f"/v1/projects/{project}/annotation_configs/{HUMAN}")
    if response.status_code == 404:
        raise UserError(f"Phoenix has no project {project!r}: run the agent first "
                        "(`make agent`) or set JUDGE_ALIGN_PROJECT")
    response.raise_for_status()
    return f"annotation config {HUMAN!r} {done}, attached to project {project!r}"


def _same_config(current: dict[str, Any]) -> bool:
    values = [(v["label"], v.get("score")) for v in current.get("values") or []]
    return current.get("type") == "CATEGORICAL" and values == [
        (v["label"], v["score"]) for v in CONFIG["values"]]


# --- reading -----------------------------------------------------------------------------------

def _annotations(phoenix: Phoenix, project: str, span_ids: Iterable[str], name: str
                 ) -> list[dict[str, Any]]:
    ids = sorted(set(span_ids))
    if not ids:
        return []
    return list(phoenix.client.spans.get_span_annotations(
        span_ids=ids, project_identifier=project, include_annotation_names=[name],
        timeout=READ_TIMEOUT))


def human_labels(phoenix: Phoenix, project: str, span_ids: Iterable[str]
                 ) -> dict[str, HumanLabel]:
    """The current human label of each span that has one."""
    found: dict[str, HumanLabel] = {}
    for item in _annotations(phoenix, project, span_ids, HUMAN):
        result = item.get("result") or {}
        if item.get("annotator_kind") != "HUMAN" or result.get("label") not in HUMAN_LABELS:
            continue
        label = HumanLabel(span_id=item["span_id"], label=result["label"],
                           annotation_id=item["id"],
                           updated_at=datetime.fromisoformat(item["updated_at"]),
                           explanation=result.get("explanation"))
        previous = found.get(label.span_id)
        if previous is None or label.updated_at >= previous.updated_at:
            found[label.span_id] = label
    return found


def judge_labels(phoenix: Phoenix, project: str, span_ids: Iterable[str],
                 identifier: str | None = None) -> dict[str, list[JudgeLabel]]:
    """The judge labels on these spans, by span (only slot ``identifier`` when given)."""
    found: dict[str, list[JudgeLabel]] = {}
    for item in _annotations(phoenix, project, span_ids, JUDGE):
        label = _judge_label(item)
        if label is not None and (identifier is None or label.identifier == identifier):
            found.setdefault(label.span_id, []).append(label)
    return found


def _judge_label(item: dict[str, Any]) -> JudgeLabel | None:
    result = item.get("result") or {}
    if item.get("annotator_kind") != "LLM" or result.get("label") not in JUDGE_LABELS:
        return None
    metadata = item.get("metadata") or {}
    probability = metadata.get("label_probability")
    return JudgeLabel(
        span_id=item["span_id"], identifier=item.get("identifier") or "",
        label=result["label"], prompt_tag=str(metadata.get("prompt_tag") or ""),
        prompt_version_id=str(metadata.get("prompt_version_id") or ""),
        model=str(metadata.get("model") or ""), explanation=result.get("explanation") or "",
        label_probability=float(probability) if isinstance(probability, int | float) else None,
        updated_at=datetime.fromisoformat(item["updated_at"]))


__all__ = ["CONFIG", "HUMAN", "JUDGE", "HumanLabel", "JudgeLabel", "LabelToWrite",
           "delete_annotation", "ensure_config", "human_annotation", "human_labels",
           "judge_labels", "write_annotations", "write_labels"]
