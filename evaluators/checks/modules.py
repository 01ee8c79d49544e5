"""Checks modules by dotted path: a prompt header's ``checks: evaluators.checks.weather``,
or a user's own ``checks: myapp.judge_checks``, imported once and checked for checks."""

from __future__ import annotations

import importlib
from functools import cache

from evaluators.checks.base import Check, CheckSet, Reading
from evaluators.checks.perturb import Perturbation
from evaluators.errors import ChecksModuleError

WEATHER = "evaluators.checks.weather"
"""The demo's checks module (the weather agent's rubric)."""


@cache
def load_checks(path: str) -> CheckSet:
    """The checks module at ``path``: its ``CHECKS`` (required, a non-empty sequence of
    :class:`Check`), ``context(row)``, ``READING`` and ``PERTURBATIONS`` (optional).

    Raises :class:`ChecksModuleError` in one line when it cannot be imported or has no checks.
    """
    path = path.strip()
    try:
        module = importlib.import_module(path)
    except Exception as error:  # not found, or failing on import: either way, say which
        raise ChecksModuleError(
            f"checks module {path!r} cannot be imported ({type(error).__name__}: {error}): "
            f"name an importable module in the prompt header's 'checks:' line (e.g. "
            f"{WEATHER}), installed in this environment or on PYTHONPATH") from None
    checks = getattr(module, "CHECKS", None)
    if not checks or not all(isinstance(check, Check) for check in checks):
        raise ChecksModuleError(
            f"checks module {path!r} has no checks: define CHECKS there, a non-empty tuple "
            "of evaluators.checks.Check (see the evaluators.checks docstring)")
    names = [check.name for check in checks]
    if len(set(names)) < len(names):
        raise ChecksModuleError(f"checks module {path!r} names two checks alike: "
                                f"{', '.join(sorted({n for n in names if names.count(n) > 1}))}")
    reading = getattr(module, "READING", None)
    if reading is not None and not isinstance(reading, Reading):
        raise ChecksModuleError(f"checks module {path!r}: READING must be an "
                                "evaluators.checks.Reading")
    perturbations = getattr(module, "PERTURBATIONS", ())
    if not all(isinstance(p, Perturbation) for p in perturbations):
        raise ChecksModuleError(f"checks module {path!r}: PERTURBATIONS must be a tuple of "
                                "evaluators.checks.perturb.Perturbation")
    context = getattr(module, "context", None)
    return CheckSet(path, tuple(checks), **({"context": context} if callable(context) else {}),
                    reading=reading, perturbations=tuple(perturbations))
