"""How scores become a verdict: a checklist's check scores, or (stacked) the model's
P(helpful) from several prompt versions with them.

- ``any``: not_helpful as soon as one failure check fires (a documented rule: the rubric
  says any one failure makes an answer not_helpful); P(helpful) is 1 minus the strongest
  failure score. Checks that are evidence for helpful (``evidence``) never count.
- ``logistic``: P(helpful) = sigmoid(bias + sum(weight * score)), with weights fitted on
  labeled dev rows (:func:`fit_logistic`, regularised logistic regression), helpful when it
  reaches the threshold.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from evaluators.labels import HELPFUL

ANY, LOGISTIC = "any", "logistic"
COMBINERS = (ANY, LOGISTIC)


@dataclass(frozen=True)
class Combiner:
    """A fitted (or fixed) way to turn scores into P(helpful)."""

    kind: str = ANY
    weights: Mapping[str, float] = field(default_factory=dict)
    bias: float = 0.0
    threshold: float = 0.5
    evidence: frozenset[str] = frozenset()
    """Scores that speak for helpful: ``any`` does not count them as failures."""

    def probability(self, scores: Mapping[str, float]) -> float:
        """P(helpful) for one row's scores."""
        if self.kind == LOGISTIC:
            z = self.bias + sum(w * scores.get(name, 0.0) for name, w in self.weights.items())
            return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
        failures = [s for name, s in scores.items() if name not in self.evidence]
        return 1.0 - max(failures, default=0.0)

    def helpful(self, scores: Mapping[str, float]) -> bool:
        return self.probability(scores) >= self.threshold


def fit_logistic(rows: Sequence[Mapping[str, float]], labels: Sequence[str],
                 features: Sequence[str], *, strength: float = 1.0,
                 threshold: float = 0.5) -> Combiner:
    """Regularised logistic regression of ``labels`` (helpful = 1) on the ``features`` of
    ``rows`` (L2, inverse strength ``strength``, classes balanced; a missing feature is 0)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    y = np.array([label == HELPFUL for label in labels], dtype=int)
    if len(set(y)) < 2:  # one class only: nothing to weigh, the bias says it all
        return Combiner(LOGISTIC, {}, 30.0 if y.all() else -30.0, threshold)
    x = np.array([[row.get(name, 0.0) for name in features] for row in rows], dtype=float)
    model = LogisticRegression(C=strength, class_weight="balanced", max_iter=1000)
    model.fit(x, y)
    weights = {name: round(float(w), 4) for name, w in zip(features, model.coef_[0],
                                                            strict=True) if abs(w) > 1e-6}
    return Combiner(LOGISTIC, weights, round(float(model.intercept_[0]), 4), threshold)
