"""``mode: checklist``: code checks per rubric rule, combined into a verdict.

The header names the checks module (``checks: evaluators.checks.weather``, or a user's own
dotted path: :mod:`evaluators.checks`). The question is read either by code alone
(``reading: wording``: no model call) or with the model (``reading: model``: one call with
the version's template, which starts from the module's reading prompt, lists what the
question names and asks for; ``calls: separate`` asks one call per field). Every check
then scores the row, and ``combiner: any`` (not_helpful as soon as one failure check fires)
or ``logistic`` (``weights`` and ``bias`` fitted on dev) weighs the scores into P(helpful).
The verdict's reason names the checks that fired and its ``checks`` keep every score, so the
Phoenix run shows them.

``align`` offers the checklist only where a checks module is named: either combination,
with either reading (the model's only when the module has a reading prompt).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluators.chat import RetryPolicy
from evaluators.checks.base import CheckSet, Row
from evaluators.checks.combine import ANY, COMBINERS, Combiner, fit_logistic
from evaluators.checks.extraction import read_question
from evaluators.checks.modules import WEATHER, load_checks
from evaluators.endpoint import Endpoint
from evaluators.errors import ChecksModuleError, PromptFileError
from evaluators.evidence import ToolCall
from evaluators.labels import HELPFUL, NOT_HELPFUL
from evaluators.modes.base import (
    Candidate,
    Context,
    Labeled,
    ModeJudge,
    Signals,
    Source,
    Tools,
    fingerprint,
)
from evaluators.prompt_files import PromptFile, parse_prompt, require_placeholders
from evaluators.verdict import Verdict

NAME = "checklist"
MODEL, WORDING = "model", "wording"
READINGS = (MODEL, WORDING)
"""How a checklist reads the question: the model's reading merged with the wording, or the
wording alone."""
CALLS = ("combined", "separate")


def record(tools: Tools) -> tuple[ToolCall, ...] | None:
    """The tool record as the checks read it: None stays None (no record)."""
    return None if tools is None else tuple(tools)


def reason_for(checks: CheckSet, scores: Mapping[str, float], label: str) -> str:
    """The checks that fired, with their rules, or that none did."""
    fired = [f"{name} (rule {checks.rule_of(name)})" for name, score in scores.items()
             if score >= 0.5 and name not in checks.helpful]
    if label == NOT_HELPFUL:
        return "checks fired: " + (", ".join(fired) if fired else "none, but their weights "
                                                                  "lean not_helpful")
    return "no failure check fired" if not fired else ("weighed helpful despite: "
                                                       + ", ".join(fired))


def combiner_of(prompt: PromptFile, checks: CheckSet) -> Combiner:
    """The combiner a checklist version's header describes."""
    return Combiner(prompt.combiner, prompt.weights, prompt.bias, prompt.threshold,
                    evidence=checks.helpful)


class ChecklistJudge(ModeJudge):
    """Judge rows with a checklist version: its checks module's checks, combined."""

    def __init__(self, endpoint: Endpoint, prompt: PromptFile, *,
                 retry: RetryPolicy | None = None) -> None:
        super().__init__(endpoint, prompt, retry=retry)
        self.checks = load_checks(prompt.checks)
        if prompt.reading == MODEL and self.checks.reading is None:
            raise ChecksModuleError(
                f"{prompt.path}: reading: model, but checks module {prompt.checks!r} "
                "defines no READING for the model to fill: use reading: wording")
        self.combiner = combiner_of(prompt, self.checks)

    def fingerprint(self, question: str, answer: str, tools: Tools) -> str | None:
        if self.prompt.reading == WORDING:
            return None
        return fingerprint(NAME, self.prompt.render(question), self.prompt.calls)

    async def ask(self, question: str, answer: str, tools: Tools) -> dict[str, Any]:
        """The model's reading of the question (nothing to read with ``reading: wording``)."""
        if self.prompt.reading == WORDING:
            return {}
        assert self.checks.reading is not None
        return await read_question(self.chat, self.prompt.render(question),
                                   self.checks.reading,
                                   separate=self.prompt.calls == "separate")

    def scores(self, question: str, answer: str, tools: Tools, said: Mapping[str, Any]
               ) -> dict[str, float]:
        reading = said if self.prompt.reading == MODEL else None
        return self.checks.scores(Row(question, answer, record(tools), reading))

    def decide(self, question: str, answer: str, tools: Tools, said: Mapping[str, Any]
               ) -> Verdict:
        scores = self.scores(question, answer, tools, said)
        probability = self.combiner.probability(scores)
        label = HELPFUL if probability >= self.combiner.threshold else NOT_HELPFUL
        return Verdict(label=label, reason=reason_for(self.checks, scores, label),
                       probability=probability, checks=scores)


def checklist_template(checks: CheckSet) -> str:
    """A checklist version's template: the module's reading prompt, or (a module the model
    does not read for) the question alone, which no call sends."""
    if checks.reading is not None:
        return checks.reading.template
    return ("Code checks judge this row; no model reads it.\n\n<question>\n{{question}}\n"
            "</question>\n")


def checklist_prompt(module: str, reading: str) -> PromptFile:
    """An unfitted checklist version of ``module`` with ``reading`` (what align asks)."""
    checks = load_checks(module)
    text = (f"---\nmode: {NAME}\nchecks: {module}\nreading: {reading}\n---\n"
            f"{checklist_template(checks)}")
    return parse_prompt(text, version=f"checklist-{reading}",
                        path=Path(f"checklist-{reading}.txt"))


def wording_source(module: str) -> Source:
    """The checks by the question's wording alone (no model call)."""
    return Source(f"checklist {WORDING}", checklist_prompt(module, WORDING))


def _reading_name(reading: str) -> str:
    return "the model reads the question" if reading == MODEL else "wording only, no model"


@dataclass(frozen=True)
class FittedChecklist:
    """The checks of one module, read one way, weighed by one combiner."""

    name: str
    checks: CheckSet
    reading: str
    combiner: Combiner
    mode: str = NAME

    def predict(self, row: Signals) -> str:
        return HELPFUL if self.combiner.helpful(row.checks[self.reading]) else NOT_HELPFUL

    def score(self, row: Signals) -> float | None:
        return self.combiner.probability(row.checks[self.reading])

    def header(self) -> dict[str, Any]:
        return {"mode": NAME, "checks": self.checks.module, "reading": self.reading,
                "combiner": self.combiner.kind, "threshold": self.combiner.threshold,
                "weights": dict(self.combiner.weights), "bias": self.combiner.bias}

    def template(self) -> str:
        return checklist_template(self.checks)

    def files(self) -> dict[str, str]:
        return {}

    def describe(self) -> str:
        if self.combiner.kind == ANY:
            return "rule: not_helpful as soon as one failure check fires (nothing fitted)"
        weights = ", ".join(f"{name} {weight:+.2f}" for name, weight in
                            sorted(self.combiner.weights.items(), key=lambda kv: kv[1]))
        return (f"weights (fitted on every dev row): bias {self.combiner.bias:+.2f}, "
                f"{weights or 'none'}; helpful when P >= {self.combiner.threshold}")


@dataclass(frozen=True)
class ChecklistAnyCandidate:
    """The checklist with the rubric's own rule: any failure check makes it not_helpful."""

    checks: CheckSet
    reading: str = MODEL

    @property
    def complexity(self) -> float:
        return 2 if self.reading == WORDING else 2.5  # reading costs a model call a row

    @property
    def name(self) -> str:
        return f"checklist any-rule ({_reading_name(self.reading)})"

    def fit(self, rows: Sequence[Signals], labels: Sequence[str]) -> FittedChecklist:
        return FittedChecklist(self.name, self.checks, self.reading,
                               Combiner(ANY, evidence=self.checks.helpful))


@dataclass(frozen=True)
class ChecklistLogisticCandidate:
    """The checklist with weights fitted by regularised logistic regression."""

    checks: CheckSet
    reading: str = MODEL
    strength: float = 1.0

    @property
    def complexity(self) -> float:
        return 3 if self.reading == WORDING else 3.5

    @property
    def name(self) -> str:
        return f"checklist logistic, C={self.strength:g} ({_reading_name(self.reading)})"

    def fit(self, rows: Sequence[Signals], labels: Sequence[str]) -> FittedChecklist:
        combiner = fit_logistic([row.checks[self.reading] for row in rows], labels,
                                self.checks.names, strength=self.strength)
        return FittedChecklist(self.name, self.checks, self.reading, combiner)


class ChecklistMode:
    name = NAME
    writes_label = False
    output_is_said = False

    def check(self, prompt: PromptFile) -> None:
        require_placeholders(prompt, ("question",))
        if not prompt.checks:
            raise PromptFileError(
                f"{prompt.path}: mode checklist names no checks module: add a header line "
                f"'checks: {WEATHER}' (the demo's weather checks) or your own module's "
                "dotted path")
        for key, value, allowed in (("combiner", prompt.combiner, COMBINERS),
                                    ("reading", prompt.reading, READINGS),
                                    ("calls", prompt.calls, CALLS)):
            if value not in allowed:
                raise PromptFileError(f"{prompt.path}: {key} {value!r} is unknown: use one "
                                      f"of {', '.join(allowed)}")

    def judge(self, endpoint: Endpoint, prompt: PromptFile, *,
              retry: RetryPolicy | None = None) -> ChecklistJudge:
        return ChecklistJudge(endpoint, prompt, retry=retry)

    def signals(self, source: Source, said: Mapping[str, Any], row: Labeled) -> Signals:
        checks = load_checks(source.prompt.checks)
        reading = said if source.prompt.reading == MODEL else None
        scores = checks.scores(Row(row.question, row.answer, record(row.tools), reading))
        return Signals(checks={source.prompt.reading: scores})

    def sources(self, context: Context) -> list[Source]:
        if not context.checks:
            return []
        found = [wording_source(context.checks)]
        if load_checks(context.checks).reading is not None:
            found.append(Source(f"checklist {MODEL}", checklist_prompt(context.checks, MODEL)))
        return found

    def candidates(self, context: Context) -> list[Candidate]:
        if not context.checks:
            return []
        checks = load_checks(context.checks)
        readings = READINGS if checks.reading is not None else (WORDING,)
        found: list[Candidate] = []
        for reading in readings:
            found += [ChecklistAnyCandidate(checks, reading),
                      ChecklistLogisticCandidate(checks, reading)]
        return found


MODE = ChecklistMode()
