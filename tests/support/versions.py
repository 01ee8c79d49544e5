"""The first round's fitted checklist version (v4, the weather checks read by code), kept as
test data: the package ships only the hand-written templates."""

from __future__ import annotations

from pathlib import Path

from evaluators.prompt_files import PromptFile, load_prompt

FITTED = Path(__file__).parents[1] / "data" / "prompts"


def checklist_v4() -> PromptFile:
    return load_prompt("v4", FITTED)
