"""``exact_match``: the evaluator every judge experiment logs on every row."""

from __future__ import annotations

import pytest

from evaluators.exact_match import exact_match


@pytest.mark.parametrize(("output", "expected", "score"), [
    ({"label": "helpful"}, {"label": "helpful"}, 1.0),
    ({"label": "not_helpful"}, {"label": "Not Helpful"}, 1.0),
    ({"label": "not_helpful"}, {"label": "unhelpful"}, 1.0),
    ({"label": "helpful"}, {"label": "not_helpful"}, 0.0),
    ({"label": "invalid"}, {"label": "helpful"}, 0.0),
    ({"error": "timeout"}, {"label": "helpful"}, 0.0),
    (None, {"label": "helpful"}, 0.0),
    ({"label": "helpful"}, {"label": None}, 0.0),
])
def test_only_the_human_label_itself_matches(output: object, expected: object,
                                             score: float) -> None:
    result = exact_match(output, expected)
    assert result["score"] == score
    assert result["label"] == ("match" if score else "mismatch")


def test_the_explanation_names_both_sides() -> None:
    assert exact_match({}, {"label": "helpful"})["explanation"] == "judge error, human helpful"
