"""``tpr`` / ``tnr``: one per labeled row, so Phoenix's means are the report's TPR and TNR."""

from __future__ import annotations

import pytest

from evaluators import metrics
from evaluators.class_rates import TNR, TPR, class_rate, rate_name


@pytest.mark.parametrize(("output", "expected", "name", "score"), [
    ({"label": "helpful"}, {"label": "helpful"}, TPR, 1.0),
    ({"label": "not_helpful"}, {"label": "Helpful"}, TPR, 0.0),
    ({"label": "invalid"}, {"label": "helpful"}, TPR, 0.0),
    ({"label": "error", "error": "timeout"}, {"label": "helpful"}, TPR, 0.0),
    (None, {"label": "helpful"}, TPR, 0.0),
    ({"label": "not_helpful"}, {"label": "Not helpful"}, TNR, 1.0),
    ({"label": "helpful"}, {"label": "not_helpful"}, TNR, 0.0),
    ({"label": "invalid"}, {"label": "unhelpful"}, TNR, 0.0),
])
def test_each_labeled_row_counts_toward_one_rate(output: object, expected: dict, name: str,
                                                  score: float) -> None:
    got = class_rate(output, expected)
    assert got is not None
    assert got[0] == name == rate_name(expected)
    assert got[1]["score"] == score
    assert got[1]["label"] == ("hit" if score else "miss")


@pytest.mark.parametrize("expected", [{"label": None}, {"label": "meh"}, {}, None])
def test_an_unlabeled_row_counts_toward_no_rate(expected: object) -> None:
    assert class_rate({"label": "helpful"}, expected) is None
    assert rate_name(expected) is None


def test_the_means_are_the_metrics_tpr_and_tnr() -> None:
    human = ["helpful"] * 4 + ["not_helpful"] * 3
    judge = ["helpful", "helpful", "not_helpful", "error", "not_helpful", "invalid", "helpful"]
    scores: dict[str, list[float]] = {TPR: [], TNR: []}
    for h, j in zip(human, judge, strict=True):
        result = class_rate({"label": j}, {"label": h})
        assert result is not None
        scores[result[0]].append(result[1]["score"])
    assert sum(scores[TPR]) / len(scores[TPR]) == metrics.true_positive_rate(human, judge)
    assert sum(scores[TNR]) / len(scores[TNR]) == metrics.true_negative_rate(human, judge)


def test_the_explanation_names_both_sides() -> None:
    result = class_rate({}, {"label": "helpful"})
    assert result is not None and result[1]["explanation"] == "human helpful, judge error"
