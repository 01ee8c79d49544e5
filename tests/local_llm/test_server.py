"""The offline default LLM: weights checks, start-up errors, and the real model through the
``openai`` SDK (tests marked ``llm`` load the 1.5B model once per session; each call costs
about one to five seconds on two cores)."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from local_llm import weights
from pipeline import stack
from pipeline.settings import ROOT, Settings
from pipeline.stack.model_server import LLM_PYTHON
from pipeline.stack.service import ServiceError
from tests.conftest import free_port, fresh_settings
from tests.support.stack import run_cli

pytestmark = pytest.mark.server  # starts its own servers

WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather",
    "description": "Get the current weather for a city.",
    "parameters": {"type": "object", "properties": {
        "location": {"type": "string", "description": "City name, e.g. Paris"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
    }, "required": ["location"]},
}}
PARIS_QUESTION = "What's the weather in Paris in Fahrenheit?"
JUDGE_PROMPT = (
    "You grade the answers of a weather assistant. Decide whether the answer is helpful to "
    "the person who asked.\nReply with exactly one word: helpful or not_helpful.\n\n"
    "Question:\n{question}\n\nAnswer:\n{answer}"
)


# --- weights and start-up: no model needed ----------------------------------------------------

def fake_model(tmp_path: Path, size: int = 4096) -> tuple[weights.ModelSpec, Path]:
    """A small file in the cache layout and a ModelSpec that describes it."""
    data = os.urandom(size)
    spec = weights.ModelSpec(name="fake", filename="fake.gguf", package="fake-part{n}",
                             version="0", member="fake/{n}.bin", parts=1, size=size,
                             sha256=hashlib.sha256(data).hexdigest())
    path = tmp_path / "models" / spec.filename
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    return spec, path


def forbid_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("a verified model must not be downloaded again")

    monkeypatch.setattr(weights, "_download_wheels", refuse)


def test_a_verified_model_is_neither_downloaded_nor_hashed_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec, path = fake_model(tmp_path)
    forbid_downloads(monkeypatch)
    assert weights.fetch(spec, directory=tmp_path) == path  # hashes once, leaves the marker

    def no_hashing(_: Path) -> str:
        raise AssertionError("the marker should spare re-hashing an unchanged file")

    monkeypatch.setattr(weights, "sha256_of", no_hashing)
    assert weights.fetch(spec, directory=tmp_path) == path


def test_a_corrupted_model_file_is_caught_by_its_hash(tmp_path: Path) -> None:
    spec, path = fake_model(tmp_path)
    weights.verify(path, spec)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, one byte flipped
    path.write_bytes(bytes(data))

    with pytest.raises(weights.WeightsError) as caught:
        weights.verify(path, spec)

    message = str(caught.value)
    assert "sha256" in message and "corrupt" in message and "make llm" in message
    assert "\n" not in message


def test_a_truncated_model_file_is_caught(tmp_path: Path) -> None:
    spec, path = fake_model(tmp_path)
    path.write_bytes(path.read_bytes()[:1000])

    with pytest.raises(weights.WeightsError, match=r"1000 bytes, expected 4096: it is truncated"):
        weights.verify(path, spec)


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        yield squatter.getsockname()[1]


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_a_taken_port_is_one_clear_line_from_the_cli(tmp_path: Path, taken_port: int) -> None:
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"not a model")
    env = {**os.environ, "JUDGE_ALIGN_RUN_DIR": str(tmp_path), "LOCAL_MODEL_PATH": str(fake),
           "LOCAL_LLM_PORT": str(taken_port)}

    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "llm"], env=env,
                            capture_output=True, text=True, timeout=60)

    assert result.returncode == 1
    line = one_line(result.stderr)
    assert f"port {taken_port}" in line and "taken" in line and "LOCAL_LLM_PORT" in line


def run_server(*args: str) -> subprocess.CompletedProcess:
    if not LLM_PYTHON.exists():
        pytest.fail("the local model runtime is missing: run `make llm` (or `make test`)")
    return subprocess.run([str(LLM_PYTHON), "-m", "local_llm.server", *args],
                          env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=60)


def test_the_server_refuses_a_taken_port_before_loading_the_model(
        tmp_path: Path, taken_port: int) -> None:
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"not a model")  # would fail to load: the port is checked first

    result = run_server("--model", str(fake), "--port", str(taken_port))

    assert result.returncode == 1
    line = one_line(result.stderr)
    assert f"127.0.0.1:{taken_port}" in line and "taken" in line


def test_the_server_says_when_a_file_is_not_a_model(tmp_path: Path) -> None:
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"not a model")

    result = run_server("--model", str(fake), "--port", str(free_port()))

    assert result.returncode == 1
    assert "is it a GGUF model file?" in result.stderr.strip().splitlines()[-1]


# --- the real model -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(local_llm: Settings) -> openai.OpenAI:
    return openai.OpenAI(base_url=local_llm.llm_base_url, api_key=local_llm.llm_api_key,
                         max_retries=0, timeout=120)


def ask(client: openai.OpenAI, settings: Settings, messages: list, **options: object) -> object:
    return client.chat.completions.create(model=settings.agent_model_name, messages=messages,
                                          **options)


@pytest.mark.llm
def test_paris_question_yields_a_get_weather_call_then_an_answer(
        client: openai.OpenAI, local_llm: Settings) -> None:
    question = [{"role": "user", "content": PARIS_QUESTION}]

    reply = ask(client, local_llm, question, tools=[WEATHER_TOOL], temperature=0)

    choice = reply.choices[0]
    assert choice.finish_reason == "tool_calls", choice.message.content
    call = choice.message.tool_calls[0]
    arguments = json.loads(call.function.arguments)
    assert call.function.name == "get_weather"
    assert "paris" in arguments["location"].casefold()
    assert arguments.get("unit") == "fahrenheit"

    # The tool's result, with tools still offered: an answer, not the same call again.
    result = {"location": "Paris", "temperature": 68, "unit": "fahrenheit", "sky": "sunny"}
    history = [*question, {"role": "assistant", "content": None,
                           "tool_calls": [call.model_dump()]},
               {"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)}]
    final = ask(client, local_llm, history, tools=[WEATHER_TOOL], temperature=0)

    assert final.choices[0].message.tool_calls is None
    assert final.choices[0].finish_reason == "stop"
    assert "68" in final.choices[0].message.content


@pytest.mark.llm
def test_a_named_tool_choice_forces_that_call(client: openai.OpenAI,
                                              local_llm: Settings) -> None:
    forced = {"type": "function", "function": {"name": "get_weather"}}

    reply = ask(client, local_llm, [{"role": "user", "content": "Is it cold in Oslo?"}],
                tools=[WEATHER_TOOL], tool_choice=forced, temperature=0)

    call = reply.choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather"
    assert "oslo" in json.loads(call.function.arguments)["location"].casefold()


@pytest.mark.llm
def test_a_judge_prompt_yields_a_label_with_logprobs(client: openai.OpenAI,
                                                     local_llm: Settings) -> None:
    prompt = JUDGE_PROMPT.format(question=PARIS_QUESTION, answer="It is 68°F and sunny.")

    reply = ask(client, local_llm, [{"role": "user", "content": prompt}], temperature=0,
                max_tokens=5, logprobs=True, top_logprobs=3)

    choice = reply.choices[0]
    assert choice.message.content.strip() in {"helpful", "not_helpful"}
    tokens = choice.logprobs.content
    assert "".join(token.token for token in tokens) == choice.message.content
    for token in tokens:
        assert token.logprob <= 0
        assert len(token.top_logprobs) == 3
        ranked = [alternative.logprob for alternative in token.top_logprobs]
        assert ranked == sorted(ranked, reverse=True)
        assert token.top_logprobs[0].token == token.token  # temperature 0 picks the top one
    assert reply.usage.prompt_tokens > 0
    assert reply.usage.completion_tokens == len(tokens)


@pytest.mark.llm
def test_the_shared_prompt_prefix_is_reused(client: openai.OpenAI, local_llm: Settings) -> None:
    def judge(answer: str) -> object:
        prompt = JUDGE_PROMPT.format(question=PARIS_QUESTION, answer=answer)
        return ask(client, local_llm, [{"role": "user", "content": prompt}], temperature=0,
                   max_tokens=1)

    judge("Sunny.")
    second = judge("I do not know.")

    # Only the differing answer and the template's closing tokens are evaluated again.
    assert second.usage.prompt_tokens_details.cached_tokens >= second.usage.prompt_tokens - 12


@pytest.mark.llm
def test_response_format_json_schema_is_enforced(client: openai.OpenAI,
                                                 local_llm: Settings) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"},
                                               "warm": {"type": "boolean"}},
              "required": ["city", "warm"]}

    reply = ask(client, local_llm, [{"role": "user", "content": "Is Cairo warm? Answer in JSON."}],
                temperature=0, max_tokens=40,
                response_format={"type": "json_schema",
                                 "json_schema": {"name": "city", "schema": schema}})

    value = json.loads(reply.choices[0].message.content)
    assert set(value) == {"city", "warm"} and isinstance(value["warm"], bool)


@pytest.mark.llm
def test_bad_requests_get_openai_style_errors(client: openai.OpenAI,
                                              local_llm: Settings) -> None:
    cases = [
        ({"messages": [{"role": "robot", "content": "hi"}]}, "messages[0].role"),
        ({"messages": [{"role": "user", "content": "hi"}], "n": 2}, "n"),
        ({"messages": [{"role": "user", "content": "hi"}], "tools": [WEATHER_TOOL],
          "tool_choice": {"type": "function", "function": {"name": "nope"}}}, "tool_choice"),
        ({"messages": [{"role": "user", "content": "word " * 5000}]}, "messages"),
    ]
    for options, param in cases:
        with pytest.raises(openai.BadRequestError) as caught:
            client.chat.completions.create(model=local_llm.agent_model_name, **options)
        error = caught.value.body
        assert error["type"] == "invalid_request_error" and error["param"] == param, error
        assert error["message"]

    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    assert caught.value.body["code"] == "model_not_found"

    url = f"{local_llm.llm_base_url}/chat/completions"
    garbage = httpx.post(url, content=b"{nope", headers={"Content-Type": "application/json"})
    assert garbage.status_code == 400
    assert set(garbage.json()["error"]) == {"message", "type", "param", "code"}
    hello = json.dumps({"model": local_llm.agent_model_name,
                        "messages": [{"role": "user", "content": "hi"}]})
    form = httpx.post(url, content=hello, headers={"Content-Type": "text/plain"})
    assert form.status_code == 415 and form.json()["error"]["code"] == "unsupported_media_type"
    missing = httpx.get(f"{local_llm.llm_base_url}/nowhere")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


@pytest.mark.llm
def test_concurrent_clients_queue_instead_of_failing(client: openai.OpenAI,
                                                     local_llm: Settings) -> None:
    replies: list[str] = []
    errors: list[BaseException] = []

    def one(city: str) -> None:
        try:
            reply = ask(client, local_llm, [{"role": "user", "content": f"Spell {city}"}],
                        max_tokens=2, temperature=0)
            replies.append(reply.choices[0].message.content)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=one, args=(city,)) for city in ("Rome", "Oslo", "Lima")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(replies) == 3


@pytest.mark.llm
def test_a_client_that_disconnects_stops_its_generation(client: openai.OpenAI,
                                                        local_llm: Settings) -> None:
    long_job = {"model": local_llm.agent_model_name, "temperature": 0, "max_tokens": 1500,
                "messages": [{"role": "user", "content": "Count from 1 to 1000, one number "
                                                         "a line, nothing else."}]}
    with pytest.raises(httpx.ReadTimeout):  # gives up after 3 s and closes the connection
        httpx.post(f"{local_llm.llm_base_url}/chat/completions", json=long_job,
                   timeout=httpx.Timeout(60, read=3))

    started = time.monotonic()
    ask(client, local_llm, [{"role": "user", "content": "Say hi."}], max_tokens=2,
        temperature=0)

    # 1500 tokens take a minute or more here: the abandoned generation was stopped early.
    assert time.monotonic() - started < 30
    log = stack.llm_service(local_llm, Path()).log_file.read_text()
    assert "chat.completion cancelled: the client went away after" in log


@pytest.mark.llm
def test_stream_true_sends_the_reply_as_chunks(client: openai.OpenAI,
                                               local_llm: Settings) -> None:
    stream = ask(client, local_llm, [{"role": "user", "content": "Say hello."}], max_tokens=4,
                 temperature=0, stream=True, stream_options={"include_usage": True})

    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text
    assert chunks[-1].usage.completion_tokens == 4


@pytest.mark.llm
def test_models_and_health_endpoints(local_llm: Settings) -> None:
    models = httpx.get(f"{local_llm.llm_base_url}/models").json()
    assert [m["id"] for m in models["data"]] == [local_llm.agent_model_name]
    service = stack.llm_service(local_llm, Path())
    assert service.healthy()


@pytest.mark.llm
def test_starting_again_downloads_nothing_and_says_already_running(
        local_llm: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_downloads(monkeypatch)
    line = stack.start_llm(local_llm)  # what `make llm` runs the second time
    assert "already running" in line


def test_a_taken_port_is_one_clear_line_from_the_service(tmp_path: Path,
                                                         taken_port: int) -> None:
    settings = fresh_settings(tmp_path, local_llm_port=taken_port)
    with pytest.raises(ServiceError, match=f"port {taken_port} .* taken .*LOCAL_LLM_PORT"):
        stack.llm_service(settings, tmp_path / "any.gguf").start()


@pytest.mark.llm
def test_up_without_a_key_starts_phoenix_then_the_model_and_down_stops_both(
        tmp_path: Path) -> None:
    settings = fresh_settings(tmp_path)
    port = {"LOCAL_LLM_PORT": str(settings.local_llm_port)}

    started = run_cli(["up"], settings, **port)

    try:
        assert started.returncode == 0, started.stderr
        lines = started.stdout.splitlines()
        assert lines[0].startswith("phoenix started") and lines[1].startswith("llm started")
        assert stack.llm_service(settings, Path()).healthy()
    finally:
        stopped = run_cli(["down"], settings, **port)
    assert stopped.returncode == 0, stopped.stderr
    assert [line.split()[:2] for line in stopped.stdout.splitlines()] == [
        ["llm", "stopped"], ["phoenix", "stopped"]]
    for port_number in (settings.local_llm_port, settings.phoenix_port):
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port_number)) != 0
