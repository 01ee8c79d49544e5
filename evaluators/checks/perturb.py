"""Perturbations of a judged row, as CheckList tests an NLP model (Ribeiro et al., 2020,
"Beyond Accuracy: Behavioral Testing of NLP Models with CheckList").

A perturbation is a pure function of a :class:`Case` (question, answer, tool record) that
returns the changed case, or None where it does not apply (no place to lower-case, no unit
asked). It carries what the verdict must do:

- ``same`` (an invariance test): a change a person ignores (a polite opener, curly quotes,
  the answer as a markdown list) must leave the verdict as it was;
- ``not_helpful`` (a directional test): a change that breaks a rubric rule (the asked unit
  swapped, the asked quantity left out) must turn a helpful verdict into not_helpful.

The generic ones here touch only the wording; a checks module adds its domain's in
``PERTURBATIONS`` (the weather ones: :mod:`evaluators.checks.weather.perturbations`), and
:mod:`evaluators.checks.invariance` counts how many verdicts held.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass

from evaluators.checks.text import is_structured, sentences
from evaluators.evidence import ToolCall
from evaluators.labels import NOT_HELPFUL

SAME = "same"
"""Invariance: the verdict must not change."""
EXPECTATIONS = (SAME, NOT_HELPFUL)


@dataclass(frozen=True)
class Case:
    """One row to judge: the question, the answer and the tool record (None: no record);
    ``id`` names the row it came from."""

    question: str
    answer: str
    tools: tuple[ToolCall, ...] | None = None
    id: str = ""

    def but(self, **changes: str) -> Case:
        """The same row with ``question`` and/or ``answer`` changed."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Perturbation:
    """A named change of a row and what it must do to the verdict (:data:`SAME` or
    ``not_helpful``)."""

    name: str
    expect: str
    what: str
    change: Callable[[Case], Case | None] = dataclasses.field(repr=False)

    def __call__(self, case: Case) -> Case | None:
        """The changed case; None when it does not apply or changes nothing."""
        changed = self.change(case)
        if changed is None or (changed.question, changed.answer) == (case.question,
                                                                     case.answer):
            return None
        return changed


# --- generic perturbations: wording a person ignores ----------------------------------------

def _curl(text: str) -> str:
    text = re.sub(r'"([^"\n]*)"', "\u201c\\1\u201d", text)
    text = re.sub(r"(?<=\w)'(?=\w)|(?<=s)'(?=\s)", "\u2019", text)
    return re.sub(r"(?<![\w\u2019])'([^'\n]*)'(?!\w)", "\u2018\\1\u2019", text)


def curly_quotes(case: Case) -> Case | None:
    """Typographic quotes and apostrophes in the question and the answer (U+2019 for an
    apostrophe, U+201C and U+201D around a quotation)."""
    return case.but(question=_curl(case.question), answer=_curl(case.answer))


_ASKS = re.compile(r"^(?:what|what's|whats|how|how's|which|where|when|who|why)\b", re.I)
GREETING = re.compile(r"^(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|dear)\b[\s,!.:-]*",
                      re.I)
"""A greeting opening a question (one is not added where one is)."""
_YES_NO = re.compile(r"^(?:is|are|will|should|can|could|would|do|does|did|am|may|shall)\b",
                     re.I)


def polite_opener(case: Case) -> Case | None:
    """A greeting and a polite request before the question: "Hi! Could you tell me what's
    the weather in Oslo?", "Hi! Quick question: will it rain?", "Hi! Could you help me?
    Plan my day in Rome."."""
    question = case.question.strip()
    if not question or GREETING.match(question):
        return None
    if _ASKS.match(question):
        return case.but(question=f"Hi! Could you tell me {question[0].lower()}{question[1:]}")
    if _YES_NO.match(question):
        return case.but(question=f"Hi! Quick question: {question[0].lower()}{question[1:]}")
    return case.but(question=f"Hi! Could you help me? {question}")


def markdown_list(case: Case) -> Case | None:
    """The answer's sentences as a markdown bullet list, without their full stops (an answer
    of one sentence, already in a list, or code is left alone)."""
    answer = case.answer.strip()
    if (not answer or answer.startswith(("{", "[", "<")) or "```" in answer
            or any(is_structured(line) for line in answer.splitlines())):
        return None
    items = sentences(answer)
    if len(items) < 2:
        return None
    return case.but(answer="\n".join(f"- {item.rstrip('.')}" for item in items))


POLITE_OPENER = Perturbation("polite_opener", SAME, 'a greeting and "Could you tell me..." '
                             "before the question", polite_opener)
CURLY_QUOTES = Perturbation("curly_quotes", SAME, "typographic quotes and apostrophes",
                            curly_quotes)
MARKDOWN_LIST = Perturbation("markdown_list", SAME, "the answer as a markdown bullet list",
                             markdown_list)
GENERIC = (POLITE_OPENER, CURLY_QUOTES, MARKDOWN_LIST)
"""The perturbations that hold in any domain."""
