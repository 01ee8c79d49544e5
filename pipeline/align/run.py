"""``judge-align align``: choose, fit and prove a judge, in that order.

1. Read the dataset's dev split only (Phoenix sends the dev examples; test is not fetched).
2. Ask every hand-written prompt version and the checklist about every dev row
   (:mod:`pipeline.align.signals`, cached and resumable); a version's verdicts already
   stored by a matching experiment are copied instead (:mod:`pipeline.align.reuse`).
3. Cross-validate every candidate on the dev rows and choose the best
   (:mod:`pipeline.align.crossval`).
4. Fit the winner on every dev row and write it as the next prompt version into the prompts
   folder (:mod:`pipeline.align.write`), mirrored to Phoenix's prompt store. A prompts folder
   that does not exist yet (versions were read from the packaged templates) is made first,
   with the templates copied in: they are the versions compared, and the new one is
   numbered after them.
5. Run that version once as a Phoenix experiment over the whole dataset: the first time the
   test split is read. Its dev and test figures are reported separately.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.resources.abc import Traversable
from pathlib import Path

from evaluators.chat import RetryPolicy
from evaluators.checks.extraction import READING_TEMPLATE
from evaluators.endpoint import Endpoint, check_endpoint
from evaluators.labels import HELPFUL, NOT_HELPFUL
from evaluators.prompt_files import CHECKLIST, copy_templates, load_prompt, versions_source
from pipeline.align.candidates import Fitted, candidates_for
from pipeline.align.crossval import FOLDS, Score, choose, cross_validate
from pipeline.align.reuse import prefill
from pipeline.align.signals import Cache, Source, checklist_prompt, collect
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
    folder: Path  # the prompts folder the version is in
    templates_copied: list[str] = field(default_factory=list)  # into a new prompts folder
    reused: int = 0  # dev-row verdicts copied from finished experiments
    experiment: ExperimentReport | None = None


def hand_written(directory: Traversable) -> list[str]:
    """The prompt versions people wrote (not checklists, not earlier ``align`` output)."""
    from evaluators.prompt_files import available_versions

    return [v for v in available_versions(directory)
            if not (p := load_prompt(v, directory)).fitted and p.mode != CHECKLIST]


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
        prompts_dir: Path, folds: int = FOLDS, seed: int = 0,
        retry: RetryPolicy | None = None, prompt_name: str = PROMPT_NAME,
        progress: Progress = SILENT) -> AlignReport:
    """Steps 1-4: choose and fit on dev, write the version into the prompts folder
    ``prompts_dir``; nothing reads test."""
    dev = load_dev(phoenix, dataset)
    prompts = versions_source(prompts_dir)
    versions = hand_written(prompts)
    sources = [Source(v, load_prompt(v, prompts)) for v in versions]
    sources.append(Source("checklist", checklist_prompt(prompts / "checklist.txt")))
    check_endpoint(endpoint)
    cache = Cache(cache_dir / f"{_safe(dataset)}-{_safe(endpoint.model)}.jsonl")
    reused = prefill(phoenix, cache, sources, endpoint.model, dev, prompt_name=prompt_name)
    rows = collect(sources, endpoint, dev.examples, cache, retry=retry, progress=progress)
    labels = [example.label for example in dev.examples]
    scores = [cross_validate(c, rows, labels, k=folds, seed=seed)
              for c in candidates_for(versions)]
    winner = choose(scores)
    fitted = winner.candidate.fit(rows, labels)
    template = (READING_TEMPLATE if fitted.mode == CHECKLIST
                else load_prompt(fitted.source, prompts).template)
    text = render_version(
        fitted, template, description=f"make align: {winner.candidate.name}, fitted on the "
                                      f"dev split of {dataset}",
        fitted_on=f"{len(dev.examples)} dev rows of {dataset} (version "
                  f"{dev.dataset.version_id}), {folds}-fold CV match rate "
                  f"{winner.match_rate:.3f}, {endpoint.model}, "
                  f"{datetime.now(UTC):%Y-%m-%d}")
    copied = [] if prompts_dir.is_dir() else copy_templates(prompts_dir)
    version, created = write_version(text, prompts_dir)
    return AlignReport(dataset=dataset, dev=dev, scores=scores, winner=winner, fitted=fitted,
                       version=version, created=created, folder=prompts_dir,
                       templates_copied=copied, reused=reused)


def prove(phoenix: Phoenix, endpoint: Endpoint, report: AlignReport, *,
          prompt_name: str = PROMPT_NAME, concurrency: int = 2,
          retry: RetryPolicy | None = None, progress: Progress = SILENT) -> ExperimentReport:
    """Step 5: the written version as one Phoenix experiment over every row."""
    report.experiment = run_judge_experiment(
        phoenix, endpoint, report.dataset, prompt=report.version, concurrency=concurrency,
        retry=retry, prompts_dir=report.folder, prompt_name=prompt_name, progress=progress)
    return report.experiment


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")
