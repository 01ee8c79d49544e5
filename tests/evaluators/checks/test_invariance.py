"""Counting how many verdicts hold under perturbations: a hand-made judge and hand-made
perturbations, every tally computed by hand."""

from __future__ import annotations

from evaluators.checks.invariance import count, invariance, trials
from evaluators.checks.perturb import SAME, Case, Perturbation
from evaluators.labels import ERROR, HELPFUL, NOT_HELPFUL

ROWS = [Case("q1", "fine", id="a"), Case("q2", "fine!", id="b"), Case("q3", "bad", id="c"),
        Case("q4", "fine", id="d")]


def judge(case: Case) -> str:
    """Helpful when the answer says fine, not_helpful when bad; shouting breaks it."""
    if "FINE" in case.answer or case.question == "q4?":
        return ERROR
    return HELPFUL if "fine" in case.answer.lower() and "!" not in case.question else NOT_HELPFUL


EXCITED = Perturbation("excited", SAME, "a ! in the question",
                       lambda c: c.but(question=c.question + "!"))
SHOUTED = Perturbation("shouted", SAME, "the answer in capitals",
                       lambda c: c.but(answer=c.answer.upper()))
BROKEN = Perturbation("broken", NOT_HELPFUL, "the answer made bad",
                      lambda c: c.but(answer="bad") if c.answer != "bad" else None)
ASKED = Perturbation("asked", SAME, "a question mark on q4 only",
                     lambda c: c.but(question="q4?") if c.id == "d" else None)


def test_each_perturbation_is_tallied_by_hand() -> None:
    tallies = {t.name: t for t in invariance(ROWS, [EXCITED, SHOUTED, BROKEN, ASKED], judge)}
    # excited: a, b, d turn not_helpful (broken), c stays not_helpful (held)
    assert (tallies["excited"].tried, tallies["excited"].held) == (4, 1)
    assert tallies["excited"].broken == ("a", "b", "d")
    # shouted: every answer changes; "FINE" is an error verdict: skipped, "BAD" held
    assert (tallies["shouted"].tried, tallies["shouted"].held,
            tallies["shouted"].skipped) == (1, 1, 3)
    # broken: applies to a, b, d (helpful before), all turn not_helpful
    assert (tallies["broken"].tried, tallies["broken"].held, tallies["broken"].rate) == (
        3, 3, 1.0)
    # asked: only d; its perturbed verdict is an error: skipped, nothing tried
    assert (tallies["asked"].tried, tallies["asked"].skipped, tallies["asked"].rate) == (
        0, 1, None)


def test_a_directional_perturbation_needs_a_helpful_verdict_first() -> None:
    rows = [Case("q", "bad", id="x")]
    always_bad = Perturbation("worse", NOT_HELPFUL, "still bad", lambda c: c.but(answer="worse"))
    (tally,) = invariance(rows, [always_bad], judge)
    assert (tally.tried, tally.skipped) == (0, 1)


def test_trials_and_count_let_the_caller_judge() -> None:
    planned = trials(ROWS, [EXCITED, BROKEN])
    assert [(t.row, t.perturbation.name) for t in planned] == [
        (0, "excited"), (0, "broken"), (1, "excited"), (1, "broken"), (2, "excited"),
        (3, "excited"), (3, "broken")]
    original = [judge(row) for row in ROWS]
    perturbed = [judge(t.case) for t in planned]
    assert count(ROWS, [EXCITED, BROKEN], planned, original, perturbed) == invariance(
        ROWS, [EXCITED, BROKEN], judge)
