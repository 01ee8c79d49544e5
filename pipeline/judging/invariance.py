"""``judge-align invariance``: whether a judge version's verdicts hold under perturbations
(CheckList-style, :mod:`evaluators.checks.invariance`) on the rows of a labeled dataset.

The rows come from a Phoenix dataset as an experiment reads them (its labeled examples, of
one split when ``--split`` names one). The perturbations are a checks module's
``PERTURBATIONS``: the one named by ``--checks``, else the version's own (a checklist names
one), else the one the prompt versions name; ``--checks none`` runs the generic ones only.
Every original and perturbed row is judged by the version's judge, concurrently (a
checklist that reads the wording calls no model at all); per perturbation, the invariant
ones must leave the verdict unchanged and the directional ones must turn a helpful verdict
into not_helpful. The human labels are not read, and nothing is written to Phoenix.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from typing import Any

from evaluators.chat import RetryPolicy
from evaluators.checks.invariance import Tally, count, trials
from evaluators.checks.modules import load_checks
from evaluators.checks.perturb import GENERIC, Case, Perturbation
from evaluators.endpoint import Endpoint, check_endpoint
from evaluators.labels import HELPFUL, NOT_HELPFUL
from evaluators.modes import make_judge
from evaluators.modes.base import ModeJudge
from evaluators.prompt_files import TEMPLATES, PromptFile, load_all, load_prompt
from pipeline.align.domain import NONE, checks_module
from pipeline.dataset.examples import load_labeled
from pipeline.errors import UserError
from pipeline.phoenix.connection import Phoenix
from pipeline.progress import SILENT, Progress

GENERIC_NAME = "generic"
"""What the report calls the generic perturbations' source (``--checks none``)."""


@dataclass
class InvarianceReport:
    """What was perturbed, how it was judged, and each perturbation's tally."""

    dataset: str
    split: str
    version: str
    mode: str
    model: str | None
    """The judge model, None when the version asks no model (code only)."""
    source: str
    """The checks module whose perturbations ran, or ``generic``."""
    rows: int
    tallies: list[Tally] = field(default_factory=list)
    judged: int = 0
    unlabeled: int = 0
    """Verdicts that were no label (a failed call, an unreadable reply)."""
    seconds: float = 0.0

    def totals(self, expect: str) -> tuple[int, int]:
        """(held, tried) over the perturbations that expect ``expect``."""
        chosen = [t for t in self.tallies if t.expect == expect]
        return sum(t.held for t in chosen), sum(t.tried for t in chosen)

    def as_dict(self) -> dict[str, Any]:
        """The counts as plain data (for a report's metadata)."""
        return {"dataset": self.dataset, "split": self.split, "version": self.version,
                "source": self.source, "rows": self.rows,
                "perturbations": {t.name: {"expect": t.expect, "tried": t.tried,
                                           "held": t.held, "skipped": t.skipped}
                                  for t in self.tallies}}


def perturbations_for(prompt: PromptFile, prompts: Sequence[PromptFile], checks: str | None
                      ) -> tuple[str, tuple[Perturbation, ...]]:
    """The source and perturbations to run: ``checks`` (``none``: the generic ones), else
    the version's own checks module, else the one the prompt versions name."""
    if checks is not None and checks.strip().lower() == NONE:
        return GENERIC_NAME, GENERIC
    module = checks.strip() if checks else (prompt.checks or checks_module(prompts))
    if not module:
        raise UserError(f"{prompt.version} names no checks module and neither do the other "
                        "prompt versions: choose one with --checks MODULE (the demo's: "
                        "evaluators.checks.weather), or --checks none for the generic "
                        "perturbations only")
    found = load_checks(module).perturbations
    if not found:
        raise UserError(f"checks module {module!r} defines no PERTURBATIONS: add them (see "
                        "evaluators.checks.perturb), or use --checks none for the generic ones")
    return module, found


def chosen(perturbations: tuple[Perturbation, ...], only: Sequence[str] | None
           ) -> tuple[Perturbation, ...]:
    """The perturbations named in ``only`` (all when None); an unknown name is refused."""
    if not only:
        return perturbations
    names = {p.name for p in perturbations}
    unknown = [name for name in only if name not in names]
    if unknown:
        raise UserError(f"unknown perturbation {', '.join(unknown)}: use one of "
                        f"{', '.join(sorted(names))}")
    return tuple(p for p in perturbations if p.name in set(only))


def run_invariance(phoenix: Phoenix, endpoint: Endpoint, dataset: str, *, prompt: str,
                   split: str | None = None, checks: str | None = None,
                   only: Sequence[str] | None = None, concurrency: int = 4,
                   retry: RetryPolicy | None = None, prompts_dir: Traversable = TEMPLATES,
                   progress: Progress = SILENT) -> InvarianceReport:
    """Judge ``dataset``'s rows (``split``) and their perturbations with version ``prompt``;
    count per perturbation how many verdicts held."""
    if concurrency < 1:
        raise UserError(f"--concurrency must be at least 1, not {concurrency}")
    prompt_file = load_prompt(prompt, prompts_dir)
    source, found = perturbations_for(prompt_file, load_all(prompts_dir), checks)
    perturbations = chosen(found, only)
    examples = load_labeled(phoenix, dataset, split)
    rows = [Case(e.question, e.answer, e.tools, e.id) for e in examples.examples]
    planned = trials(rows, perturbations)
    cases = [*rows, *(t.case for t in planned)]
    judge = make_judge(endpoint, prompt_file, retry=retry)
    asks_model = any(judge.fingerprint(c.question, c.answer, c.tools) is not None
                     for c in rows[:1])
    if asks_model:
        check_endpoint(endpoint)
    report = InvarianceReport(dataset=dataset, split=examples.split, version=prompt_file.version,
                              mode=prompt_file.mode, model=judge.model if asks_model else None,
                              source=source, rows=len(rows))
    started = time.perf_counter()
    progress.start(f"judging {len(rows)} rows and {len(planned)} perturbed rows with "
                   f"{prompt_file.version}", total=len(cases))
    labels = asyncio.run(_judge_all(judge, cases, concurrency, progress))
    report.seconds = time.perf_counter() - started
    report.judged = len(cases)
    report.unlabeled = sum(label not in (HELPFUL, NOT_HELPFUL) for label in labels)
    report.tallies = count(rows, perturbations, planned, labels[:len(rows)],
                           labels[len(rows):])
    return report


async def _judge_all(judge: ModeJudge, cases: list[Case], concurrency: int,
                     progress: Progress) -> list[str]:
    """Every case's label, in order, with ``concurrency`` judgements in flight."""
    gate = asyncio.Semaphore(concurrency)

    async def judged(case: Case) -> str:
        async with gate:
            verdict = await judge.judge(case.question, case.answer, case.tools)
        progress.advance()
        return verdict.label

    try:
        return list(await asyncio.gather(*(judged(case) for case in cases)))
    finally:
        await judge.aclose()
