"""Judge modes, one module each, behind one protocol (:class:`~evaluators.modes.base.Mode`)
that both the judge and ``make align`` read.

=============  ===========================================================================
``word``       the label the model writes (:mod:`.word`)
``probability`` P(helpful) from the label token against a threshold (:mod:`.probability`)
``checklist``  a checks module's code checks, combined (:mod:`.checklist`)
``stacked``    several versions' P(helpful) and the checks, logistic regression
               (:mod:`.stacked`)
``fewshot``    a prompt with the most similar labeled examples in it (:mod:`.fewshot`)
=============  ===========================================================================

Adding a mode is adding one module that defines ``MODE`` (a :class:`Mode`) and listing it
in :data:`MODES` below.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from evaluators.chat import RetryPolicy
from evaluators.endpoint import Endpoint
from evaluators.errors import EvaluatorError, PromptFileError
from evaluators.modes import checklist, fewshot, probability, stacked, word
from evaluators.modes.base import Candidate, Context, Memo, Mode, ModeJudge, RowJudge, Source
from evaluators.prompt_files import PromptFile

MODES: dict[str, Mode] = {mode.name: mode for mode in (
    word.MODE, probability.MODE, checklist.MODE, stacked.MODE, fewshot.MODE)}


def mode_named(name: str, path: Path | None = None) -> Mode:
    """The mode called ``name``; an unknown one is refused in one line."""
    if name not in MODES:
        where = f"{path}: " if path else ""
        raise PromptFileError(f"{where}mode {name!r} is unknown: use one of "
                              f"{', '.join(MODES)}")
    return MODES[name]


def mode_of(prompt: PromptFile) -> Mode:
    return mode_named(prompt.mode, prompt.path)


def make_judge(endpoint: Endpoint, prompt: PromptFile, *, retry: RetryPolicy | None = None,
               memo: Memo | None = None) -> ModeJudge:
    """The judge a prompt version's mode asks for (looking answers up in ``memo``)."""
    judge = mode_of(prompt).judge(endpoint, prompt, retry=retry)
    judge.remember(memo)
    return judge


def check_left_out(names: Iterable[str]) -> frozenset[str]:
    """Mode names to leave out of ``align``; an unknown one is refused in one line."""
    names = frozenset(name.strip().lower() for name in names)
    unknown = sorted(names - set(MODES))
    if unknown:
        raise EvaluatorError(f"mode {unknown[0]!r} is unknown: leave out one of "
                              f"{', '.join(MODES)}")
    return names


def offered(context: Context) -> list[Mode]:
    """The modes ``align`` offers candidates of: all but the ones left out."""
    return [mode for name, mode in MODES.items() if name not in context.left_out]


def sources_for(context: Context) -> list[Source]:
    """What every offered mode's candidates need asked about every dev row, each source
    once."""
    found: dict[str, Source] = {}
    for mode in offered(context):
        for source in mode.sources(context):
            found.setdefault(source.key, source)
    return list(found.values())


def candidates_for(context: Context) -> list[Candidate]:
    """Every offered mode's candidates."""
    return [candidate for mode in offered(context) for candidate in mode.candidates(context)]


__all__ = ["MODES", "RowJudge", "candidates_for", "check_left_out", "make_judge", "mode_named",
           "mode_of", "sources_for"]
