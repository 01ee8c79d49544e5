"""Exceptions as one line that says what to do: the table the CLI's ``main`` reads.

Matched by class, never by name. Errors of our own (``UserError``, ``ServiceError``, the
evaluators', the agent's and the model weights') already carry their message. HTTP failures
toward Phoenix or the model endpoint (refused, dropped or timed-out connections, 5xx, bad
URLs) are described with the address they went to and what to check.
"""

from __future__ import annotations

import httpx


def _ours() -> tuple[type[BaseException], ...]:
    from agent_demo.errors import AgentDemoError
    from evaluators.errors import EvaluatorError
    from local_llm.weights import WeightsError
    from pipeline.errors import UserError
    from pipeline.stack.service import ServiceError

    return UserError, ServiceError, EvaluatorError, AgentDemoError, WeightsError


def _where(request: httpx.Request | None) -> str:
    if request is None:
        return "the server"
    return f"{request.url.scheme}://{request.url.host}:{request.url.port}"


def _http(error: httpx.HTTPError) -> str:
    try:
        request = error.request
    except RuntimeError:  # an error raised before any request was made
        request = None
    where = _where(request)
    if isinstance(error, httpx.HTTPStatusError):
        status = error.response.status_code
        what = f"{where} answered HTTP {status} to {request.method} {request.url.path}"
        if status >= 500:
            return (f"{what}: the server failed; check its log (`make logs`), then re-run "
                    "the same command (what was saved is kept)")
        return f"{what}: {error.response.text[:200].strip() or 'no detail'}"
    if isinstance(error, httpx.TimeoutException):
        return (f"{where} did not answer in time ({type(error).__name__}): it may be busy or "
                "stuck; check `make status` and re-run the same command (what was saved is "
                "kept)")
    if isinstance(error, httpx.UnsupportedProtocol):
        return _bad_address(error)
    return (f"lost the connection to {where} ({type(error).__name__}: {error}): is it "
            "running? Start it with `make up`, then re-run the same command (what was saved "
            "is kept)")


def _bad_address(error: Exception) -> str:
    return (f"invalid server address ({error}): fix PHOENIX_BASE_URL (or PHOENIX_HOST / "
            "PHOENIX_PORT) or OPENAI_BASE_URL")


def _openai(error: Exception) -> str | None:
    import openai

    if isinstance(error, openai.APIConnectionError):
        return (f"cannot reach the model endpoint ({error}): start the local model with "
                "`make up`, or check OPENAI_BASE_URL")
    if isinstance(error, openai.APIStatusError):
        return (f"the model endpoint answered HTTP {error.status_code}: {error.message}: check "
                "OPENAI_API_KEY, the model name (JUDGE_MODEL / AGENT_MODEL) and the endpoint")
    return None


def one_line(error: BaseException) -> str | None:
    """The line to print for ``error``, or None when it is a bug (let it show its
    traceback)."""
    if isinstance(error, _ours()):
        return str(error)
    if isinstance(error, httpx.HTTPError):
        return _http(error)
    if isinstance(error, httpx.InvalidURL):
        return _bad_address(error)
    if isinstance(error, Exception) and (line := _openai(error)) is not None:
        return line
    if isinstance(error, ConnectionError):
        return f"{error}: is Phoenix running? Start it with `make up`"
    return None
