"""One OpenAI-compatible chat endpoint, called with retries: the judge's and the checklist's
calls go through it, so they run unchanged on OpenAI, the local default model or any
compatible server.

Rate limits (429), server errors (5xx), timeouts, connection errors (refused, reset) and
garbage bodies (not JSON, or JSON without ``choices``) are retried with exponential backoff,
a bounded number of times; the last error is raised for the caller to turn into a row's
``error`` outcome.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from evaluators.endpoint import Endpoint

if TYPE_CHECKING:
    from openai import AsyncOpenAI

TEMPERATURE = 0.0
TRANSIENT_STATUSES = frozenset({408, 409, 429})
TOP_LOGPROBS = 5


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one call: ``attempts`` in all, waits doubling from ``first_wait`` up
    to ``max_wait`` seconds (with jitter); ``timeout`` per attempt.

    The timeout is long on purpose: the local model server answers one request at a time,
    so with several calls in flight a request may wait minutes for its turn on a busy CPU,
    and giving up on it would only queue it again."""

    attempts: int = 5
    first_wait: float = 1.0
    max_wait: float = 30.0
    timeout: float = 600.0


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


class Chat:
    """Chat completions on one endpoint and model, retried per :class:`RetryPolicy`.

    Log-probabilities are asked for while the endpoint accepts them; one that refuses them
    is not asked again."""

    def __init__(self, endpoint: Endpoint, retry: RetryPolicy | None = None,
                 logprobs: bool = True) -> None:
        self.endpoint = endpoint
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

    async def _once(self, request: dict[str, Any]) -> Any:
        if self.logprobs and request.pop("want_logprobs", False):
            request.update(logprobs=True, top_logprobs=TOP_LOGPROBS)
        request.pop("want_logprobs", None)
        try:
            response = await self._openai().chat.completions.create(**request)
        except Exception as error:
            if not (request.get("logprobs") and _mentions_logprobs(error)):
                raise
            self.logprobs = False  # this endpoint refuses them: stop asking
            request.pop("logprobs")
            request.pop("top_logprobs", None)
            response = await self._openai().chat.completions.create(**request)
        if not getattr(response, "choices", None):
            raise GarbageReply("the reply had no choices")
        return response

    async def complete(self, content: str, *, max_tokens: int, logprobs: bool = False,
                       response_format: dict[str, Any] | None = None) -> Any:
        """One user message in, the completion out (after retries); raises the last error."""
        from tenacity import (
            AsyncRetrying,
            retry_if_exception,
            stop_after_attempt,
            wait_exponential,
            wait_random,
        )

        request: dict[str, Any] = {
            "model": self.model, "messages": [{"role": "user", "content": content}],
            "temperature": TEMPERATURE, "max_tokens": max_tokens, "want_logprobs": logprobs}
        if response_format is not None:
            request["response_format"] = response_format
        async for attempt in AsyncRetrying(
                stop=stop_after_attempt(max(1, self.retry.attempts)),
                wait=wait_exponential(multiplier=self.retry.first_wait, max=self.retry.max_wait)
                + wait_random(0, self.retry.first_wait / 2),
                retry=retry_if_exception(is_transient), reraise=True):
            with attempt:
                return await self._once(dict(request))
        raise AssertionError("unreachable: tenacity either returns or re-raises")

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
