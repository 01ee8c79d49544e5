"""Which checks module ``align`` offers checklist candidates for.

``--checks MODULE`` names one (any importable dotted path); ``--checks none`` offers none.
By default: the checks module the prompt versions' headers name, when they name exactly one
(the demo's v4 names ``evaluators.checks.weather``, so ``make demo`` compares the weather
checklist; a prompts folder of plain prompts names none). Without one, ``align`` compares
the generic candidates only: each version's word and threshold, the stacked versions and
few-shot.
"""

from __future__ import annotations

from collections.abc import Sequence

from evaluators.checks.modules import load_checks
from evaluators.prompt_files import PromptFile
from pipeline.errors import UserError

NONE = "none"


class ChecksUnclear(UserError):
    """The prompt versions name more than one checks module."""


def checks_module(prompts: Sequence[PromptFile], chosen: str | None = None) -> str | None:
    """The checks module to offer (imported once here, so a bad one fails before any call),
    or None for the generic candidates only."""
    if chosen is not None:
        if chosen.strip().lower() == NONE:
            return None
        return load_checks(chosen.strip()).module
    named = sorted({prompt.checks for prompt in prompts if prompt.checks})
    if len(named) > 1:
        raise ChecksUnclear(f"the prompt versions name {len(named)} checks modules "
                            f"({', '.join(named)}): choose one with --checks MODULE "
                            "(CHECKS= for make align), or --checks none")
    return load_checks(named[0]).module if named else None
