"""The pure parts of ``make align``: thresholds, folds, the choice, and the version file."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluators.checks import WEATHER, load_checks
from evaluators.labels import HELPFUL, NOT_HELPFUL
from evaluators.modes import candidates_for
from evaluators.modes.base import Context, Signals
from evaluators.modes.checklist import ChecklistLogisticCandidate
from evaluators.modes.probability import ThresholdCandidate, best_threshold
from evaluators.prompt_files import copy_templates, load_prompt
from pipeline.align.crossval import choose, cross_validate, folds
from pipeline.align.write import render_version, write_version

H, N = HELPFUL, NOT_HELPFUL


def candidates(checks: str | None = WEATHER):
    return candidates_for(Context((load_prompt("v1"),), checks))


def test_the_threshold_agrees_with_the_most_labels() -> None:
    scores = [0.1, 0.2, 0.3, 0.45, 0.6, 0.7, 0.9]
    labels = [N, N, N, H, H, H, H]
    cut = best_threshold(scores, labels)
    assert 0.3 < cut <= 0.45
    assert best_threshold([0.5, 0.5], [H, H]) == 0.5  # ties go to the cut nearest 0.5


def test_folds_are_stratified_and_fixed_by_seed() -> None:
    labels = [H] * 10 + [N] * 15
    assigned = folds(labels, k=5, seed=1)
    assert assigned == folds(labels, k=5, seed=1) and assigned != folds(labels, k=5, seed=2)
    for fold in range(5):
        members = [label for label, f in zip(labels, assigned, strict=True) if f == fold]
        assert members.count(H) == 2 and members.count(N) == 3


def rows_and_labels() -> tuple[list[Signals], list[str]]:
    """v1 writes the right word on 7 of 10 rows; its probability ranks the rows but no cut
    separates them; read with the model's help, one check fires exactly on the not_helpful
    rows; read by its wording alone, it misses two of them."""
    labels = [H] * 5 + [N] * 5
    words = [H, H, H, H, N, N, N, N, H, H]
    probabilities = [0.9, 0.8, 0.7, 0.6, 0.45, 0.35, 0.3, 0.2, 0.1, 0.05]
    rows = [Signals({"v1": w}, {"v1": p},
                    {"model": {"refusal": float(label == N), "echo": 0.0},
                     "wording": {"refusal": float(label == N and i < 8), "echo": 0.0}})
            for i, (w, p, label) in enumerate(zip(words, probabilities, labels, strict=True))]
    return rows, labels


def test_cross_validation_holds_each_row_out_and_the_best_is_chosen() -> None:
    rows, labels = rows_and_labels()
    scores = [cross_validate(c, rows, labels, k=5) for c in candidates()]
    by_name = {s.candidate.name: s for s in scores}
    assert by_name["v1 word"].match_rate == pytest.approx(0.7)
    assert by_name["checklist any-rule (wording only, no model)"].match_rate == 0.8
    model_any = "checklist any-rule (the model reads the question)"
    assert by_name[model_any].match_rate == 1.0
    # The logistic fit reaches 100% too; the tie goes to the simpler candidate.
    assert choose(scores).candidate.name == model_any


def test_a_fitted_version_is_written_once(tmp_path: Path) -> None:
    directory = tmp_path / "prompts"
    copy_templates(directory)
    rows, labels = rows_and_labels()
    fitted = ThresholdCandidate(load_prompt("v1", directory)).fit(rows, labels)
    text = render_version(fitted, description="test fit", fitted_on="10 rows")
    version, created = write_version(text, directory)
    assert created and version == "v4"
    written = load_prompt(version, directory)
    assert written.mode == "probability" and written.threshold == pytest.approx(
        fitted.threshold, abs=1e-4)
    assert written.fitted == "10 rows"
    again = render_version(fitted, description="test fit", fitted_on="another day")
    assert write_version(again, directory) == ("v4", False)  # same fit: no new version
    assert sorted(p.name for p in directory.glob("v*.txt"))[-1] == "v4.txt"


def test_a_logistic_fit_is_written_with_its_weights(tmp_path: Path) -> None:
    directory = tmp_path / "prompts"
    copy_templates(directory)
    rows, labels = rows_and_labels()
    fitted = ChecklistLogisticCandidate(load_checks(WEATHER)).fit(rows, labels)
    assert fitted.combiner.weights["refusal"] < 0
    text = render_version(fitted, description="d", fitted_on="f")
    version, _ = write_version(text, directory)
    written = load_prompt(version, directory)
    assert written.mode == "checklist" and written.combiner == "logistic"
    assert written.checks == WEATHER
    assert written.weights == fitted.combiner.weights and written.bias == fitted.combiner.bias
