"""Judge labels as Phoenix span annotations, beside the human ones.

Every judge label is a span annotation named ``judge_helpfulness``, annotator kind LLM,
label ``helpful`` (score 1) / ``not_helpful`` (score 0) / ``invalid`` (a reply that could not
be read; no score), the judge's reason as explanation, and metadata naming the judge (prompt
tag, Phoenix prompt version id, prompt name, model) and, when the endpoint returned token
log-probabilities, ``label_probability``: the probability of the label's first token.

Phoenix keeps one annotation per (span, name, identifier). The identifier is the judge's
*slot*: ``judge-<prompt tag>-<model>``, the name of the experiment that measures that judge.
So each prompt version (and model) keeps its own label on a span: v2 and v3 never overwrite
each other, and comparing them shows where the versions disagree. Human ``helpfulness``
annotations have another name, so nothing written here can touch them.

A span counts as judged by a version when its slot holds a label from the same Phoenix prompt
version id. When ``v3.txt`` changes, pushing it gives a new version id, so the next run judges
every span again with the new text and overwrites v3's slot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from evaluators.labels import HELPFUL, INVALID, NOT_HELPFUL
from pipeline.experiment import experiment_name

if TYPE_CHECKING:
    from phoenix.client import Client

    from evaluators.judge import Verdict

NAME = "judge_helpfulness"
ANNOTATOR_KIND = "LLM"
SCORES = {HELPFUL: 1.0, NOT_HELPFUL: 0.0}
LABELS = (HELPFUL, NOT_HELPFUL, INVALID)
WRITE_BATCH = 25
READ_TIMEOUT = 120


@dataclass(frozen=True)
class JudgeIdentity:
    """Which judge wrote a label: a prompt version (tag and stored id) and a model."""

    prompt_tag: str
    prompt_version_id: str
    model: str
    prompt_name: str = ""

    @property
    def identifier(self) -> str:
        """The annotation identifier (the judge's slot on a span)."""
        return experiment_name(self.prompt_tag, self.model)


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


def annotation(span_id: str, verdict: Verdict, judge: JudgeIdentity) -> dict[str, Any]:
    """The span annotation for one verdict (``helpful``, ``not_helpful`` or ``invalid``)."""
    if verdict.label not in LABELS:
        raise ValueError(f"a {verdict.label!r} verdict is not stored: only {LABELS}")
    explanation = verdict.reason if verdict.label != INVALID else (
        f"unreadable reply: {verdict.raw}" if verdict.raw else "empty reply")
    result: dict[str, Any] = {"label": verdict.label}
    if verdict.label in SCORES:
        result["score"] = SCORES[verdict.label]
    if explanation:
        result["explanation"] = explanation
    metadata: dict[str, Any] = {"prompt_tag": judge.prompt_tag,
                                "prompt_version_id": judge.prompt_version_id,
                                "prompt_name": judge.prompt_name, "model": judge.model,
                                "source": "judge-traces"}
    if verdict.label_probability is not None:
        metadata["label_probability"] = round(verdict.label_probability, 6)
    return {"span_id": span_id, "name": NAME, "annotator_kind": ANNOTATOR_KIND,
            "identifier": judge.identifier, "result": result, "metadata": metadata}


def write(client: Client, rows: list[dict[str, Any]]) -> int:
    """Save annotations synchronously in batches; return how many Phoenix stored."""
    stored = 0
    for start in range(0, len(rows), WRITE_BATCH):
        inserted = client.spans.log_span_annotations(
            span_annotations=rows[start:start + WRITE_BATCH], sync=True) or []
        stored += len(inserted)
    return stored


def read(client: Client, project: str, span_ids: Iterable[str],
         identifier: str | None = None) -> dict[str, list[JudgeLabel]]:
    """The judge labels on these spans, by span (only slot ``identifier`` when given)."""
    ids = sorted(set(span_ids))
    found: dict[str, list[JudgeLabel]] = {}
    if not ids:
        return found
    for item in client.spans.get_span_annotations(
            span_ids=ids, project_identifier=project, include_annotation_names=[NAME],
            timeout=READ_TIMEOUT):
        label = _judge_label(item)
        if label is not None and (identifier is None or label.identifier == identifier):
            found.setdefault(label.span_id, []).append(label)
    return found


def _judge_label(item: dict[str, Any]) -> JudgeLabel | None:
    result = item.get("result") or {}
    if item.get("annotator_kind") != ANNOTATOR_KIND or result.get("label") not in LABELS:
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
