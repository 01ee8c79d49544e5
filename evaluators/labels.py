"""The label vocabulary shared by humans, the judge and the metrics."""

from __future__ import annotations

import re

HELPFUL = "helpful"
NOT_HELPFUL = "not_helpful"
HUMAN_LABELS = (HELPFUL, NOT_HELPFUL)
SCORES = {HELPFUL: 1.0, NOT_HELPFUL: 0.0}
"""The score stored beside each label in Phoenix (helpful is the positive class)."""

INVALID = "invalid"
"""The judge replied, but not with a label we could read."""

ERROR = "error"
"""The judge call failed (after its retries): no reply at all."""

JUDGE_OUTCOMES = (HELPFUL, NOT_HELPFUL, INVALID, ERROR)

_SEPARATORS = re.compile(r"[\s\-_]+")


def normalize_label(value: object) -> str | None:
    """``"Helpful"``, ``" not helpful "``, ``"NOT-HELPFUL"``, ``"Unhelpful"`` -> the canonical
    label, else None. The one reading of a label everywhere: files, the terminal labeler,
    datasets and judge replies."""
    if not isinstance(value, str):
        return None
    key = _SEPARATORS.sub("_", value.strip().strip("\"'`.*").lower())
    if key == "unhelpful":
        key = NOT_HELPFUL
    return key if key in HUMAN_LABELS else None
