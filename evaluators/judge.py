"""The judge: one prompt version, one model, one call per (question, answer).

The call goes through the ``openai`` SDK, so it runs unchanged on OpenAI, the local default
model or any compatible endpoint. It never raises on a bad reply or a failed call:

- the reply is parsed leniently (case, spaces, quotes, punctuation, markdown, a ``Label:``
  prefix, a JSON object); anything else becomes the outcome ``invalid``;
- rate limits (429), server errors (5xx), timeouts, connection errors (refused, reset) and
  garbage bodies (not JSON, or JSON without ``choices``) are retried with exponential
  backoff, a bounded number of times; a call still failing after that, or any other API
  error, becomes the outcome ``error`` with the error's text.

When the endpoint returns token log-probabilities, the probability of the label's first token
(the one that decides helpful vs not) is kept as a confidence for later use.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from evaluators.endpoint import Endpoint
from evaluators.labels import ERROR, INVALID, normalize_label
from evaluators.prompt_files import PromptFile

if TYPE_CHECKING:
    from openai import AsyncOpenAI

TEMPERATURE = 0.0
MAX_TOKENS = 60
REASON_CHARS = 300
OUTPUT_DIGITS = 3
"""Places the stored probability is rounded to (a person reads it, no one needs 16 digits)."""
TRANSIENT_STATUSES = frozenset({408, 409, 429})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one judge call: ``attempts`` in all, waits doubling from
    ``first_wait`` up to ``max_wait`` seconds (with jitter); ``timeout`` per attempt.

    The timeout is long on purpose: the local model server answers one request at a time,
    so with several calls in flight a request may wait minutes for its turn on a busy CPU,
    and giving up on it would only queue it again."""

    attempts: int = 5
    first_wait: float = 1.0
    max_wait: float = 30.0
    timeout: float = 600.0


@dataclass(frozen=True)
class Verdict:
    """The judge's outcome for one row."""

    label: str
    reason: str = ""
    raw: str = ""
    label_probability: float | None = None
    error: str | None = None

    def as_output(self) -> dict[str, Any]:
        """The JSON stored as the experiment run's output, readable at a glance: the label,
        the reason and the label's probability to three places; the raw reply only when it
        could not be read (``invalid``), the error only when the call failed."""
        output: dict[str, Any] = {"label": self.label}
        if self.reason:
            output["reason"] = self.reason
        if self.label_probability is not None:
            output["label_probability"] = round(self.label_probability, OUTPUT_DIGITS)
        if self.label == INVALID and self.raw:
            output["raw"] = self.raw
        if self.error is not None:
            output["error"] = self.error
        return output


# --- parsing ----------------------------------------------------------------------------------

# Markdown, quotes (straight and curly), bullets and dashes around the label.
_QUOTES = "\"'`\u201c\u201d\u2018\u2019"
_LEADING_NOISE = " \t*_#>-\u2022:.([" + _QUOTES
_TRAILING_NOISE = " \t*_.:,;!-\u2013\u2014)]" + _QUOTES
_PREFIX = re.compile(r"^(?:final\s+)?(?:label|verdict|answer|judg(?:e)?ment|grade|"
                     r"classification|rating|result)\s*[:=\-]\s*", re.IGNORECASE)
_LABEL = re.compile(r"^(not[\s_\-]*helpful|unhelpful|helpful)(?![A-Za-z])", re.IGNORECASE)
_ECHOED_CHOICES = re.compile(r"^\s*(?:/|\||,|or\b)\s*[\"'`*]*\s*(?:not[\s_\-]*helpful|"
                             r"unhelpful|helpful)", re.IGNORECASE)
_REASON_PREFIX = re.compile(r"^(?:reason|because|explanation|why)\s*[:\-]\s*", re.IGNORECASE)
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "…"


def _parse_json(text: str) -> tuple[str, str] | None:
    body = _FENCE.sub("", text.strip())
    if not body.startswith("{"):
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    label = normalize_label(data.get("label", data.get("verdict")))
    reason = data.get("reason", data.get("explanation", ""))
    return (label, _clip(str(reason))) if label else None


def parse_reply(text: str | None) -> tuple[str, str]:
    """``(label, reason)`` from a judge reply; label ``invalid`` when none can be read.

    The label must come first (after optional markdown, quotes or a ``Label:`` prefix);
    the reason is the rest of that line and the lines after it. A reply that merely echoes
    the choices (``helpful or not_helpful``) is invalid.
    """
    if not text or not text.strip():
        return INVALID, ""
    if (from_json := _parse_json(text)) is not None:
        return from_json
    lines = [line for line in text.strip().splitlines() if line.strip()]
    first = _PREFIX.sub("", lines[0].strip().lstrip(_LEADING_NOISE)).lstrip(_LEADING_NOISE)
    match = _LABEL.match(first)
    if match is None or _ECHOED_CHOICES.match(first[match.end():]):
        return INVALID, _clip(text)
    label = normalize_label(match.group(1))
    assert label is not None  # the pattern only matches the two labels
    rest = [first[match.end():].lstrip(_TRAILING_NOISE), *lines[1:]]
    reason = " ".join(filter(None, (_reason_part(part) for part in rest)))
    return label, _clip(reason)


def _reason_part(line: str) -> str:
    line = _REASON_PREFIX.sub("", line.strip().lstrip(_LEADING_NOISE)).lstrip(_LEADING_NOISE)
    return line.rstrip(" *_`")


def label_token_probability(logprobs: Any) -> float | None:
    """The probability of the first token that carries a letter (the label's first token)."""
    tokens = getattr(logprobs, "content", None) or []
    for token in tokens:
        if re.search(r"[A-Za-z]", getattr(token, "token", "") or ""):
            logprob = getattr(token, "logprob", None)
            return math.exp(logprob) if isinstance(logprob, int | float) else None
    return None


# --- the call ---------------------------------------------------------------------------------

class GarbageReply(ValueError):
    """The endpoint answered 200 with a body that is no chat completion."""


def is_transient(error: BaseException) -> bool:
    """Worth retrying: rate limits, server errors, timeouts, connection failures, garbage."""
    import openai

    if isinstance(error, openai.APIConnectionError | openai.APITimeoutError | GarbageReply
                  | json.JSONDecodeError):
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code >= 500 or error.status_code in TRANSIENT_STATUSES
    return False


def _mentions_logprobs(error: BaseException) -> bool:
    import openai

    return isinstance(error, openai.BadRequestError) and "logprob" in str(error).lower()


class Judge:
    """Judge (question, answer) pairs with one prompt version and one model."""

    def __init__(self, endpoint: Endpoint, prompt: PromptFile, *,
                 retry: RetryPolicy | None = None, logprobs: bool = True) -> None:
        self.endpoint = endpoint
        self.prompt = prompt
        self.model = endpoint.model
        self.retry = retry or RetryPolicy()
        self.logprobs = logprobs
        self._client: AsyncOpenAI | None = None

    def _openai(self) -> AsyncOpenAI:
        if self._client is None:
            from openai import AsyncOpenAI

            self._client = AsyncOpenAI(base_url=self.endpoint.base_url,
                                       api_key=self.endpoint.api_key,
                                       timeout=self.retry.timeout, max_retries=0)
        return self._client

    async def _complete(self, content: str) -> Any:
        request: dict[str, Any] = {
            "model": self.model, "messages": [{"role": "user", "content": content}],
            "temperature": TEMPERATURE, "max_tokens": MAX_TOKENS,
        }
        if self.logprobs:
            request["logprobs"] = True
        try:
            response = await self._openai().chat.completions.create(**request)
        except Exception as error:
            if not (self.logprobs and _mentions_logprobs(error)):
                raise
            self.logprobs = False  # this endpoint refuses them: stop asking
            request.pop("logprobs")
            response = await self._openai().chat.completions.create(**request)
        if not getattr(response, "choices", None):
            raise GarbageReply("the reply had no choices")
        return response

    async def _complete_with_retries(self, content: str) -> Any:
        from tenacity import (
            AsyncRetrying,
            retry_if_exception,
            stop_after_attempt,
            wait_exponential,
            wait_random,
        )

        async for attempt in AsyncRetrying(
                stop=stop_after_attempt(max(1, self.retry.attempts)),
                wait=wait_exponential(multiplier=self.retry.first_wait, max=self.retry.max_wait)
                + wait_random(0, self.retry.first_wait / 2),
                retry=retry_if_exception(is_transient), reraise=True):
            with attempt:
                return await self._complete(content)
        raise AssertionError("unreachable: tenacity either returns or re-raises")

    async def judge(self, question: str, answer: str) -> Verdict:
        """The verdict on one answer; never raises for a bad reply or a failed call."""
        try:
            response = await self._complete_with_retries(self.prompt.render(question, answer))
        except Exception as error:
            return Verdict(label=ERROR, error=f"{type(error).__name__}: {error}"[:REASON_CHARS])
        choice = response.choices[0]
        raw = getattr(choice.message, "content", None) or ""
        label, reason = parse_reply(raw)
        probability = (label_token_probability(getattr(choice, "logprobs", None))
                       if label != INVALID else None)
        return Verdict(label=label, reason=reason, raw=raw[:REASON_CHARS * 2],
                       label_probability=probability)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
