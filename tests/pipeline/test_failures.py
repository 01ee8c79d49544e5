"""Failures become one line that says what to do, matched by class: HTTP trouble toward
Phoenix or the model, bad addresses, and our own errors; a bug keeps its traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from agent_demo.errors import AgentDemoError
from evaluators.errors import EndpointError, PromptFileError
from pipeline.errors import UserError
from pipeline.failures import one_line
from pipeline.settings import ROOT
from pipeline.stack.service import ServiceError

REQUEST = httpx.Request("GET", "http://127.0.0.1:6006/v1/datasets")


@pytest.mark.parametrize("error", [UserError("u"), ServiceError("s"), EndpointError("e"),
                                   PromptFileError("p"), AgentDemoError("a")])
def test_our_own_errors_carry_their_message(error: Exception) -> None:
    assert one_line(error) == str(error)


@pytest.mark.parametrize(("error", "words"), [
    (httpx.ConnectError("refused", request=REQUEST), ["http://127.0.0.1:6006", "make up"]),
    (httpx.RemoteProtocolError("dropped", request=REQUEST), ["lost the connection", "re-run"]),
    (httpx.ReadTimeout("slow", request=REQUEST), ["did not answer in time", "re-run"]),
    (httpx.HTTPStatusError("boom", request=REQUEST,
                           response=httpx.Response(503, request=REQUEST)),
     ["HTTP 503", "/v1/datasets", "make logs"]),
    (httpx.InvalidURL("Invalid port"), ["invalid server address", "PHOENIX_BASE_URL"]),
])
def test_http_failures_say_where_and_what_to_do(error: Exception, words: list[str]) -> None:
    line = one_line(error)
    assert line is not None and "\n" not in line
    for word in words:
        assert word in line


def test_a_bug_is_not_hidden() -> None:
    assert one_line(KeyError("x")) is None


def test_a_malformed_phoenix_address_is_one_line_from_the_cli() -> None:
    env = {**os.environ, "PHOENIX_BASE_URL": "http://[::1"}
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "compare"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "invalid server address" in done.stderr, done.stderr
