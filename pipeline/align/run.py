"""``judge-align align``: choose, fit and prove a judge, in that order.

1. Read the dataset's dev split only (Phoenix sends the dev examples; test is not fetched).
2. Ask every source the judge modes need about every dev row (:mod:`evaluators.modes`:
   each hand-written prompt version, the checklist's reading of the question where a checks
   module is named (:mod:`pipeline.align.domain`), then a few-shot prompt built on the
   best-agreeing version), cached and resumable (:mod:`pipeline.align.signals`); a
   version's verdicts already stored by a matching experiment are copied instead
   (:mod:`pipeline.align.reuse`).
3. Score every mode's candidates by repeated cross-validation on the dev rows and choose
   the simplest one the best does not beat by more than one standard error
   (:mod:`pipeline.align.selection`).
4. Fit the winner on every dev row and write it as the next prompt version into the prompts
   folder (:mod:`pipeline.align.write`), mirrored to Phoenix's prompt store. A prompts folder
   that does not exist yet (versions were read from the packaged templates) is made first,
   with the templates copied in: they are the versions compared, and the new one is
   numbered after them.
5. The final run, the only one that reads rows align never fitted on (:func:`prove`): the
   test split and any external sets are fetched, every candidate (fitted on all dev rows)
   is scored on them (:mod:`pipeline.align.held_out`), the chosen form's learning curve is
   drawn on the test split (:mod:`pipeline.align.learning_curve`), and the written version
   runs as one Phoenix experiment over the whole dataset and over each external set.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from evaluators.chat import RetryPolicy
from evaluators.endpoint import Endpoint, check_endpoint
from evaluators.labels import HELPFUL, NOT_HELPFUL
from evaluators.modes import candidates_for, check_left_out, mode_of, sources_for
from evaluators.modes.base import Context, Fitted, Signals, Source
from evaluators.prompt_files import PromptFile, copy_templates, load_all, versions_source
from pipeline.align import held_out
from pipeline.align.crossval import FOLDS
from pipeline.align.domain import checks_module
from pipeline.align.learning_curve import Point, learning_curve
from pipeline.align.reuse import prefill
from pipeline.align.selection import REPEATS, CrossValidated, choose, repeated_cross_validation
from pipeline.align.signals import Cache, collect, labeled
from pipeline.align.write import render_version, write_version
from pipeline.dataset.examples import LabeledDataset, load_labeled
from pipeline.dataset.splits import DEV, TEST
from pipeline.errors import UserError
from pipeline.experiment.judge_experiment import run_judge_experiment
from pipeline.experiment.report import ExperimentReport
from pipeline.phoenix import experiments as phoenix_experiments
from pipeline.phoenix.connection import Phoenix
from pipeline.phoenix.prompts import PROMPT_NAME
from pipeline.progress import SILENT, Progress


@dataclass
class AlignReport:
    """What ``align`` compared, chose, wrote and measured."""

    dataset: str
    dev: LabeledDataset
    scores: list[CrossValidated]
    winner: CrossValidated
    fitted: Fitted
    version: str
    created: bool
    sources: list[Source]
    rows: list[Signals]
    cache: Cache
    folder: Path  # the prompts folder the version is in
    templates_copied: list[str] = field(default_factory=list)  # into a new prompts folder
    reused: int = 0  # dev-row verdicts copied from finished experiments
    checks: str | None = None  # the checks module offered, None: generic candidates only
    left_out: frozenset[str] = frozenset()  # modes not offered
    folds: int = FOLDS
    repeats: int = REPEATS
    experiment: ExperimentReport | None = None
    external: dict[str, ExperimentReport] = field(default_factory=dict)
    held_out: list[held_out.HeldOutSet] = field(default_factory=list)
    figures: list[held_out.CandidateFigures] = field(default_factory=list)
    curve: list[Point] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return [example.label for example in self.dev.examples]

    @property
    def prompt_path(self) -> Path:
        return self.folder / f"{self.version}.txt"


def hand_written(prompts: list[PromptFile]) -> list[PromptFile]:
    """The prompt versions people wrote: the model writes the label from them (word or
    probability mode), and ``align`` did not write them."""
    return [p for p in prompts if not p.fitted and mode_of(p).writes_label]


MIN_PER_LABEL = 5
"""Labeled dev rows of each label ``align`` needs before its cross-validation means much."""


class TooFewDevRows(UserError):
    """The dev split is too small (or one-sided) to choose a judge on."""


def load_dev(phoenix: Phoenix, dataset: str) -> LabeledDataset:
    """The labeled dev rows of ``dataset``, fetched without the test split; refuses a dev
    split with fewer than :data:`MIN_PER_LABEL` rows of either label."""
    dev = load_labeled(phoenix, dataset, DEV, only_fetch_split=True)
    counts = Counter(example.label for example in dev.examples)
    if min(counts[HELPFUL], counts[NOT_HELPFUL]) < MIN_PER_LABEL:
        raise TooFewDevRows(
            f"dataset {dataset!r} has {counts[HELPFUL]} helpful and {counts[NOT_HELPFUL]} "
            f"not_helpful labeled dev rows; align needs at least {MIN_PER_LABEL} of each to "
            "choose a judge: label more traces (`make suggest-labels`, `make annotate`, "
            "`make labels`)")
    return dev


def fit(phoenix: Phoenix, endpoint: Endpoint, dataset: str, *, cache_dir: Path,
        prompts_dir: Path, folds: int = FOLDS, repeats: int = REPEATS,
        seed: int = 0, retry: RetryPolicy | None = None, prompt_name: str = PROMPT_NAME,
        checks: str | None = None, left_out: Sequence[str] = (),
        progress: Progress = SILENT) -> AlignReport:
    """Steps 1-4: choose and fit on dev, write the version into the prompts folder
    ``prompts_dir``; nothing reads test.

    ``checks``: the checks module to offer checklist candidates for (``"none"``: none);
    by default the one the prompt versions name (:mod:`pipeline.align.domain`).
    ``left_out``: modes whose candidates are not offered (e.g. ``fewshot``, whose long
    prompts are the slowest to ask on a CPU model)."""
    prompts = load_all(versions_source(prompts_dir))
    module = checks_module(prompts, checks)
    leave = check_left_out(left_out)
    dev = load_dev(phoenix, dataset)
    context = Context(tuple(hand_written(prompts)), module,
                      tuple(labeled(example) for example in dev.examples), left_out=leave)
    check_endpoint(endpoint)
    cache = Cache(cache_dir / f"{_safe(dataset)}-{_safe(endpoint.model)}.jsonl")
    sources = sources_for(context)
    reused = prefill(phoenix, cache, sources, endpoint, dev, prompt_name=prompt_name)
    rows = collect(sources, endpoint, dev.examples, cache, retry=retry, progress=progress)
    # Round two: what the modes ask once they see round one's answers (few-shot's base).
    context = dataclasses.replace(context, signals=tuple(rows))
    more = sources_for(context)
    if [s.key for s in more] != [s.key for s in sources]:
        sources = more
        rows = collect(sources, endpoint, dev.examples, cache, retry=retry, progress=progress)
    labels = context.labels
    scores = [repeated_cross_validation(c, rows, labels, k=folds, repeats=repeats, seed=seed)
              for c in candidates_for(context)]
    winner = choose(scores)
    fitted = winner.candidate.fit(rows, labels)
    text = render_version(
        fitted, description=f"make align: {winner.candidate.name}, fitted on the dev split "
                            f"of {dataset}",
        fitted_on=f"{len(dev.examples)} dev rows of {dataset} (version "
                  f"{dev.dataset.version_id}), {folds}-fold CV repeated {repeats} times, "
                  f"match rate {winner.match_rate.value:.3f}, {endpoint.model}, "
                  f"{datetime.now(UTC):%Y-%m-%d}")
    copied = [] if prompts_dir.is_dir() else copy_templates(prompts_dir)
    version, created = write_version(text, prompts_dir, fitted.files())
    return AlignReport(dataset=dataset, dev=dev, scores=scores, winner=winner, fitted=fitted,
                       version=version, created=created, sources=sources, rows=rows,
                       cache=cache, folder=prompts_dir, templates_copied=copied,
                       reused=reused, checks=module, left_out=leave, folds=folds,
                       repeats=repeats)


def prove(phoenix: Phoenix, endpoint: Endpoint, report: AlignReport, *,
          external: Sequence[str] = (), prompt_name: str = PROMPT_NAME, concurrency: int = 2,
          retry: RetryPolicy | None = None, progress: Progress = SILENT) -> ExperimentReport:
    """Step 5, the final run: fetch the test split and the ``external`` datasets, score
    every candidate on them, draw the chosen form's learning curve on test, and run the
    written version as one Phoenix experiment over the whole dataset and each external set.
    """
    sets = [(held_out.TEST_SET, load_labeled(phoenix, report.dataset, TEST,
                                             only_fetch_split=True))]
    sets += [(name, load_labeled(phoenix, name)) for name in external]
    report.held_out = [held_out.gather(phoenix, endpoint, name, data, report.sources,
                                       report.cache, retry=retry, prompt_name=prompt_name,
                                       progress=progress) for name, data in sets]
    report.figures = held_out.score(report.scores, report.rows, report.labels,
                                    report.held_out)
    test = report.held_out[0]
    report.curve = learning_curve(report.winner.candidate, report.rows, report.labels,
                                  test.rows, test.labels)
    options = {"concurrency": concurrency, "retry": retry, "prompts_dir": report.folder,
               "prompt_name": prompt_name, "progress": progress, "memo": report.cache}
    report.experiment = run_judge_experiment(phoenix, endpoint, report.dataset,
                                             prompt=report.version, **options)
    for name in external:
        report.external[name] = run_judge_experiment(phoenix, endpoint, name,
                                                     prompt=report.version, **options)
    record_candidates(phoenix, report)
    return report.experiment


def candidates_metadata(report: AlignReport) -> list[dict[str, object]]:
    """Every candidate's figures as the experiment's metadata keeps them."""

    def rate(agreement: object) -> dict[str, object]:
        a = agreement  # metrics.Agreement
        return {"n": a.n, "match_rate": a.match_rate.value, "low": a.match_rate.low,
                "high": a.match_rate.high, "kappa": a.kappa}

    found = []
    for figure in report.figures:
        cv = figure.dev.match_rate
        found.append({"candidate": figure.dev.candidate.name,
                      "chosen": figure.dev is report.winner,
                      "dev_cv": {"match_rate": cv.value, "low": cv.low, "high": cv.high,
                                 "kappa": figure.dev.mean_of("kappa"),
                                 "folds": report.folds, "repeats": report.repeats},
                      **{name: rate(a) for name, a in figure.held_out.items()}})
    return found


def record_candidates(phoenix: Phoenix, report: AlignReport) -> None:
    """Put every candidate's dev, test and external figures and the learning curve into the
    metadata of the version's experiment on the dataset."""
    if report.experiment is None:
        return
    experiment = phoenix_experiments.get(phoenix, report.experiment.experiment_id)
    metadata = {**(experiment.get("metadata") or {}),
                "align": {"candidates": candidates_metadata(report),
                          "learning_curve": [{"labels": p.size, "mean": p.mean, "low": p.low,
                                              "high": p.high, "draws": len(p.rates)}
                                             for p in report.curve]}}
    phoenix_experiments.update(phoenix, experiment,
                               description=experiment.get("description") or "",
                               metadata=metadata)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")
