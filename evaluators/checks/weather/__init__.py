"""The weather checks: the demo's checks module (``checks: evaluators.checks.weather``).

Like any checks module it defines ``CHECKS`` (the checks, :mod:`.rules`), ``context(row)``
(what every check of a row shares: the question read into a
:class:`~evaluators.checks.weather.request.Request`, from its wording, the places the tools
were called for and, with ``reading: model``, what the model read), ``READING`` (what the
model reads in a question, :mod:`.reading`) and ``PERTURBATIONS`` (the changes of a row a
judge's verdict must survive, or must not, :mod:`.perturbations`).

What the question asks for is read in :mod:`.request` (with the known places of
:mod:`.places`), what the answer gives in :mod:`.answer`, figures in :mod:`.figures`.
"""

from __future__ import annotations

from evaluators.checks.base import Row
from evaluators.checks.weather.perturbations import PERTURBATIONS
from evaluators.checks.weather.reading import READING, kinds_read, places_read
from evaluators.checks.weather.request import Request, read_request
from evaluators.checks.weather.rules import CHECKS

__all__ = ["CHECKS", "PERTURBATIONS", "READING", "context"]


def context(row: Row) -> Request:
    """What the question asks for: its wording, the places the model read and the places the
    tools were called for (those the question really names)."""
    places = [*places_read(row.reading),
              *(call.arguments.get("location", "") for call in row.calls)]
    return read_request(row.question, places, kinds_read(row.reading))
