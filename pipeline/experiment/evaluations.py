"""The evaluations each judge run carries in Phoenix, so the experiments table reads as the
report: ``exact_match`` on every run (its mean is the match rate), ``tpr`` on runs of rows a
person labeled helpful and ``tnr`` on rows labeled not_helpful (their means are the TPR and
the TNR; :mod:`evaluators.class_rates`)."""

from __future__ import annotations

from typing import Any

from evaluators.class_rates import TNR, TPR, class_rate, rate_name
from evaluators.exact_match import NAME as EXACT_MATCH
from evaluators.exact_match import exact_match

NAMES = (EXACT_MATCH, TPR, TNR)
"""Every evaluation name this tool logs on a run."""


def names_for(expected: Any) -> frozenset[str]:
    """The evaluations a run on an example with reference output ``expected`` must carry."""
    rate = rate_name(expected)
    return frozenset({EXACT_MATCH} if rate is None else {EXACT_MATCH, rate})


def evaluate(output: Any, expected: Any) -> dict[str, dict[str, Any]]:
    """``{name: {"score", "label", "explanation"}}`` for each evaluation of :func:`names_for`."""
    results = {EXACT_MATCH: exact_match(output, expected)}
    if (rate := class_rate(output, expected)) is not None:
        name, result = rate
        results[name] = result
    return results
