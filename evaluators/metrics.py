"""How far a judge is from the humans: pure functions over two aligned lists of labels.

``human`` holds ``helpful`` / ``not_helpful``; ``judge`` holds those or ``invalid`` / ``error``
(a reply we could not read, a call that failed). ``helpful`` is the positive class.

Conventions and edge cases:

- Every row counts. An ``invalid`` or ``error`` judge outcome is a disagreement: it lowers
  the match rate, and it is a miss in the TPR (on a helpful row) or the TNR (on a not_helpful
  row). So ``match_rate == (TP + TN) / N`` and equals the mean of the experiment's
  ``exact_match`` scores in Phoenix.
- Undefined figures are ``None``, never a made-up number: the TPR when no human said
  helpful, the TNR when no human said not_helpful, Cohen's kappa when chance agreement is
  already 1 (both raters put every row in the same single class), the Rogan-Gladen
  correction when ``TPR + TNR <= 1`` (a judge no better than chance cannot be corrected).
- Intervals are percentile bootstraps over rows (2,000 resamples, seeded, so the same
  input always gives the same interval). When every row agrees (or none does) the match
  interval collapses to a point: more rows, not more resamples, widen what we know.
- The Rogan-Gladen correction sees the judge as "passed" (``helpful``) versus "not passed"
  (anything else, including ``invalid`` / ``error``): its sensitivity is the TPR above, its
  specificity counts every non-helpful outcome on a not_helpful row. With no invalid or
  error rows this is exactly the TNR above. Applied to the very rows it was measured on, the
  correction returns the humans' pass rate: it is meant for rows the humans did not label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evaluators.labels import ERROR, HELPFUL, HUMAN_LABELS, INVALID, JUDGE_OUTCOMES, NOT_HELPFUL

DEFAULT_RESAMPLES = 2000
DEFAULT_SEED = 0
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Estimate:
    """A value with its 95% bootstrap interval (``low``/``high`` None when undefined)."""

    value: float
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Agreement:
    """Every figure of the alignment report for one set of (human, judge) pairs."""

    n: int
    matches: int
    match_rate: Estimate
    kappa: float | None
    tpr: float | None
    tnr: float | None
    confusion: dict[str, dict[str, int]]
    invalid: int
    errors: int
    human_pass_rate: float
    judge_pass_rate: float
    corrected_pass_rate: Estimate | None


def _check(human: Sequence[str], judge: Sequence[str]) -> None:
    if len(human) != len(judge):
        raise ValueError(f"{len(human)} human labels but {len(judge)} judge labels")
    if not human:
        raise ValueError("no rows: agreement needs at least one labeled example")
    if bad := set(human) - set(HUMAN_LABELS):
        raise ValueError(f"unknown human labels {sorted(bad)}; expected {HUMAN_LABELS}")
    if bad := set(judge) - set(JUDGE_OUTCOMES):
        raise ValueError(f"unknown judge outcomes {sorted(bad)}; expected {JUDGE_OUTCOMES}")


def confusion_matrix(human: Sequence[str], judge: Sequence[str]) -> dict[str, dict[str, int]]:
    """``{human label: {judge outcome: count}}`` with every cell present (zeros included)."""
    _check(human, judge)
    table = {h: dict.fromkeys(JUDGE_OUTCOMES, 0) for h in HUMAN_LABELS}
    for h, j in zip(human, judge, strict=True):
        table[h][j] += 1
    return table


def match_rate(human: Sequence[str], judge: Sequence[str]) -> float:
    """The share of rows where the judge gave exactly the human label."""
    _check(human, judge)
    return sum(h == j for h, j in zip(human, judge, strict=True)) / len(human)


def _percentile_interval(samples: np.ndarray) -> tuple[float | None, float | None]:
    finite = samples[np.isfinite(samples)]
    # Below half the resamples defined, the interval would describe a different population.
    if finite.size < samples.size / 2:
        return None, None
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(finite, [tail, 100 - tail])
    return float(low), float(high)


def _resample_indices(n: int, resamples: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def proportion_estimate(values: Sequence[float], *, resamples: int = DEFAULT_RESAMPLES,
                        seed: int = DEFAULT_SEED) -> Estimate:
    """The mean of 0/1 ``values`` (e.g. exact-match scores) with its 95% bootstrap interval."""
    if not values:
        raise ValueError("no rows: a proportion needs at least one value")
    array = np.asarray(values, dtype=float)
    low, high = _percentile_interval(
        array[_resample_indices(array.size, resamples, seed)].mean(axis=1))
    return Estimate(float(array.mean()), low, high)


def match_rate_estimate(human: Sequence[str], judge: Sequence[str], *,
                        resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED
                        ) -> Estimate:
    """The match rate with its 95% percentile-bootstrap interval."""
    _check(human, judge)
    return proportion_estimate([float(h == j) for h, j in zip(human, judge, strict=True)],
                               resamples=resamples, seed=seed)


def cohens_kappa(human: Sequence[str], judge: Sequence[str]) -> float | None:
    """Agreement beyond chance: ``(p_o - p_e) / (1 - p_e)``; None when ``p_e == 1``.

    ``invalid`` / ``error`` are categories of their own on the judge's side (humans never use
    them, so they add nothing to chance agreement and count as disagreements).
    """
    _check(human, judge)
    n = len(human)
    observed = match_rate(human, judge)
    chance = sum((human.count(c) / n) * (judge.count(c) / n) for c in JUDGE_OUTCOMES)
    if chance >= 1.0:
        return None
    return (observed - chance) / (1.0 - chance)


def true_positive_rate(human: Sequence[str], judge: Sequence[str]) -> float | None:
    """Of the rows humans call helpful, the share the judge calls helpful (None if none)."""
    return _rate_on(HELPFUL, human, judge)


def true_negative_rate(human: Sequence[str], judge: Sequence[str]) -> float | None:
    """Of the rows humans call not_helpful, the share the judge calls not_helpful."""
    return _rate_on(NOT_HELPFUL, human, judge)


def _rate_on(label: str, human: Sequence[str], judge: Sequence[str]) -> float | None:
    _check(human, judge)
    rows = [j for h, j in zip(human, judge, strict=True) if h == label]
    return sum(j == label for j in rows) / len(rows) if rows else None


def rogan_gladen(raw_pass_rate: float, tpr: float, tnr: float) -> float | None:
    """The true pass rate behind a judge's ``raw_pass_rate``, given its TPR and TNR.

    ``p = (raw + TNR - 1) / (TPR + TNR - 1)``, clipped to [0, 1]; None when
    ``TPR + TNR <= 1`` (the judge carries no information about the true class).
    """
    denominator = tpr + tnr - 1.0
    if denominator <= 0:
        return None
    return min(1.0, max(0.0, (raw_pass_rate + tnr - 1.0) / denominator))


def _pass_view(human: Sequence[str], judge: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    return (np.array([h == HELPFUL for h in human]), np.array([j == HELPFUL for j in judge]))


def corrected_pass_rate(human: Sequence[str], judge: Sequence[str],
                        target_judge: Sequence[str] | None = None, *,
                        resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED
                        ) -> Estimate | None:
    """The Rogan-Gladen pass rate of ``target_judge`` (default: ``judge``) with its interval.

    ``human``/``judge`` are the labeled rows that measure the judge's error rates;
    ``target_judge`` holds the judge's outcomes on the rows to estimate (e.g. new traces).
    The bootstrap resamples the labeled rows and, independently, the target rows (or the
    same draw when the target is the labeled set). None when the point estimate is undefined.
    """
    _check(human, judge)
    is_helpful, passed = _pass_view(human, judge)
    same_rows = target_judge is None
    target = passed if same_rows else np.array([j == HELPFUL for j in target_judge])
    if target.size == 0:
        raise ValueError("no target rows to estimate a pass rate on")
    positives, negatives = is_helpful.sum(), (~is_helpful).sum()
    if not positives or not negatives:
        return None
    tpr = (is_helpful & passed).sum() / positives
    specificity = (~is_helpful & ~passed).sum() / negatives
    value = rogan_gladen(float(target.mean()), float(tpr), float(specificity))
    if value is None:
        return None

    idx = _resample_indices(len(human), resamples, seed)
    pos = is_helpful[idx].sum(axis=1)
    neg = (~is_helpful)[idx].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        tprs = (is_helpful & passed)[idx].sum(axis=1) / pos
        specs = (~is_helpful & ~passed)[idx].sum(axis=1) / neg
    raws = (passed[idx] if same_rows
            else target[_resample_indices(target.size, resamples, seed + 1)]).mean(axis=1)
    denominators = tprs + specs - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        samples = np.where(denominators > 0,
                           np.clip((raws + specs - 1.0) / denominators, 0.0, 1.0), np.nan)
    low, high = _percentile_interval(samples)
    return Estimate(value, low, high)


def agreement(human: Sequence[str], judge: Sequence[str], *,
              resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> Agreement:
    """Every figure of the report at once."""
    human, judge = list(human), list(judge)
    _check(human, judge)
    n = len(human)
    estimate = match_rate_estimate(human, judge, resamples=resamples, seed=seed)
    return Agreement(
        n=n,
        matches=sum(h == j for h, j in zip(human, judge, strict=True)),
        match_rate=estimate,
        kappa=cohens_kappa(human, judge),
        tpr=true_positive_rate(human, judge),
        tnr=true_negative_rate(human, judge),
        confusion=confusion_matrix(human, judge),
        invalid=judge.count(INVALID),
        errors=judge.count(ERROR),
        human_pass_rate=human.count(HELPFUL) / n,
        judge_pass_rate=judge.count(HELPFUL) / n,
        corrected_pass_rate=corrected_pass_rate(human, judge, resamples=resamples, seed=seed),
    )


def auroc(human: Sequence[str], scores: Sequence[float | None]) -> float | None:
    """The area under the ROC curve of ``scores`` (P(helpful)) against the human labels:
    the chance that a helpful row scores above a not_helpful one (ties count half). Rows
    without a score are left out; None when either class has no scored row."""
    pairs = [(s, h == HELPFUL) for h, s in zip(human, scores, strict=True) if s is not None]
    positives = [s for s, helpful in pairs if helpful]
    negatives = [s for s, helpful in pairs if not helpful]
    if not positives or not negatives:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))
