"""``mode: stacked``: the model's P(helpful) from several hand-written versions (and, when a
checks module is named, the check scores read by the wording) combined by L2-regularised
logistic regression fitted on dev.

Header: ``versions`` (a JSON object: each version stacked -> the digest of its template when
fitted, so a version edited since is refused rather than silently weighed as before),
``checks`` (optional), ``weights`` (version or check -> weight), ``bias``, ``threshold``.
At judge time it makes the calls of the versions it stacks (their files, read beside this
one) and runs the checks; its own template is a note for people, never sent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evaluators.chat import RetryPolicy
from evaluators.checks.base import CheckSet, Row
from evaluators.checks.combine import LOGISTIC, Combiner, fit_logistic
from evaluators.checks.modules import load_checks
from evaluators.endpoint import Endpoint
from evaluators.errors import PromptFileError
from evaluators.labels import HELPFUL, NOT_HELPFUL
from evaluators.modes.base import (
    Candidate,
    Context,
    Labeled,
    Memo,
    ModeJudge,
    Signals,
    Source,
    Tools,
    as_feature,
    fingerprint,
)
from evaluators.modes.checklist import WORDING, record, wording_source
from evaluators.modes.word import PromptJudge, version_sources
from evaluators.prompt_files import PromptFile, load_prompt
from evaluators.verdict import Verdict

NAME = "stacked"
STRENGTH = 1.0


def digest(template: str) -> str:
    """A short fingerprint of a template (12 hex digits of its sha256)."""
    return hashlib.sha256(template.encode("utf-8")).hexdigest()[:12]


def stacked_versions(prompt: PromptFile) -> dict[str, str]:
    """The header's ``versions``: version -> template digest."""
    try:
        versions = json.loads(prompt.header.get("versions") or "")
        if isinstance(versions, dict) and versions:
            return {str(k): str(v) for k, v in versions.items()}
    except ValueError:
        pass
    raise PromptFileError(f"{prompt.path}: mode stacked needs 'versions', a JSON object of "
                          "version -> template digest on one line (make align writes it)")


def note(versions: Sequence[str], checks: str | None) -> str:
    """The stacked version's template: what it does, for a person (never sent)."""
    what = ", ".join(versions) + (f" and the checks of {checks}" if checks else "")
    return (f"A stacked judge: P(helpful) from {what}, weighed by the weights above "
            "(logistic regression fitted on dev). Each stacked version is asked with its "
            "own prompt file; this text is never sent to a model.\n")


class StackedJudge(ModeJudge):
    """Asks every stacked version, runs the checks, weighs it all."""

    def __init__(self, endpoint: Endpoint, prompt: PromptFile, *,
                 retry: RetryPolicy | None = None) -> None:
        super().__init__(endpoint, prompt, retry=retry)
        self.judges: dict[str, PromptJudge] = {}
        for version, expected in stacked_versions(prompt).items():
            stacked = load_prompt(version, prompt.path.parent)
            if digest(stacked.template) != expected:
                raise PromptFileError(
                    f"{prompt.path}: it stacks {version} as it was when fitted, and "
                    f"{stacked.path} has changed since: restore it, or re-run `make align`")
            self.judges[version] = PromptJudge(endpoint, stacked, retry=retry)
        self.checks: CheckSet | None = load_checks(prompt.checks) if prompt.checks else None
        self.combiner = Combiner(LOGISTIC, prompt.weights, prompt.bias, prompt.threshold)

    def remember(self, memo: Memo | None) -> None:
        super().remember(memo)
        for judge in self.judges.values():
            judge.remember(memo)

    def fingerprint(self, question: str, answer: str, tools: Tools) -> str | None:
        return fingerprint(NAME, {v: j.fingerprint(question, answer, tools)
                                  for v, j in self.judges.items()})

    async def ask(self, question: str, answer: str, tools: Tools) -> dict[str, Any]:
        """What each stacked version said (one call each, in turn; a version's answer
        already in the memo is not asked again)."""
        return {version: await judge.said(question, answer, tools)
                for version, judge in self.judges.items()}

    def decide(self, question: str, answer: str, tools: Tools, said: Mapping[str, Any]
               ) -> Verdict:
        features = {v: as_feature(s.get("label"), s.get("probability"))
                    for v, s in said.items()}
        scores = (self.checks.scores(Row(question, answer, record(tools)))
                  if self.checks else {})
        probability = self.combiner.probability({**scores, **features})
        label = HELPFUL if probability >= self.combiner.threshold else NOT_HELPFUL
        parts = ", ".join(f"{v} {p:.2f}" for v, p in features.items())
        fired = [name for name, score in scores.items() if score >= 0.5]
        reason = f"stacked P(helpful) {probability:.2f} from {parts}" + (
            f"; checks fired: {', '.join(fired)}" if fired else "")
        return Verdict(label=label, reason=reason, probability=probability, checks=scores)


def row_features(row: Signals, versions: Sequence[str]) -> dict[str, float]:
    """A dev row's features: each version's P(helpful) and the checks read by wording."""
    features = dict(row.checks.get(WORDING, {}))
    features.update({v: as_feature(row.labels.get(v), row.probabilities.get(v))
                     for v in versions})
    return features


@dataclass(frozen=True)
class FittedStacked:
    name: str
    versions: tuple[PromptFile, ...]
    checks: CheckSet | None
    combiner: Combiner
    mode: str = NAME

    @property
    def keys(self) -> list[str]:
        return [v.version for v in self.versions]

    def predict(self, row: Signals) -> str:
        return HELPFUL if self.combiner.helpful(row_features(row, self.keys)) else NOT_HELPFUL

    def score(self, row: Signals) -> float | None:
        return self.combiner.probability(row_features(row, self.keys))

    def header(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"mode": NAME,
                                  "versions": {v.version: digest(v.template)
                                               for v in self.versions}}
        if self.checks is not None:
            fields["checks"] = self.checks.module
        return {**fields, "threshold": self.combiner.threshold,
                "weights": dict(self.combiner.weights), "bias": self.combiner.bias}

    def template(self) -> str:
        return note(self.keys, self.checks.module if self.checks else None)

    def files(self) -> dict[str, str]:
        return {}

    def describe(self) -> str:
        weights = ", ".join(f"{name} {weight:+.2f}" for name, weight in
                            sorted(self.combiner.weights.items(), key=lambda kv: kv[1]))
        return (f"stacked weights (fitted on every dev row): bias {self.combiner.bias:+.2f}, "
                f"{weights or 'none'}; helpful when P >= {self.combiner.threshold}")


@dataclass(frozen=True)
class StackedCandidate:
    """Every hand-written version's P(helpful) (and the checks), logistic regression."""

    versions: tuple[PromptFile, ...]
    checks: CheckSet | None = None
    strength: float = STRENGTH
    complexity: float = 4

    @property
    def name(self) -> str:
        what = ", ".join(v.version for v in self.versions)
        return (f"stacked {what} P(helpful)" + (" + checks" if self.checks else "")
                + f", logistic C={self.strength:g}")

    def fit(self, rows: Sequence[Signals], labels: Sequence[str]) -> FittedStacked:
        keys = [v.version for v in self.versions]
        features = [*(self.checks.names if self.checks else ()), *keys]
        combiner = fit_logistic([row_features(row, keys) for row in rows], labels, features,
                                strength=self.strength)
        return FittedStacked(self.name, self.versions, self.checks, combiner)


class StackedMode:
    name = NAME
    writes_label = False
    output_is_said = False

    def check(self, prompt: PromptFile) -> None:
        stacked_versions(prompt)

    def judge(self, endpoint: Endpoint, prompt: PromptFile, *,
              retry: RetryPolicy | None = None) -> StackedJudge:
        return StackedJudge(endpoint, prompt, retry=retry)

    def signals(self, source: Source, said: Mapping[str, Any], row: Labeled) -> Signals:
        return Signals()  # it reads what the versions and the checks said

    def sources(self, context: Context) -> list[Source]:
        return version_sources(context) + (
            [wording_source(context.checks)] if context.checks else [])

    def candidates(self, context: Context) -> list[Candidate]:
        if not context.versions:
            return []
        checks = load_checks(context.checks) if context.checks else None
        if checks is not None and (clash := set(checks.names) & {
                v.version for v in context.versions}):
            raise PromptFileError(f"checks module {checks.module!r} names checks like "
                                  f"prompt versions ({', '.join(sorted(clash))}): rename "
                                  "the checks")
        return [StackedCandidate(context.versions, checks)]


MODE = StackedMode()
