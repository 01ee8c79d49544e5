"""Judge labels as Phoenix span annotations, beside the human ones.

Every judge label is a span annotation named ``judge_helpfulness``, annotator kind LLM,
label ``helpful`` (score 1) / ``not_helpful`` (score 0) / ``invalid`` (a reply that could not
be read; no score), the judge's reason as explanation, and metadata naming the judge (prompt
tag, Phoenix prompt version id, prompt name, model) and, when the endpoint returned token
log-probabilities, ``label_probability``: the probability of the label given, from the
label token's log-probabilities normalised over the two labels.

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

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from evaluators.labels import INVALID, SCORES
from pipeline.phoenix.annotations import JUDGE, JUDGE_LABELS
from pipeline.phoenix.experiments import experiment_name

if TYPE_CHECKING:
    from evaluators.judge import Verdict

WRITE_BATCH = 25
"""Verdicts are saved as they come, this many at a time (an interruption loses at most one
batch)."""


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


def annotation(span_id: str, verdict: Verdict, judge: JudgeIdentity) -> dict[str, Any]:
    """The span annotation for one verdict (``helpful``, ``not_helpful`` or ``invalid``)."""
    if verdict.label not in JUDGE_LABELS:
        raise ValueError(f"a {verdict.label!r} verdict is not stored: only {JUDGE_LABELS}")
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
    return {"span_id": span_id, "name": JUDGE, "annotator_kind": "LLM",
            "identifier": judge.identifier, "result": result, "metadata": metadata}
