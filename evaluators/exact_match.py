"""The evaluator every judge experiment logs: did the judge give exactly the human label?"""

from __future__ import annotations

from typing import Any

from evaluators.labels import ERROR, normalize_label

NAME = "exact_match"


def exact_match(output: Any, expected: Any) -> dict[str, Any]:
    """``score`` 1.0 when the judge's label equals the human one, else 0.0, with a ``label``
    (match / mismatch) and a one-line ``explanation``. A failed or unreadable judge reply
    never matches."""
    judge = output.get("label") if isinstance(output, dict) else None
    human = normalize_label(expected.get("label") if isinstance(expected, dict) else None)
    match = judge is not None and judge == human
    return {"score": 1.0 if match else 0.0, "label": "match" if match else "mismatch",
            "explanation": f"judge {judge or ERROR}, human {human}"}
