"""``judge-align align``: choose, fit and prove a judge, in that order.

1. Read the dataset's dev split only (Phoenix sends the dev examples; test is not fetched).
2. Ask every source the judge modes need about every dev row (:mod:`evaluators.modes`:
   each hand-written prompt version, the checklist's reading of the question where a checks
   module is named (:mod:`pipeline.align.domain`), then a few-shot prompt built on the
   best-agreeing version), cached and resumable (:mod:`pipeline.align.signals`); a
   version's verdicts already stored by a matching experiment are copied instead
   (:mod:`pipeline.align.reuse`).
3. Cross-validate every mode's candidates on the dev rows and choose the best
   (:mod:`pipeline.align.crossval`).
4. Fit the winner on every dev row and write it as the next prompt version
   (:mod:`pipeline.align.write`), mirrored to Phoenix's prompt store.
5. Run that version once as a Phoenix experiment over the whole dataset: the first time the
   test split is read. Its dev and test figures are reported separately.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from evaluators.chat import RetryPolicy
from evaluators.endpoint import Endpoint, check_endpoint
from evaluators.labels import HELPFUL, NOT_HELPFUL
from evaluators.modes import candidates_for, mode_of, sources_for
from evaluators.modes.base import Context, Fitted
from evaluators.prompt_files import PROMPTS_DIR, PromptFile, load_all
from pipeline.align.crossval import FOLDS, Score, choose, cross_validate
from pipeline.align.domain import checks_module
from pipeline.align.reuse import prefill
from pipeline.align.signals import Cache, collect, labeled
from pipeline.align.write import render_version, write_version
from pipeline.dataset.examples import LabeledDataset, load_labeled
from pipeline.dataset.splits import DEV
from pipeline.errors import UserError
from pipeline.experiment.judge_experiment import run_judge_experiment
from pipeline.experiment.report import ExperimentReport
from pipeline.phoenix.connection import Phoenix
from pipeline.phoenix.prompts import PROMPT_NAME
from pipeline.progress import SILENT, Progress


@dataclass
class AlignReport:
    """What ``align`` compared, chose, wrote and measured."""

    dataset: str
    dev: LabeledDataset
    scores: list[Score]
    winner: Score
    fitted: Fitted
    version: str
    created: bool
    reused: int = 0  # dev-row verdicts copied from finished experiments
    checks: str | None = None  # the checks module offered, None: generic candidates only
    experiment: ExperimentReport | None = None


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
        prompts_dir: Path = PROMPTS_DIR, folds: int = FOLDS, seed: int = 0,
        retry: RetryPolicy | None = None, prompt_name: str = PROMPT_NAME,
        checks: str | None = None, progress: Progress = SILENT) -> AlignReport:
    """Steps 1-4: choose and fit on dev, write the version; nothing reads test.

    ``checks``: the checks module to offer checklist candidates for (``"none"``: none);
    by default the one the prompt versions name (:mod:`pipeline.align.domain`)."""
    prompts = load_all(prompts_dir)
    module = checks_module(prompts, checks)
    dev = load_dev(phoenix, dataset)
    context = Context(tuple(hand_written(prompts)), module,
                      tuple(labeled(example) for example in dev.examples))
    check_endpoint(endpoint)
    cache = Cache(cache_dir / f"{_safe(dataset)}-{_safe(endpoint.model)}.jsonl")
    sources = sources_for(context)
    reused = prefill(phoenix, cache, sources, endpoint, dev, prompt_name=prompt_name)
    rows = collect(sources, endpoint, dev.examples, cache, retry=retry, progress=progress)
    # Round two: what the modes ask once they see round one's answers (few-shot's base).
    context = dataclasses.replace(context, signals=tuple(rows))
    more = sources_for(context)
    if [s.key for s in more] != [s.key for s in sources]:
        rows = collect(more, endpoint, dev.examples, cache, retry=retry, progress=progress)
    labels = context.labels
    scores = [cross_validate(c, rows, labels, k=folds, seed=seed)
              for c in candidates_for(context)]
    winner = choose(scores)
    fitted = winner.candidate.fit(rows, labels)
    text = render_version(
        fitted, description=f"make align: {winner.candidate.name}, fitted on the dev split "
                            f"of {dataset}",
        fitted_on=f"{len(dev.examples)} dev rows of {dataset} (version "
                  f"{dev.dataset.version_id}), {folds}-fold CV match rate "
                  f"{winner.match_rate:.3f}, {endpoint.model}, "
                  f"{datetime.now(UTC):%Y-%m-%d}")
    version, created = write_version(text, prompts_dir, fitted.files())
    return AlignReport(dataset=dataset, dev=dev, scores=scores, winner=winner, fitted=fitted,
                       version=version, created=created, reused=reused, checks=module)


def prove(phoenix: Phoenix, endpoint: Endpoint, report: AlignReport, *,
          prompts_dir: Path = PROMPTS_DIR, prompt_name: str = PROMPT_NAME,
          concurrency: int = 2, retry: RetryPolicy | None = None,
          progress: Progress = SILENT) -> ExperimentReport:
    """Step 5: the written version as one Phoenix experiment over every row."""
    report.experiment = run_judge_experiment(
        phoenix, endpoint, report.dataset, prompt=report.version, concurrency=concurrency,
        retry=retry, prompts_dir=prompts_dir, prompt_name=prompt_name, progress=progress)
    return report.experiment


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")
