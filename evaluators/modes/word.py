"""``mode: word`` (the default): the label the model writes first in its reply.

One call per row (the template filled with the row), read leniently (:mod:`evaluators.reply`);
P(helpful) from the label token's log-probabilities rides along when the endpoint gives
them. Nothing to fit: ``align`` offers each hand-written version's word as a candidate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evaluators.chat import RetryPolicy
from evaluators.endpoint import Endpoint
from evaluators.labels import INVALID
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
from evaluators.prompt_files import PromptFile, require_placeholders
from evaluators.reply import REASON_CHARS, helpful_probability, parse_reply
from evaluators.verdict import Verdict

NAME = "word"
MAX_TOKENS = 60
REQUIRED = ("question", "answer")


class PromptJudge(ModeJudge):
    """One call with the version's prompt; the verdict is the label the model wrote."""

    logprobs = True

    def render(self, question: str, answer: str, tools: Tools) -> str:
        return self.prompt.render(question, answer, tools)

    def fingerprint(self, question: str, answer: str, tools: Tools) -> str | None:
        return fingerprint(NAME, self.render(question, answer, tools))

    async def ask(self, question: str, answer: str, tools: Tools) -> dict[str, Any]:
        """The label and reason the model wrote, and P(helpful): the shape of a word
        verdict's run output (the raw reply only when no label could be read)."""
        response = await self.chat.complete(self.render(question, answer, tools),
                                            max_tokens=MAX_TOKENS, logprobs=True)
        choice = response.choices[0]
        raw = getattr(choice.message, "content", None) or ""
        label, reason = parse_reply(raw)
        said: dict[str, Any] = {"label": label, "reason": reason,
                                "probability": helpful_probability(getattr(choice, "logprobs",
                                                                           None))}
        if label == INVALID:
            said["raw"] = raw[:REASON_CHARS * 2]
        return said

    def decide(self, question: str, answer: str, tools: Tools, said: Mapping[str, Any]
               ) -> Verdict:
        label = str(said.get("label") or INVALID)
        probability = None if label == INVALID else said.get("probability")
        return Verdict(label=label, reason=str(said.get("reason") or ""),
                       probability=probability, raw=str(said.get("raw") or ""))


def label_signals(key: str, said: Mapping[str, Any]) -> Signals:
    """The written label and P(helpful) under ``key``."""
    return Signals(labels={key: str(said.get("label") or INVALID)},
                   probabilities={key: said.get("probability")})


@dataclass(frozen=True)
class FittedWord:
    """The label the version's model writes."""

    name: str
    source: PromptFile
    mode: str = NAME

    def predict(self, row: Signals) -> str:
        return row.labels.get(self.source.version, INVALID)

    def score(self, row: Signals) -> float | None:
        return row.probabilities.get(self.source.version)

    def header(self) -> dict[str, Any]:
        return {"mode": NAME}

    def template(self) -> str:
        return self.source.template

    def files(self) -> dict[str, str]:
        return {}

    def describe(self) -> str:
        return "the label the model writes (nothing fitted)"


@dataclass(frozen=True)
class WordCandidate:
    """A hand-written version's word: nothing to fit."""

    source: PromptFile
    complexity: float = 0

    @property
    def name(self) -> str:
        return f"{self.source.version} word"

    def fit(self, rows: Sequence[Signals], labels: Sequence[str]) -> FittedWord:
        return FittedWord(self.name, self.source)


class WordMode:
    name = NAME
    writes_label = True
    output_is_said = True

    def check(self, prompt: PromptFile) -> None:
        require_placeholders(prompt, REQUIRED)

    def judge(self, endpoint: Endpoint, prompt: PromptFile, *,
              retry: RetryPolicy | None = None) -> PromptJudge:
        return PromptJudge(endpoint, prompt, retry=retry)

    def signals(self, source: Source, said: Mapping[str, Any], row: Labeled) -> Signals:
        return label_signals(source.key, said)

    def sources(self, context: Context) -> list[Source]:
        return version_sources(context)

    def candidates(self, context: Context) -> list[Candidate]:
        return [WordCandidate(version) for version in context.versions]


def version_sources(context: Context) -> list[Source]:
    """Every hand-written version, asked with its own prompt (its key: the version)."""
    return [Source(version.version, version) for version in context.versions]


MODE = WordMode()
