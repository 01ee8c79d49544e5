"""The judge: one prompt version, one model, one call per row.

It never raises on a bad reply or a failed call: an unreadable reply is the outcome
``invalid``, a call still failing after its retries (:mod:`evaluators.chat`) the outcome
``error`` with the error's text. The verdict carries P(helpful) from the label token's
log-probabilities when the endpoint returns them; a prompt version in ``probability`` mode
decides by that probability against its threshold instead of by the word written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from evaluators.chat import Chat, RetryPolicy
from evaluators.checklist import ChecklistJudge
from evaluators.endpoint import Endpoint
from evaluators.evidence import ToolCall
from evaluators.labels import HELPFUL, INVALID, NOT_HELPFUL
from evaluators.prompt_files import CHECKLIST, PROBABILITY, PromptFile
from evaluators.reply import REASON_CHARS, helpful_probability, parse_reply
from evaluators.verdict import Verdict, failed

MAX_TOKENS = 60


class RowJudge(Protocol):
    """Anything that judges rows: the prompt judge or the checklist judge."""

    model: str
    prompt: PromptFile

    async def judge(self, question: str, answer: str,
                    tools: Sequence[ToolCall] | None = None) -> Verdict: ...

    async def aclose(self) -> None: ...


class Judge:
    """Judge rows with one prompt version (``word`` or ``probability`` mode)."""

    def __init__(self, endpoint: Endpoint, prompt: PromptFile, *,
                 retry: RetryPolicy | None = None, logprobs: bool = True) -> None:
        self.chat = Chat(endpoint, retry, logprobs=logprobs)
        self.prompt = prompt
        self.model = endpoint.model

    async def judge(self, question: str, answer: str,
                    tools: Sequence[ToolCall] | None = None) -> Verdict:
        """The verdict on one answer; never raises for a bad reply or a failed call."""
        try:
            response = await self.chat.complete(self.prompt.render(question, answer, tools),
                                                max_tokens=MAX_TOKENS, logprobs=True)
        except Exception as error:
            return failed(error)
        choice = response.choices[0]
        raw = getattr(choice.message, "content", None) or ""
        label, reason = parse_reply(raw)
        probability = helpful_probability(getattr(choice, "logprobs", None))
        if self.prompt.mode == PROBABILITY and probability is not None:
            label = HELPFUL if probability >= self.prompt.threshold else NOT_HELPFUL
        elif label == INVALID:
            probability = None
        return Verdict(label=label, reason=reason, probability=probability,
                       raw=raw[:REASON_CHARS * 2])

    async def aclose(self) -> None:
        await self.chat.aclose()


def make_judge(endpoint: Endpoint, prompt: PromptFile, *,
               retry: RetryPolicy | None = None) -> RowJudge:
    """The judge a prompt version asks for: a checklist, or a prompt judge."""
    if prompt.mode == CHECKLIST:
        return ChecklistJudge(endpoint, prompt, retry=retry)
    return Judge(endpoint, prompt, retry=retry)
