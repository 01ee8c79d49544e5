"""What every checklist needs, whatever its domain: the row a check reads, a check, what the
model may read in a question for the checks, and a checks module as loaded (its runner)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from evaluators.checks.perturb import Perturbation
from evaluators.evidence import ToolCall


@dataclass(frozen=True)
class Row:
    """What a check sees of one example."""

    question: str
    answer: str
    tools: tuple[ToolCall, ...] | None = None
    """The trace's tool record: None when the example has none (its facts cannot be
    checked), ``()`` for a record of no call."""
    reading: Mapping[str, Any] | None = None
    """What the model read in the question (the fields of the module's :class:`Reading`);
    None when the model was not asked."""

    @property
    def calls(self) -> tuple[ToolCall, ...]:
        """The tool calls made (none for a record of no call, or no record)."""
        return self.tools or ()


@dataclass(frozen=True)
class Check:
    """A named code check for one rubric rule: ``run(row, context)`` says 1.0 when it sees the
    failure, 0.0 when it does not (``context`` is what the module's ``context(row)``
    computed once for the row)."""

    name: str
    rule: int | str
    what: str
    run: Callable[[Row, Any], float] = field(repr=False)
    reads_tools: bool = False
    """It checks the answer against the tool record, so it scores 0 where there is none."""
    helpful: bool = False
    """It speaks for ``helpful`` when it fires (the right move), not for a failure."""


@dataclass(frozen=True)
class Reading:
    """What a checks module asks the model to read in a question (``reading: model``): a
    prompt with ``{{question}}``, the JSON fields of the reply (name -> JSON schema) and, per
    field, the line that asks for it alone (``calls: separate``)."""

    template: str
    fields: Mapping[str, Mapping[str, Any]]
    hints: Mapping[str, str] = field(default_factory=dict)


def _no_context(row: Row) -> None:
    return None


@dataclass(frozen=True)
class CheckSet:
    """A loaded checks module: its dotted path, its checks, the per-row context they share
    and, when it has them, what the model may read in the question and the perturbations a
    judge's verdict must survive (or must not)."""

    module: str
    checks: tuple[Check, ...]
    context: Callable[[Row], Any] = _no_context
    reading: Reading | None = None
    perturbations: tuple[Perturbation, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(check.name for check in self.checks)

    @property
    def helpful(self) -> frozenset[str]:
        """The checks that are evidence for ``helpful``."""
        return frozenset(check.name for check in self.checks if check.helpful)

    def rule_of(self, name: str) -> int | str:
        return next(check.rule for check in self.checks if check.name == name)

    def scores(self, row: Row) -> dict[str, float]:
        """Every check's score for one row; a check that reads the tool record scores 0 when
        the row has none."""
        context = self.context(row)
        return {check.name: 0.0 if check.reads_tools and row.tools is None
                else float(check.run(row, context)) for check in self.checks}
