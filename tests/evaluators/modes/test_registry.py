"""The registry of judge modes: every mode answers the same protocol, an unknown mode is
refused in one line, and ties go to the simpler candidate in a fixed order."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluators.checks import WEATHER
from evaluators.errors import EvaluatorError, PromptFileError
from evaluators.labels import HELPFUL, NOT_HELPFUL
from evaluators.modes import MODES, candidates_for, check_left_out, mode_of, sources_for
from evaluators.modes.base import Context, Labeled, Signals
from evaluators.prompt_files import load_all, load_prompt, parse_prompt
from tests.support.versions import checklist_v4


def test_every_mode_answers_the_protocol() -> None:
    assert list(MODES) == ["word", "probability", "checklist", "stacked", "fewshot"]
    for name, mode in MODES.items():
        assert mode.name == name
        for method in ("check", "judge", "signals", "sources", "candidates"):
            assert callable(getattr(mode, method)), (name, method)
        assert isinstance(mode.writes_label, bool) and isinstance(mode.output_is_said, bool)
    assert [n for n, m in MODES.items() if m.output_is_said] == ["word"]


def test_the_shipped_versions_keep_their_modes() -> None:
    assert {p.version: mode_of(p).name for p in load_all()} == {
        "v1": "word", "v2": "word", "v3": "word"}  # the packaged templates
    assert mode_of(checklist_v4()).name == "checklist" and checklist_v4().checks == WEATHER


def test_an_unknown_mode_is_refused_with_the_known_ones() -> None:
    with pytest.raises(PromptFileError, match=r"v9\.txt: mode 'vibes' is unknown: use one of "
                                              r"word, probability, checklist, stacked, "
                                              r"fewshot"):
        parse_prompt("---\nmode: vibes\n---\n{{question}} {{answer}}", version="v9",
                     path=Path("v9.txt"))


def test_ties_go_word_probability_checklist_stacked_fewshot() -> None:
    versions = (load_prompt("v1"),)
    dev = tuple(Labeled(f"Weather in Oslo? {i}", "It is 4°C.", None,
                        HELPFUL if i % 2 else NOT_HELPFUL) for i in range(8))
    context = Context(versions, WEATHER, dev, tuple(Signals({"v1": HELPFUL}) for _ in dev))
    order = [(c.name, c.complexity) for c in candidates_for(context)]
    assert [name for name, _ in sorted(order, key=lambda nc: nc[1])] == [
        "v1 word", "v1 probability",
        "checklist any-rule (wording only, no model)",
        "checklist any-rule (the model reads the question)",
        "checklist logistic, C=1 (wording only, no model)",
        "checklist logistic, C=1 (the model reads the question)",
        "stacked v1 P(helpful) + checks, logistic C=1",
        "v1 few-shot k=4 word", "v1 few-shot k=4 probability"]
    keys = [s.key for s in sources_for(context)]
    assert keys == ["v1", "checklist wording", "checklist model", "v1 few-shot k=4"]
    generic = [s.key for s in sources_for(Context(versions, None, dev, context.signals))]
    assert generic == ["v1", "v1 few-shot k=4"]


def test_a_mode_left_out_offers_no_candidate_and_asks_nothing() -> None:
    versions = (load_prompt("v1"),)
    dev = tuple(Labeled(f"Weather in Oslo? {i}", "It is 4°C.", None,
                        HELPFUL if i % 2 else NOT_HELPFUL) for i in range(8))
    signals = tuple(Signals({"v1": HELPFUL}) for _ in dev)
    context = Context(versions, WEATHER, dev, signals,
                      left_out=check_left_out([" FewShot", "stacked"]))
    names = [c.name for c in candidates_for(context)]
    assert names and not any("few-shot" in n or n.startswith("stacked") for n in names)
    assert [s.key for s in sources_for(context)] == ["v1", "checklist wording",
                                                      "checklist model"]
    with pytest.raises(EvaluatorError, match=r"^mode 'vibes' is unknown: leave out one of "
                                             r"word, probability, checklist, stacked, fewshot$"):
        check_left_out(["fewshot", "vibes"])
