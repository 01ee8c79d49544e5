"""Agreement metrics against values computed by hand."""

from __future__ import annotations

import math

import pytest

from evaluators import metrics
from evaluators.labels import ERROR, HELPFUL, INVALID, NOT_HELPFUL

H, N = HELPFUL, NOT_HELPFUL

# 6 helpful rows (judge: 5 helpful, 1 not) and 4 not_helpful rows (judge: 3 not, 1 helpful).
HUMAN = [H] * 6 + [N] * 4
JUDGE = [H] * 5 + [N] + [N] * 3 + [H]


def test_figures_on_a_small_table_match_the_hand_computation() -> None:
    a = metrics.agreement(HUMAN, JUDGE)
    assert a.n == 10 and a.matches == 8
    assert a.match_rate.value == pytest.approx(0.8)
    # p_o = 0.8; p_e = 0.6*0.6 + 0.4*0.4 = 0.52; kappa = 0.28 / 0.48
    assert a.kappa == pytest.approx(0.28 / 0.48)
    assert a.tpr == pytest.approx(5 / 6)
    assert a.tnr == pytest.approx(3 / 4)
    assert a.confusion == {H: {H: 5, N: 1, INVALID: 0, ERROR: 0},
                           N: {H: 1, N: 3, INVALID: 0, ERROR: 0}}
    assert (a.invalid, a.errors) == (0, 0)
    assert a.human_pass_rate == pytest.approx(0.6)
    assert a.judge_pass_rate == pytest.approx(0.6)


def test_invalid_and_error_rows_count_as_disagreements() -> None:
    human = [H, H, N, N]
    judge = [H, INVALID, N, ERROR]
    a = metrics.agreement(human, judge)
    assert a.match_rate.value == pytest.approx(0.5)
    assert (a.tpr, a.tnr) == (pytest.approx(0.5), pytest.approx(0.5))
    assert (a.invalid, a.errors) == (1, 1)
    # p_e = 0.5*0.25 (helpful) + 0.5*0.25 (not_helpful) = 0.25; kappa = 0.25 / 0.75
    assert a.kappa == pytest.approx(1 / 3)


def test_kappa_is_undefined_when_everything_is_one_class() -> None:
    assert metrics.cohens_kappa([H, H, H], [H, H, H]) is None
    # humans all helpful, judge split: chance agreement 0.5, observed 0.5 -> kappa 0
    assert metrics.cohens_kappa([H, H], [H, N]) == pytest.approx(0.0)


def test_rates_are_undefined_without_rows_of_that_class() -> None:
    assert metrics.true_positive_rate([N, N], [N, H]) is None
    assert metrics.true_negative_rate([H, H], [N, H]) is None
    assert metrics.true_negative_rate([N, N], [N, H]) == pytest.approx(0.5)


def test_rogan_gladen_matches_the_worked_example() -> None:
    # (0.773 + 0.75 - 1) / (1.0 + 0.75 - 1) = 0.523 / 0.75
    assert metrics.rogan_gladen(0.773, 1.0, 0.75) == pytest.approx(0.697333, abs=1e-6)


def test_rogan_gladen_clips_and_refuses_a_chance_level_judge() -> None:
    assert metrics.rogan_gladen(0.1, 0.9, 0.8) == 0.0  # (0.1 + 0.8 - 1) / 0.7 < 0
    assert metrics.rogan_gladen(0.99, 0.9, 0.8) == 1.0  # 0.79 / 0.7 > 1
    assert metrics.rogan_gladen(0.5, 0.5, 0.5) is None
    assert metrics.rogan_gladen(0.5, 0.3, 0.6) is None


def test_corrected_pass_rate_on_new_rows_uses_the_measured_error_rates() -> None:
    # labeled rows: TPR 4/4 = 1.0, TNR 3/4 = 0.75; new rows: 773 of 1000 judged helpful
    human = [H] * 4 + [N] * 4
    judge = [H] * 4 + [N] * 3 + [H]
    target = [H] * 773 + [N] * 227
    estimate = metrics.corrected_pass_rate(human, judge, target)
    assert estimate is not None
    assert estimate.value == pytest.approx(0.523 / 0.75)
    assert estimate.low is not None and estimate.high is not None
    assert 0.0 <= estimate.low <= estimate.value <= estimate.high <= 1.0


def test_corrected_pass_rate_on_the_labeled_rows_gives_the_human_rate_even_with_invalid() -> None:
    human = [H] * 7 + [N] * 5
    judge = [H] * 5 + [N, ERROR] + [N] * 3 + [H, INVALID]
    estimate = metrics.corrected_pass_rate(human, judge)
    assert estimate is not None
    assert estimate.value == pytest.approx(7 / 12)


def test_corrected_pass_rate_is_none_for_a_useless_judge() -> None:
    assert metrics.corrected_pass_rate([H, N], [N, H]) is None
    assert metrics.corrected_pass_rate([H, H], [H, H]) is None  # no negative rows


def test_bootstrap_interval_is_seeded_and_about_the_normal_width() -> None:
    human = [H] * 400
    judge = [H] * 320 + [N] * 80  # p = 0.8, n = 400
    first = metrics.match_rate_estimate(human, judge)
    assert first == metrics.match_rate_estimate(human, judge)
    assert first.low is not None and first.high is not None
    half_width = 1.96 * math.sqrt(0.8 * 0.2 / 400)
    assert first.low < 0.8 < first.high
    assert (first.high - first.low) / 2 == pytest.approx(half_width, rel=0.2)
    assert metrics.match_rate_estimate(human, judge, seed=1) != first


def test_all_agreeing_rows_give_a_point_interval() -> None:
    estimate = metrics.match_rate_estimate([H, N, H], [H, N, H])
    assert (estimate.value, estimate.low, estimate.high) == (1.0, 1.0, 1.0)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="2 human labels but 1"):
        metrics.match_rate([H, N], [H])
    with pytest.raises(ValueError, match="no rows"):
        metrics.agreement([], [])
    with pytest.raises(ValueError, match="unknown human labels"):
        metrics.match_rate(["maybe"], [H])
    with pytest.raises(ValueError, match="unknown judge outcomes"):
        metrics.match_rate([H], ["yes"])
