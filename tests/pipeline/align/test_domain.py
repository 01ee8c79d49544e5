"""Which checks module align offers: named by --checks, or by the prompt versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluators.checks import WEATHER
from evaluators.errors import ChecksModuleError
from evaluators.prompt_files import load_all, parse_prompt
from pipeline.align.domain import ChecksUnclear, checks_module
from tests.support.versions import checklist_v4


def checklist(module: str) -> object:
    return parse_prompt(f"---\nmode: checklist\nchecks: {module}\n---\n{{{{question}}}}",
                        version="v8", path=Path("v8.txt"))


def test_the_prompts_name_it_or_the_option_does() -> None:
    plain = load_all()  # the packaged v1-v3 name none
    shipped = [*plain, checklist_v4()]  # the first round's v4 names the weather checks
    assert checks_module(shipped) == WEATHER
    assert checks_module(plain) is None
    assert checks_module(plain, WEATHER) == WEATHER
    assert checks_module(shipped, "none") is None
    with pytest.raises(ChecksModuleError, match=r"checks module 'no\.such' cannot be imported"):
        checks_module(plain, "no.such")


def test_two_modules_named_must_be_chosen_between() -> None:
    prompts = [*load_all(), checklist_v4(), checklist("myapp.checks")]
    with pytest.raises(ChecksUnclear, match=r"name 2 checks modules \(evaluators\.checks\."
                                            r"weather, myapp\.checks\): choose one with "
                                            r"--checks MODULE"):
        checks_module(prompts)
    assert checks_module(prompts, WEATHER) == WEATHER
