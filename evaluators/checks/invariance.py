"""How many of a judge's verdicts hold under perturbations (:mod:`evaluators.checks.perturb`):
for each perturbation, on the rows it applies to, the invariant ones must leave the verdict
unchanged and the directional ones must turn a helpful verdict into not_helpful.

Three steps, so a caller can judge the cases its own way (concurrently, with a model):
:func:`trials` lists the perturbed cases, the caller judges the original rows and every
trial's case, :func:`count` tallies. :func:`invariance` does all three with a plain verdict
function (a code-only judge, or a test's).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from evaluators.checks.perturb import SAME, Case, Perturbation
from evaluators.labels import HELPFUL, NOT_HELPFUL

VERDICTS = (HELPFUL, NOT_HELPFUL)


@dataclass(frozen=True)
class Trial:
    """One perturbed row: which row, which perturbation, and the changed case."""

    row: int
    perturbation: Perturbation
    case: Case


@dataclass(frozen=True)
class Tally:
    """One perturbation's count: the rows it was tried on, how many verdicts held as they
    should, the ids of those that did not; ``skipped`` rows it applied to but could not
    test (a directional one on a row already not_helpful, or a verdict that is no label)."""

    name: str
    expect: str
    what: str
    tried: int = 0
    held: int = 0
    skipped: int = 0
    broken: tuple[str, ...] = ()

    @property
    def rate(self) -> float | None:
        """The share that held (None when nothing was tried)."""
        return self.held / self.tried if self.tried else None


def trials(rows: Sequence[Case], perturbations: Sequence[Perturbation]) -> list[Trial]:
    """Every perturbation applied to every row it applies to, in row order."""
    return [Trial(i, p, changed) for i, row in enumerate(rows) for p in perturbations
            if (changed := p(row)) is not None]


def count(rows: Sequence[Case], perturbations: Sequence[Perturbation], planned: Sequence[Trial],
          original: Sequence[str], perturbed: Sequence[str]) -> list[Tally]:
    """Each perturbation's tally from the verdicts on the ``original`` rows and on the
    ``planned`` trials' cases (``perturbed``, in the same order)."""
    found = {p.name: Tally(p.name, p.expect, p.what) for p in perturbations}
    for trial, label in zip(planned, perturbed, strict=True):
        before, tally = original[trial.row], found[trial.perturbation.name]
        testable = before in VERDICTS and label in VERDICTS and (
            tally.expect == SAME or before == HELPFUL)
        if not testable:
            found[tally.name] = _with(tally, skipped=tally.skipped + 1)
            continue
        held = label == before if tally.expect == SAME else label == NOT_HELPFUL
        found[tally.name] = _with(
            tally, tried=tally.tried + 1, held=tally.held + held,
            broken=tally.broken if held else (*tally.broken, rows[trial.row].id
                                               or str(trial.row)))
    return list(found.values())


def _with(tally: Tally, **changes: object) -> Tally:
    return replace(tally, **changes)  # type: ignore[arg-type]


def invariance(rows: Sequence[Case], perturbations: Sequence[Perturbation],
               verdict: Callable[[Case], str]) -> list[Tally]:
    """Each perturbation's tally, judging every row and trial with ``verdict`` (a label)."""
    planned = trials(rows, perturbations)
    return count(rows, perturbations, planned, [verdict(row) for row in rows],
                 [verdict(trial.case) for trial in planned])
