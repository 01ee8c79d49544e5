"""What a judge mode is: one module that both the judge and ``make align`` read.

The judge side: :meth:`Mode.judge` makes a :class:`ModeJudge`, which judges a row in two
steps, :meth:`~ModeJudge.ask` (the model calls; what the model said, as JSON) and
:meth:`~ModeJudge.decide` (code: the verdict made of what was said). ``align`` keeps what
was said about each dev row (cached by :meth:`~ModeJudge.fingerprint`) and reads it as
:class:`Signals` (:meth:`Mode.signals`); a mode's :class:`Candidate` is fitted on the
signals of some rows and its :class:`Fitted` predicts others, scores them for AUROC, and
gives the header fields, template and side files that make the fit a prompt version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from evaluators.chat import Chat, RetryPolicy
from evaluators.endpoint import Endpoint
from evaluators.evidence import ToolCall
from evaluators.labels import HELPFUL, NOT_HELPFUL
from evaluators.prompt_files import PromptFile
from evaluators.verdict import Verdict, failed

Tools = Sequence[ToolCall] | None


@dataclass(frozen=True)
class Signals:
    """What the judges said about one dev row: by source the label the model wrote and
    P(helpful), and the check scores by way of reading the question (model or wording)."""

    labels: Mapping[str, str] = field(default_factory=dict)
    probabilities: Mapping[str, float | None] = field(default_factory=dict)
    checks: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def merged(self, other: Signals) -> Signals:
        return Signals({**self.labels, **other.labels},
                       {**self.probabilities, **other.probabilities},
                       {**self.checks, **other.checks})


@dataclass(frozen=True)
class Labeled:
    """A labeled dev row, as ``align`` hands it to the modes."""

    question: str
    answer: str
    tools: tuple[ToolCall, ...] | None
    label: str


@dataclass(frozen=True)
class Source:
    """One thing to ask about every dev row: a prompt version judged by its own mode;
    ``key`` names what it says in the row's :class:`Signals`."""

    key: str
    prompt: PromptFile


@dataclass(frozen=True)
class Context:
    """What ``align`` offers the modes to build candidates from: the hand-written versions,
    the checks module named (None: generic candidates only), the labeled dev rows and,
    after a first round of asking, their signals."""

    versions: tuple[PromptFile, ...]
    checks: str | None = None
    dev: tuple[Labeled, ...] = ()
    signals: tuple[Signals, ...] | None = None
    left_out: frozenset[str] = frozenset()  # modes not to offer candidates of

    @property
    def labels(self) -> list[str]:
        return [row.label for row in self.dev]


class Fitted(Protocol):
    """A candidate fitted on some rows."""

    name: str
    mode: str

    def predict(self, row: Signals) -> str:
        """helpful / not_helpful (or invalid) for a row's signals."""
        ...

    def score(self, row: Signals) -> float | None:
        """P(helpful) as this fit sees the row (for AUROC), when it has one."""
        ...

    def header(self) -> dict[str, Any]:
        """The prompt-file header fields that reproduce this fit (``mode`` first)."""
        ...

    def template(self) -> str:
        """The template the written version judges with."""
        ...

    def files(self) -> dict[str, str]:
        """Files written beside the version (``{"examples.jsonl": text}`` makes
        ``vN.examples.jsonl``)."""
        ...

    def describe(self) -> str:
        """One line on what was fitted, for a person."""
        ...


class Candidate(Protocol):
    """A way to judge from signals, fitted only on the rows it is given."""

    name: str
    complexity: float
    """Ties in cross-validated agreement go to the lower complexity: word 0 < probability 1
    < checklist any 2 < checklist logistic 3 < stacked 4 < few-shot 5 (half a step more
    for the sibling that calls the model more, or fits more)."""

    def fit(self, rows: Sequence[Signals], labels: Sequence[str]) -> Fitted: ...


class RowJudge(Protocol):
    """Anything that judges rows (what the experiment runner needs)."""

    model: str
    prompt: PromptFile

    async def judge(self, question: str, answer: str, tools: Tools = None) -> Verdict: ...

    async def aclose(self) -> None: ...


Memo = MutableMapping[str, dict[str, Any]]
"""What judges already said, by :meth:`ModeJudge.key` (``align``'s cache is one)."""


def memo_key(model: str, sent: str) -> str:
    """The key of what ``model`` says when sent ``sent`` (a fingerprint)."""
    return hashlib.sha256(json.dumps([model, sent]).encode()).hexdigest()


class ModeJudge:
    """A judge in two steps: :meth:`ask` (the model calls) and :meth:`decide` (code).

    Given a memo (:meth:`remember`), a judge looks up what it would send before asking and
    stores what it was told: at temperature 0 the same request gets the same answer, so
    ``align``'s final run judges the rows its signals already cover without a call."""

    logprobs = False

    def __init__(self, endpoint: Endpoint, prompt: PromptFile, *,
                 retry: RetryPolicy | None = None) -> None:
        self.chat = Chat(endpoint, retry, logprobs=self.logprobs)
        self.prompt = prompt
        self.model = endpoint.model
        self.memo: Memo | None = None

    def remember(self, memo: Memo | None) -> None:
        """Look answers up in ``memo`` (and keep new ones there)."""
        self.memo = memo

    def key(self, question: str, answer: str, tools: Tools) -> str | None:
        """The memo key of what this judge sends for the row; None when it sends nothing."""
        sent = self.fingerprint(question, answer, tools)
        return None if sent is None else memo_key(self.model, sent)

    async def said(self, question: str, answer: str, tools: Tools) -> dict[str, Any]:
        """What :meth:`ask` answers for the row, from the memo when it holds it."""
        key = self.key(question, answer, tools) if self.memo is not None else None
        if key is not None and self.memo is not None and key in self.memo:
            return self.memo[key]
        value = await self.ask(question, answer, tools)
        if key is not None and self.memo is not None:
            self.memo[key] = value
        return value

    def fingerprint(self, question: str, answer: str, tools: Tools) -> str | None:
        """What :meth:`ask` sends for this row (a cache key's text); None when it asks the
        model nothing."""
        raise NotImplementedError

    async def ask(self, question: str, answer: str, tools: Tools) -> dict[str, Any]:
        """What the model said about the row (JSON-able); raises when a call still fails
        after its retries."""
        raise NotImplementedError

    def decide(self, question: str, answer: str, tools: Tools, said: Mapping[str, Any]
               ) -> Verdict:
        """The verdict made of what was said (no call)."""
        raise NotImplementedError

    async def judge(self, question: str, answer: str, tools: Tools = None) -> Verdict:
        """The verdict on one answer; never raises for a bad reply or a failed call."""
        try:
            said = await self.said(question, answer, tools)
        except Exception as error:
            return failed(error)
        return self.decide(question, answer, tools, said)

    async def aclose(self) -> None:
        await self.chat.aclose()


class Mode(Protocol):
    """One way of judging: how a version in this mode judges, and how ``align`` fits it."""

    name: str
    """The header's ``mode:`` value."""
    writes_label: bool
    """The model writes the label from the version's prompt (word, probability): such
    versions are the ones people write, which ``align`` asks about every dev row."""
    output_is_said: bool
    """A run's stored output is exactly what this mode's call said (word), so ``align`` may
    copy it from a finished experiment instead of asking again."""

    def check(self, prompt: PromptFile) -> None:
        """Raise :class:`~evaluators.errors.PromptFileError` for a template or header this
        mode cannot judge with."""
        ...

    def judge(self, endpoint: Endpoint, prompt: PromptFile, *,
              retry: RetryPolicy | None = None) -> ModeJudge: ...

    def signals(self, source: Source, said: Mapping[str, Any], row: Labeled) -> Signals:
        """What a source of this mode said about a dev row, as signals."""
        ...

    def sources(self, context: Context) -> list[Source]:
        """What this mode's candidates need asked about every dev row."""
        ...

    def candidates(self, context: Context) -> list[Candidate]: ...


def as_feature(label: str | None, probability: float | None) -> float:
    """P(helpful) when known, else what the written label says (1, 0, or 0.5 unread)."""
    if probability is not None:
        return probability
    return {HELPFUL: 1.0, NOT_HELPFUL: 0.0}.get(label or "", 0.5)


def fingerprint(*parts: Any) -> str:
    """Parts of a request as one text (a cache key's source)."""
    return json.dumps(parts, sort_keys=True, ensure_ascii=False)
