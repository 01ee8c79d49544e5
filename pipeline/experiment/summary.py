"""What a judge experiment says about itself in Phoenix: a description a person reads in the
experiments table (prompt version, model, dataset version, split; after the run the
agreement figures), and metadata under plain keys (the figures under ``agreement``, rounded
to three places, and a link to the prompt version used).

The per-row means (match rate, TPR, TNR) are Phoenix's own aggregates of the runs'
evaluations; the dataset-level figures (kappa, intervals, corrected pass rate) cannot be
averaged from rows, so they are written here once the report is computed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evaluators.metrics import Agreement, Estimate
    from pipeline.experiment.report import ExperimentReport

DIGITS = 3


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)


def _interval(estimate: Estimate | None) -> list[float | None] | None:
    return None if estimate is None else [_round(estimate.low), _round(estimate.high)]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _estimate(estimate: Estimate | None) -> str:
    """``66.7% (41.7%-91.7%)``: the value and its 95% interval."""
    if estimate is None:
        return "n/a"
    if estimate.low is None or estimate.high is None:
        return _pct(estimate.value)
    return f"{_pct(estimate.value)} ({_pct(estimate.low)}-{_pct(estimate.high)})"


def figures(a: Agreement) -> dict[str, Any]:
    """The report's figures under readable keys (``*_ci95``: the 95% bootstrap interval)."""
    corrected = a.corrected_pass_rate
    return {
        "n": a.n, "matches": a.matches,
        "match_rate": _round(a.match_rate.value), "match_rate_ci95": _interval(a.match_rate),
        "kappa": _round(a.kappa), "tpr": _round(a.tpr), "tnr": _round(a.tnr),
        "invalid": a.invalid, "errors": a.errors,
        "human_pass_rate": _round(a.human_pass_rate),
        "judge_pass_rate": _round(a.judge_pass_rate),
        "corrected_pass_rate": _round(corrected.value) if corrected else None,
        "corrected_pass_rate_ci95": _interval(corrected),
    }


def description(metadata: dict[str, Any], agreement: Agreement | None = None) -> str:
    """One readable line, most telling first (the experiments table shows its start): after
    the run the figures the table has no column for, then what was judged with what."""
    what = (f"prompt {metadata['prompt_tag']}, model {metadata['model']}, split "
            f"{metadata['split']}, dataset {metadata['dataset_name']} (version "
            f"{metadata['dataset_version_id']}), Phoenix prompt {metadata['prompt_name']} "
            f"(version {metadata['prompt_version_id']})")
    if agreement is None:
        return f"Judge {what}."
    a = agreement
    kappa = "n/a" if a.kappa is None else f"{a.kappa:.3f}"
    return (f"kappa {kappa}, corrected pass rate {_estimate(a.corrected_pass_rate)}, match "
            f"{_estimate(a.match_rate)} on {a.n} rows (TPR {_pct(a.tpr)}, TNR "
            f"{_pct(a.tnr)}) | {what}")


def with_figures(metadata: dict[str, Any], report: ExperimentReport) -> dict[str, Any]:
    """``metadata`` with the report's figures (overall, and per split when both are in)."""
    agreement: dict[str, Any] = figures(report.agreement)
    if report.by_split:
        agreement["by_split"] = {split: {"n": a.n, "match_rate": _round(a.match_rate.value),
                                         "kappa": _round(a.kappa), "tpr": _round(a.tpr),
                                         "tnr": _round(a.tnr)}
                                 for split, a in report.by_split.items()}
    return {**metadata, "agreement": agreement}
