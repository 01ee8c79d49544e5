"""The judge's outcome for one row, and the run output a person reads in Phoenix."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from evaluators.labels import ERROR, HELPFUL, INVALID

ERROR_CHARS = 300


@dataclass(frozen=True)
class Verdict:
    """``label`` is helpful / not_helpful, ``invalid`` (a reply that could not be read) or
    ``error`` (the call failed); ``probability`` is P(helpful) when known; ``checks`` the
    checklist's per-check scores; ``raw`` the reply, kept only when it could not be read."""

    label: str
    reason: str = ""
    probability: float | None = None
    checks: dict[str, float] = field(default_factory=dict)
    raw: str = ""
    error: str | None = None

    @property
    def label_probability(self) -> float | None:
        """The probability of the label given (P(helpful) for helpful, else 1 - it)."""
        if self.probability is None:
            return None
        return self.probability if self.label == HELPFUL else 1.0 - self.probability

    def as_output(self) -> dict[str, Any]:
        """The experiment run's output: label, short reason, probability to three places,
        the checks that were scored, and the raw reply only where it could not be read."""
        output: dict[str, Any] = {"label": self.label}
        if self.reason:
            output["reason"] = self.reason
        if self.probability is not None:
            output["probability"] = round(self.probability, 3)
        if self.checks:
            output["checks"] = {name: round(score, 3) for name, score in self.checks.items()}
        if self.label == INVALID and self.raw:
            output["raw"] = self.raw
        if self.error:
            output["error"] = self.error
        return output


def failed(error: BaseException) -> Verdict:
    """The ``error`` outcome of a call that failed after its retries."""
    return Verdict(label=ERROR, error=f"{type(error).__name__}: {error}"[:ERROR_CHARS])
