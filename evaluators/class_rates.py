"""The per-row evaluations whose Phoenix means are the TPR and the TNR.

Phoenix shows each evaluation's mean over the runs that carry it. ``tpr`` is logged only on
rows a person labeled helpful (1.0 when the judge said helpful too), ``tnr`` only on rows
labeled not_helpful (1.0 when the judge said not_helpful), so the experiments table's means
are exactly :func:`evaluators.metrics.true_positive_rate` and ``true_negative_rate``: an
``invalid`` or ``error`` outcome is a miss, as in the report.
"""

from __future__ import annotations

from typing import Any

from evaluators.labels import ERROR, HELPFUL, NOT_HELPFUL, normalize_label

TPR = "tpr"
TNR = "tnr"
RATE_OF = {HELPFUL: TPR, NOT_HELPFUL: TNR}
"""Which rate a row counts toward, by its human label."""


def rate_name(expected: Any) -> str | None:
    """``tpr`` for a row labeled helpful, ``tnr`` for not_helpful, None without a label."""
    human = normalize_label(expected.get("label") if isinstance(expected, dict) else None)
    return RATE_OF.get(human) if human else None


def class_rate(output: Any, expected: Any) -> tuple[str, dict[str, Any]] | None:
    """``(name, result)`` for the rate this row counts toward (None for an unlabeled row):
    ``score`` 1.0 when the judge gave the human label, a ``label`` hit / miss and a one-line
    ``explanation``."""
    name = rate_name(expected)
    if name is None:
        return None
    human = normalize_label(expected["label"])
    judge = output.get("label") if isinstance(output, dict) else None
    hit = judge == human
    return name, {"score": 1.0 if hit else 0.0, "label": "hit" if hit else "miss",
                  "explanation": f"human {human}, judge {judge or ERROR}"}
