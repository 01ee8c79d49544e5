"""CheckList-style tests of the weather checks on invented rows (``invented.py``): every check
gives the same score under the changes a person ignores, the check of the broken rule fires
under the changes that break one, and the checklist judge (v4) holds as a whole."""

from __future__ import annotations

import pytest

from evaluators.checks import WEATHER, Row, load_checks
from evaluators.checks.invariance import invariance, trials
from evaluators.checks.perturb import SAME, Case
from evaluators.endpoint import Endpoint
from evaluators.labels import HELPFUL, NOT_HELPFUL
from evaluators.modes import make_judge
from tests.evaluators.checks.invented import EXAMPLES
from tests.support.versions import checklist_v4

CHECKS = load_checks(WEATHER)
ROWS = [example.case for example in EXAMPLES]
INVARIANT = [p for p in CHECKS.perturbations if p.expect == SAME]
DIRECTIONAL = {p.name: p for p in CHECKS.perturbations if p.expect == NOT_HELPFUL}
RULE_OF = {"unit_swapped": "unit_not_given", "quantity_dropped": "quantity_missing",
           "other_city": "missed_place"}
"""The check of the rule each directional perturbation breaks (1, 7, 3)."""
V4 = make_judge(Endpoint("http://127.0.0.1:9/v1", "k", "none"), checklist_v4())


def fires(case: Case) -> dict[str, bool]:
    return {name: score >= 0.5 for name, score in
            CHECKS.scores(Row(case.question, case.answer, case.tools)).items()}


def verdict(case: Case) -> str:
    """v4's label: the weather checks read by wording, any failure makes it not_helpful (no
    model call)."""
    return V4.decide(case.question, case.answer, case.tools, {}).label


def test_the_invented_rows_are_what_they_say() -> None:
    assert 20 <= len(EXAMPLES) <= 30 and len({e.id for e in EXAMPLES}) == len(EXAMPLES)
    assert sum(e.label == HELPFUL for e in EXAMPLES) >= 20
    wrong = [(e.id, e.label) for e in EXAMPLES if verdict(e.case) != e.label]
    assert wrong == []


@pytest.mark.parametrize("check", CHECKS.names)
@pytest.mark.parametrize("perturbation", INVARIANT, ids=lambda p: p.name)
def test_no_check_moves_under_a_change_a_person_ignores(perturbation, check: str) -> None:
    moved = [(ROWS[t.row].id, t.case.question, t.case.answer)
             for t in trials(ROWS, [perturbation])
             if fires(t.case)[check] != fires(ROWS[t.row])[check]]
    assert moved == []


@pytest.mark.parametrize("name", sorted(DIRECTIONAL))
def test_the_broken_rules_check_fires(name: str) -> None:
    tried = [t for t in trials(ROWS, [DIRECTIONAL[name]])
             if EXAMPLES[t.row].label == HELPFUL]
    assert len(tried) >= 3
    silent = [(ROWS[t.row].id, t.case.answer) for t in tried if not fires(t.case)[RULE_OF[name]]]
    assert silent == []


def test_the_checklist_holds_under_every_perturbation() -> None:
    tallies = invariance(ROWS, CHECKS.perturbations, verdict)
    assert {t.name: t.broken for t in tallies} == {p.name: () for p in CHECKS.perturbations}
    tried = {t.name: t.tried for t in tallies}
    assert min(tried.values()) >= 3, tried
    assert sum(tried.values()) >= 150
