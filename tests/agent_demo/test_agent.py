"""The demo agent (issue 4): traces in a real Phoenix, the workflow, its guard and variants,
resilience, no secrets, the tools, and the pure helpers of the workflow."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openai import OpenAI
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from phoenix.client import Client
from phoenix.otel import SimpleSpanProcessor, TracerProvider
from rich.console import Console

from agent_demo import cues, places, weather
from agent_demo.agent import AGENT_SPAN_NAME, AgentResult, WeatherAgent, needed, tool_plan
from agent_demo.errors import AgentDemoError
from agent_demo.facts import Lookup, comparison_lines, render, render_all
from agent_demo.prompts import NO_PLACE, STRICTER, SYSTEM_PROMPT, WORDS, answer_brief
from agent_demo.questions import Question, load_questions, parse_questions, sample_questions
from agent_demo.replies import left_out, markup_in, trim_to_sentence, without_repeats
from agent_demo.request import (
    EXTRACTION_SCHEMA,
    Extraction,
    Request,
    build_request,
    parse_extraction,
)
from agent_demo.tools import run_tool
from agent_demo.variants import COPY_UNITS, GUESSES, VARIANTS, get_variant
from pipeline.settings import ROOT, Settings
from tests.conftest import free_port, fresh_settings, scripted_settings
from tests.support.agent import run_agent_for, show_summary
from tests.support.stack import base_url

DAY = dt.date(2026, 3, 14)
FAIL_MARKER = "[scripted-500]"
SECRET = "sk-judge-align-SECRET-7f3a9c1e"
CATEGORIES = {"weather_only", "weather_and_planning", "analysis_and_planning", "compare_cities",
              "vague_intent", "activity_constraints", "explicit_units", "unknown_place"}
MARKUP = ('<tools>\n  <function name="get_weather" arguments=\'{"location": "Oslo"}\'/>\n'
          "</tools>")


# --- the scripted model ------------------------------------------------------------------------

def place_in(question: str) -> str | None:
    """What the scripted model reads as the place: a known city, else a capitalized name."""
    for city in places.cities():
        if re.search(rf"\b{re.escape(city.name)}\b", question, re.IGNORECASE):
            return city.name
    match = re.search(r"\b(?:in|for) ([A-Z][\w'-]+(?: [A-Z][\w'-]+)?)", question)
    return match.group(1) if match else None


def user_text(request: dict[str, Any]) -> str:
    return next(m["content"] for m in request["messages"] if m["role"] == "user")


def is_extraction(request: dict[str, Any]) -> bool:
    return (request.get("response_format") or {}).get("type") == "json_schema"


def asked(request: dict[str, Any]) -> str:
    """The user's question inside an extraction or a writer request."""
    text = user_text(request)
    if is_extraction(request):
        return text.rsplit("Request: ", 1)[1]
    return text.split("\n\n", 1)[0].removeprefix("Question: ")


def extraction(request: dict[str, Any]) -> dict[str, Any]:
    """The scripted reading of a question: its place and task."""
    question = asked(request)
    place = place_in(question)
    task = "plan" if re.search(r"\bplan\b", question, re.IGNORECASE) else "weather"
    return {"content": json.dumps({"places": [place] if place else [], "task": task,
                                   "preferences": ""})}


def written_data(request: dict[str, Any]) -> str:
    """The weather results the writer was given ('' when none)."""
    text = user_text(request)
    marker = "Weather service results:\n"
    if marker not in text:
        return ""
    return text.split(marker, 1)[1].rsplit("\n\nWrite the answer.", 1)[0]


def workflow_script(writer: Callable[[dict[str, Any]], dict[str, Any]] | None = None
                    ) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A scripted model for the workflow: extraction as above, the writer ``writer``."""
    def reply(request: dict[str, Any]) -> dict[str, Any]:
        if FAIL_MARKER in user_text(request):
            return {"status": 500}
        if is_extraction(request):
            return extraction(request)
        if writer is not None:
            return writer(request)
        data = written_data(request).split("\n")[0]
        return {"content": f"Scripted answer to {asked(request)!r}: {data or 'no data'}. "
                           "Morning, afternoon and evening."}
    return reply


weather_script = workflow_script()


# --- helpers -----------------------------------------------------------------------------------

def quiet_console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=200, force_terminal=False), out


def project_settings(phoenix: Settings, server: Any, **changes: Any) -> Settings:
    settings = scripted_settings(phoenix, server)
    return dataclasses.replace(settings, project=f"agent-test-{uuid.uuid4().hex[:8]}", **changes)


def write_questions(tmp_path: Path, questions: list[dict[str, str]]) -> Path:
    path = tmp_path / "questions.json"
    path.write_text(json.dumps(questions))
    return path


def project_spans(settings: Settings, expected_roots: int, timeout_s: float = 30) -> pd.DataFrame:
    """Every span of the project, once ``expected_roots`` root spans have arrived."""
    client = Client(base_url=base_url(settings))
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            spans = client.spans.get_spans_dataframe(project_identifier=settings.project,
                                                     limit=10_000)
        except Exception:
            spans = pd.DataFrame()
        roots = spans[spans["parent_id"].isna()] if len(spans) else spans
        if len(roots) >= expected_roots or time.monotonic() > deadline:
            return spans
        time.sleep(1)


def is_known(place: str) -> bool:
    try:
        weather.find_city(place)
    except weather.WeatherToolError:
        return False
    return True


def expected_calls(request: Request) -> list[tuple[str, dict[str, Any]]]:
    """The tool calls the workflow makes: its plan, up to the first error of a place."""
    calls, failed = [], set()
    for name, arguments in tool_plan(request):
        if arguments["location"] not in failed:
            calls.append((name, arguments))
            if not is_known(arguments["location"]):
                failed.add(arguments["location"])
    return calls


def as_dict(value: Any) -> dict[str, Any]:
    """A JSON attribute as Phoenix returns it: a string or an already parsed object."""
    return json.loads(value) if isinstance(value, str) else dict(value)


@dataclasses.dataclass
class Asked:
    """One question answered by an agent on a scripted server, with an in-memory trace."""

    result: AgentResult
    requests: list[dict[str, Any]]
    spans: list[ReadableSpan]

    @property
    def writer_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if not is_extraction(r)]

    @property
    def data(self) -> str:
        return written_data(self.writer_requests[0])

    @property
    def brief(self) -> str:
        return user_text(self.writer_requests[0]).rsplit("\n\n", 1)[1]

    def tools(self) -> list[ReadableSpan]:
        return [s for s in self.spans if s.attributes.get("openinference.span.kind") == "TOOL"]

    def root(self) -> ReadableSpan:
        return next(s for s in self.spans if s.name == AGENT_SPAN_NAME)


@pytest.fixture
def ask(scripted_llm) -> Iterator[Callable[..., Asked]]:
    """``ask(question, variant=None, writer=None)``: one answer, without Phoenix."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(verbose=False)
    provider.add_span_processor(SimpleSpanProcessor(exporter))

    def run(question: str, variant: str | None = None,
            writer: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> Asked:
        exporter.clear()
        with scripted_llm(workflow_script(writer)) as server:
            client = OpenAI(base_url=server.base_url, api_key="scripted-key", max_retries=0)
            agent = WeatherAgent(client, "scripted", provider.get_tracer("test"), "s",
                                 variant=variant, today=DAY)
            result = agent.answer(question, "custom")
            requests = list(server.requests)
        return Asked(result, requests, list(exporter.get_finished_spans()))

    yield run
    provider.shutdown()


# --- traces in Phoenix -------------------------------------------------------------------------

def test_ten_questions_make_ten_complete_traces(phoenix: Settings, scripted_llm) -> None:
    with scripted_llm(weather_script) as server:
        settings = project_settings(phoenix, server)
        console, out = quiet_console()
        summary = run_agent_for(settings, n=10, seed=3, console=console, today=DAY)
        show_summary(summary, settings, console)
    assert (summary.done, summary.failed, summary.undelivered_traces) == (10, 0, 0)
    assert re.search(r"Traces in Phoenix \(project [\w-]+\): http://127\.0\.0\.1:\d+/projects/\w+",
                     out.getvalue()), out.getvalue()

    spans = project_spans(settings, expected_roots=10)
    roots = spans[spans["parent_id"].isna()]
    assert len(roots) == 10
    questions = {q.text: q for q in sample_questions(load_questions(), 10, seed=3)}
    for _, root in roots.iterrows():
        trace = spans[spans["context.trace_id"] == root["context.trace_id"]]
        question = root["attributes.input.value"]
        assert root["name"] == AGENT_SPAN_NAME and root["span_kind"] == "AGENT"
        assert question in questions
        assert root["attributes.output.value"].startswith("Scripted answer")
        assert root["status_code"] == "OK"
        assert root["attributes.session.id"] == summary.session_id
        assert as_dict(root["attributes.metadata"]) == {
            "category": questions[question].category, "model": "scripted"}
        assert (trace["span_kind"] == "LLM").sum() == 2  # read the request, write the answer
        assert (trace["parent_id"].dropna() == root["context.span_id"]).all()
        result = next(r for r in summary.results if r.question == question)
        tools = trace[trace["span_kind"] == "TOOL"].sort_values("start_time")
        if place_in(question) is None:
            assert tools.empty
            continue
        assert place_in(question) in result.request.places
        calls = [(tool["name"], as_dict(tool["attributes.tool.parameters"]))
                 for _, tool in tools.iterrows()]
        assert calls == expected_calls(result.request)
        for (name, arguments), (_, tool) in zip(calls, tools.iterrows(), strict=True):
            assert as_dict(tool["attributes.input.value"]) == arguments
            output = as_dict(tool["attributes.output.value"])
            known = is_known(arguments["location"])
            assert tool["status_code"] == ("OK" if known else "ERROR")
            assert ("error" in output) is not known
            if known:
                assert output == run_tool(name, arguments, DAY)


def test_an_llm_error_marks_only_its_trace(phoenix: Settings, scripted_llm,
                                           tmp_path: Path) -> None:
    questions = [{"question": "Weather in Rome?", "category": "weather_only"},
                 {"question": f"Weather in Oslo? {FAIL_MARKER}", "category": "weather_only"},
                 {"question": "Plan my day in Tokyo.", "category": "weather_and_planning"}]
    with scripted_llm(weather_script) as server:
        settings = project_settings(phoenix, server)
        summary = run_agent_for(settings, n=3, questions_path=write_questions(tmp_path, questions),
                            console=quiet_console()[0], max_retries=1, today=DAY)
        failing_requests = [r for r in server.requests
                            if FAIL_MARKER in r["messages"][1]["content"]]
    assert (summary.done, summary.failed) == (2, 1)
    assert len(failing_requests) == 2  # the SDK retried before giving up
    failed = next(r for r in summary.results if not r.ok)
    assert FAIL_MARKER in failed.question and "500" in failed.error

    spans = project_spans(settings, expected_roots=3)
    roots = spans[spans["parent_id"].isna()].set_index("attributes.input.value")
    assert len(roots) == 3
    for question, root in roots.iterrows():
        expected = "ERROR" if FAIL_MARKER in question else "OK"
        assert root["status_code"] == expected, question
    bad_trace = spans[spans["context.trace_id"] == roots.loc[failed.question, "context.trace_id"]]
    assert (bad_trace[bad_trace["span_kind"] == "LLM"]["status_code"] == "ERROR").all()


def test_markup_twice_is_an_error_run_without_an_answer(phoenix: Settings, scripted_llm,
                                                        tmp_path: Path) -> None:
    questions = [{"question": "What's the weather in Oslo today?", "category": "weather_only"}]
    with scripted_llm(workflow_script(lambda request: {"content": MARKUP})) as server:
        settings = project_settings(phoenix, server)
        summary = run_agent_for(settings, n=1, questions_path=write_questions(tmp_path, questions),
                            console=quiet_console()[0], today=DAY)
        writes = [r for r in server.requests if not is_extraction(r)]
    result = summary.results[0]
    assert not result.ok and result.answer == "" and result.retried
    assert "tool-call tags" in result.error
    assert len(writes) == 2
    assert STRICTER not in user_text(writes[0]) and STRICTER in user_text(writes[1])
    spans = project_spans(settings, expected_roots=1)
    root = spans[spans["parent_id"].isna()].iloc[0]
    assert root["status_code"] == "ERROR"
    assert pd.isna(root.get("attributes.output.value"))


def test_no_span_carries_the_api_key(phoenix: Settings, scripted_llm) -> None:
    with scripted_llm(weather_script) as server:
        settings = project_settings(phoenix, server, openai_api_key=SECRET)
        summary = run_agent_for(settings, n=6, seed=1, console=quiet_console()[0], today=DAY)
    assert summary.done == 6
    spans = project_spans(settings, expected_roots=6)
    assert (spans["span_kind"] == "LLM").sum() >= 6
    client = Client(base_url=base_url(settings))
    raw = client.spans.get_spans(project_identifier=settings.project, limit=1000)
    assert len(raw) == len(spans)
    for span in raw:
        text = json.dumps(span, default=str)
        assert SECRET not in text and SECRET[-8:] not in text, span["name"]
    assert not [value for value in spans.to_numpy().ravel() if SECRET[-8:] in str(value)]


def test_phoenix_down_answers_everything_and_warns_once(scripted_llm, tmp_path: Path) -> None:
    with scripted_llm(weather_script) as server:
        settings = dataclasses.replace(scripted_settings(fresh_settings(tmp_path), server),
                                       phoenix_port=free_port())
        console, out = quiet_console()
        started = time.monotonic()
        summary = run_agent_for(settings, n=4, seed=2, console=console, today=DAY)
        show_summary(summary, settings, console)
    assert (summary.done, summary.failed) == (4, 0)
    assert all(r.answer for r in summary.results)
    assert summary.undelivered_traces == 4
    assert "Traces in Phoenix" not in out.getvalue()
    assert out.getvalue().count("warning:") == 1
    assert "4 of 4 traces could not be delivered" in out.getvalue()
    assert time.monotonic() - started < 30


@pytest.mark.llm
def test_the_real_local_model_answers_from_the_weather_tool(phoenix: Settings,
                                                             local_llm: Settings,
                                                             tmp_path: Path) -> None:
    settings = dataclasses.replace(phoenix, local_llm_port=local_llm.local_llm_port,
                                   project=f"agent-llm-{uuid.uuid4().hex[:8]}")
    path = write_questions(tmp_path, [{"question": "What's the weather like in Lisbon today?",
                                       "category": "weather_only"}])
    summary = run_agent_for(settings, n=1, questions_path=path, console=quiet_console()[0],
              temperature=0, today=DAY)
    result = summary.results[0]
    assert result.ok, result.error
    assert [(c.name, c.arguments["location"], c.ok) for c in result.tool_calls] == [
        ("get_weather", "Lisbon", True)]
    assert markup_in(result.answer) is None, result.answer
    temperature = weather.get_weather("Lisbon", today=DAY)["temperature"]
    assert any(str(t) in result.answer for t in (temperature, int(temperature),
                                                 round(temperature))), result.answer
    spans = project_spans(settings, expected_roots=1)
    assert set(spans["span_kind"]) == {"AGENT", "LLM", "TOOL"}


# --- the workflow's steps (scripted model, in-memory trace) -------------------------------------

def test_the_two_calls_share_the_system_prompt_and_offer_no_tools(ask) -> None:
    asked_ = ask("What's the weather in Lisbon in Fahrenheit?")
    extract, write = asked_.requests
    assert extract["response_format"]["json_schema"]["schema"] == EXTRACTION_SCHEMA
    assert extract["temperature"] == 0
    assert "response_format" not in write
    for request in (extract, write):
        assert "tools" not in request and "tool_choice" not in request
        assert request["messages"][0] == {"role": "system", "content": SYSTEM_PROMPT}
    report = weather.get_weather("Lisbon", "fahrenheit", today=DAY)
    assert f"temperature {report['temperature']} °F" in asked_.data
    assert "Write temperatures in °F and wind in mph" in asked_.brief
    [tool] = asked_.tools()
    assert json.loads(tool.attributes["input.value"]) == {
        "location": "Lisbon", "unit": "fahrenheit", "day": "today"}
    assert json.loads(tool.attributes["output.value"]) == report
    assert asked_.result.answer.startswith("Scripted answer")


def test_markup_once_is_asked_again_with_a_stricter_instruction(ask) -> None:
    replies = iter([{"content": f"Here you go:\n```json\n{MARKUP}\n```"},
                    {"content": "It is mild and dry in Oslo today."}])
    asked_ = ask("What's the weather in Oslo today?", writer=lambda request: next(replies))
    assert asked_.result.ok and asked_.result.retried
    assert asked_.result.answer == "It is mild and dry in Oslo today."
    assert [STRICTER in user_text(r) for r in asked_.writer_requests] == [False, True]


def test_a_runaway_answer_is_asked_again_then_cut_without_repeats(ask) -> None:
    loop = "It is mild in Oslo today, with a light wind from the west. " * 3 + "Take a light jack"
    asked_ = ask("What's the weather in Oslo today?", writer=lambda request: {
        "content": loop, "finish_reason": "length"})
    assert asked_.result.retried and asked_.result.trimmed
    assert asked_.result.answer == "It is mild in Oslo today, with a light wind from the west."
    assert [STRICTER in user_text(r) for r in asked_.writer_requests] == [False, True]
    replies = iter([{"content": loop, "finish_reason": "length"}, {"content": "Mild and dry."}])
    again = ask("What's the weather in Oslo today?", writer=lambda request: next(replies))
    assert again.result.answer == "Mild and dry." and again.result.retried
    assert not again.result.trimmed


def test_a_plan_without_its_evening_is_asked_for_again(ask) -> None:
    replies = iter([{"content": "Morning: museum. Afternoon: walk."},
                    {"content": "Morning: museum. Afternoon: walk. Evening: concert."}])
    asked_ = ask("Plan my day in Tokyo.", writer=lambda request: next(replies))
    assert asked_.result.retried and asked_.result.answer.endswith("Evening: concert.")
    assert "Be sure to include: evening." in user_text(asked_.writer_requests[1])


def test_an_answer_contradicting_the_figures_is_asked_for_again(ask) -> None:
    replies = iter([{"content": "It's too hot for walking tours in Oslo today: stay inside."},
                    {"content": "Oslo is cold today: wrap up warm for a walking tour."}])
    asked_ = ask("What's the weather in Oslo today?", writer=lambda request: next(replies))
    assert "In words (from these figures): cold (feels like " in asked_.data  # told the words
    assert WORDS in asked_.brief
    first, second = (user_text(r) for r in asked_.writer_requests)
    assert "The figures contradict" not in first
    assert '"too hot", but the figures make it cold (Oslo: ' in second and STRICTER in second
    assert asked_.result.retried and asked_.result.contradicted == []
    assert asked_.result.answer.startswith("Oslo is cold today")


def test_an_answer_still_contradicting_after_the_retry_stands_and_is_recorded(ask) -> None:
    asked_ = ask("What's the weather in Oslo today?",
                 writer=lambda request: {"content": "A hot day in Oslo."})
    assert asked_.result.ok and asked_.result.retried
    assert asked_.result.answer == "A hot day in Oslo." and len(asked_.writer_requests) == 2
    [wrong] = asked_.result.contradicted
    assert wrong.startswith('"hot", but the figures make it cold')


def test_an_unknown_place_reaches_the_writer_as_an_error_with_suggestions(ask) -> None:
    asked_ = ask("How's the weather in Pariss?")
    [tool] = asked_.tools()
    assert tool.status.status_code.name == "ERROR"
    assert json.loads(tool.attributes["output.value"])["suggestions"] == ["Paris, France"]
    assert '"Pariss": the weather service gave an error: no weather data' in asked_.data
    assert "Did you mean: Paris, France?" in asked_.data
    assert 'could not find "Pariss"' in asked_.brief and "Paris, France" in asked_.brief
    assert asked_.root().status.status_code.name == "OK"


def test_an_unknown_place_stops_at_its_first_tool_error(ask) -> None:
    asked_ = ask("Plan my day in Gotham City.")
    assert [(c.name, c.arguments["location"], c.ok) for c in asked_.result.tool_calls] == [
        ("plan_activities", "Gotham City", False)]
    assert 'could not find "Gotham City"' in asked_.brief


def test_no_place_asks_which_city_without_any_tool(ask) -> None:
    asked_ = ask("What should I do today?")
    assert asked_.tools() == [] and asked_.result.tool_calls == []
    assert asked_.data == "" and NO_PLACE in asked_.brief
    assert asked_.result.ok


def test_a_comparison_looks_up_every_place_and_ranks_them(ask) -> None:
    asked_ = ask("Which is warmer today, Madrid or Athens?")
    assert [c.arguments["location"] for c in asked_.result.tool_calls] == ["Madrid", "Athens"]
    comparison = asked_.data.split("Comparison of the places:\n", 1)[1].splitlines()
    assert comparison[0].startswith("Answer to the question: ") and " is warmer than " in \
        comparison[0]  # the aspect the question asks about
    assert "Overall, " in comparison[1]
    assert "Compare Madrid and Athens" in asked_.brief


# --- the variants: each one's effect on the workflow --------------------------------------------

def _tool_units(asked_: Asked) -> list[tuple[str | None, str | None]]:
    return [(c.arguments.get("unit"), c.arguments.get("wind_unit"))
            for c in asked_.result.tool_calls]


def _check_wrong_unit(ask) -> None:
    imperial = ask("What's the weather in London? Please use Fahrenheit and mph.", "wrong_unit")
    assert _tool_units(imperial) == [("celsius", "km/h")]
    assert COPY_UNITS in imperial.brief and "°C" in imperial.data
    metric = ask("Temperature in Sydney today in Celsius, wind in km/h please.", "wrong_unit")
    assert _tool_units(metric) == [("fahrenheit", "mph")]


def _check_celsius_only(ask) -> None:
    asked_ = ask("What's the weather in London? Please use Fahrenheit and mph.", "celsius_only")
    assert _tool_units(asked_) == [("celsius", "mph")] and COPY_UNITS in asked_.brief


def _check_metric_tools(ask) -> None:
    asked_ = ask("What's the weather in London? Please use Fahrenheit and mph.", "metric_tools")
    assert _tool_units(asked_) == [("celsius", "km/h")] and COPY_UNITS in asked_.brief


def _check_json_only(ask) -> None:
    payload = json.dumps({"temperature": 12.5, "answer": "mild"})
    asked_ = ask("What's the weather in Oslo today?", "json_only",
                 writer=lambda request: {"content": payload})
    assert asked_.writer_requests[0]["response_format"] == {"type": "json_object"}
    assert asked_.result.answer == payload and not asked_.result.retried


def _check_first_city_only(ask) -> None:
    asked_ = ask("Which is warmer today, Madrid or Athens?", "first_city_only")
    assert [c.arguments["location"] for c in asked_.result.tool_calls] == ["Madrid"]
    assert "Athens" not in asked_.data and "Answer about Madrid only" in asked_.brief


def _check_guess_place(ask) -> None:
    asked_ = ask("What should I do today?", "guess_place")
    [call] = asked_.result.tool_calls
    assert call.arguments["location"] in GUESSES and call.name == "plan_activities"
    assert NO_PLACE not in asked_.brief and "without saying" in asked_.brief


def _check_refuse(ask) -> None:
    asked_ = ask("What's the weather in Oslo today?", "refuse")
    assert asked_.tools() == [] and "decline" in asked_.brief


def _check_clarify_first(ask) -> None:
    asked_ = ask("What's the weather in Oslo today?", "clarify_first")
    assert asked_.tools() == [] and "Do not answer yet" in asked_.brief


def _check_invent_weather(ask) -> None:
    asked_ = ask("What's the weather in Oslo today?", "invent_weather")
    [tool] = asked_.tools()
    true = json.loads(tool.attributes["output.value"])
    assert f"temperature {round(true['temperature'] + 15, 1)} °C" in asked_.data
    assert "clear sky" in asked_.data and f"temperature {true['temperature']} " not in asked_.data


def _check_no_tool(ask) -> None:
    asked_ = ask("What's the weather in Oslo today?", "no_tool")
    assert asked_.tools() == [] and asked_.data == ""
    assert "from your own knowledge" in asked_.brief and "Oslo" in asked_.brief


def _check_call_unknown(ask) -> None:
    asked_ = ask("What's the weather in Oslo today?", "call_unknown")
    [tool] = asked_.tools()
    assert tool.status.status_code.name == "OK"
    assert "no weather data for 'Oslo'" in asked_.data
    assert 'could not find "Oslo"' in asked_.brief


def _check_skip_task(ask) -> None:
    asked_ = ask("Plan my day in Tokyo.", "skip_task")
    assert [c.name for c in asked_.result.tool_calls] == ["get_weather"]
    assert "day plan" not in asked_.brief and "Only list the weather" in asked_.brief


def _check_invent_place(ask) -> None:
    asked_ = ask("What's the weather in Narnia today?", "invent_place")
    [tool] = asked_.tools()
    assert tool.status.status_code.name == "ERROR"
    assert asked_.data == "" and "Describe the weather in Narnia" in asked_.brief


def _check_outdoor_in_rain(ask) -> None:
    asked_ = ask("Plan my day in Tokyo.", "outdoor_in_rain")
    [tool] = asked_.tools()
    true = json.loads(tool.attributes["output.value"])
    assert true["indoor_alternatives"]
    assert "- Indoor alternatives: none." in asked_.data
    assert "no indoor options" in asked_.brief


def _check_cut_off(ask) -> None:
    asked_ = ask("What's the weather in Oslo today?", "cut_off", writer=lambda request: {
        "content": "In Oslo today it is", "finish_reason": "length"})
    assert asked_.writer_requests[0]["max_tokens"] == 24
    assert asked_.result.answer == "In Oslo today it is" and not asked_.result.trimmed


def _check_other_language(ask) -> None:
    asked_ = ask("Plan my day in Oslo.", "other_language",
                 writer=lambda request: {"content": "Mañana: museo. Tarde: paseo. Noche: cine."})
    assert "en español" in asked_.brief
    assert not asked_.result.retried  # the parts of the day are not checked in English


VARIANT_CHECKS = {name.removeprefix("_check_"): check for name, check in globals().items()
                  if name.startswith("_check_")}


def test_every_variant_has_a_check_and_a_rule() -> None:
    assert set(VARIANT_CHECKS) == set(VARIANTS)
    assert all(1 <= variant.rule <= 10 for variant in VARIANTS.values())
    assert {variant.rule for variant in VARIANTS.values()} == set(range(1, 11))


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_variant_alters_its_step_and_is_marked(ask, name: str) -> None:
    VARIANT_CHECKS[name](ask)
    marked = ask("What's the weather in Oslo today?", name)
    assert json.loads(marked.root().attributes["metadata"])["variant"] == name


def test_every_variant_has_questions_that_suit_it() -> None:
    folder = ROOT / "agent_demo" / "data" / "variant-questions"
    assert {path.stem for path in folder.glob("*.json")} == set(VARIANTS)
    for name in VARIANTS:
        questions = load_questions(folder / f"{name}.json")
        assert len(questions) >= 5, name
        assert {q.category for q in questions} <= CATEGORIES, name


def test_an_unknown_variant_is_a_user_error() -> None:
    with pytest.raises(AgentDemoError, match="unknown agent variant 'nope'"):
        get_variant("nope")


# --- pure helpers ------------------------------------------------------------------------------

@pytest.mark.parametrize(("question", "unit", "wind"), [
    ("What's the temperature in Miami in Fahrenheit?", "fahrenheit", None),
    ("How hot is it in Phoenix today in °F?", "fahrenheit", None),
    ("Tell me the weather in Toronto in Celsius, with wind speed in km/h.", "celsius", "km/h"),
    ("Give me the wind speed in Chicago in mph.", None, "mph"),
    ("How windy is it in Wellington in km/h, and what's the temperature in Fahrenheit?",
     "fahrenheit", "km/h"),
    ("What's the weather like in Lisbon today?", None, None),
])
def test_units_are_read_from_the_question(question: str, unit: str | None,
                                          wind: str | None) -> None:
    assert (cues.temperature_unit(question), cues.wind_unit(question)) == (unit, wind)


@pytest.mark.parametrize(("question", "day"), [
    ("Will it be windy in Wellington tomorrow?", "tomorrow"),
    ("Plan my Saturday in Kyoto.", "saturday"),
    ("Plan something fun for the weekend.", "weekend"),
    ("Weather in Rome tonight?", "today"),
    ("Weather in Rome on 2026-03-16?", "2026-03-16"),
    ("Weather in Rome?", "today"),
])
def test_the_day_is_read_from_the_question(question: str, day: str) -> None:
    assert cues.day(question) == day


def test_task_cues() -> None:
    assert cues.is_yes_no("Do I need an umbrella in Singapore today?")
    assert cues.is_yes_no("I want to run in Melbourne. Is the weather OK?")
    assert not cues.is_yes_no("Do a full weather analysis for Innsbruck.")
    assert not cues.is_yes_no("I'm in Barcelona today. What should I do?")
    assert cues.wants_plan("Any ideas for a day in Amsterdam?")
    assert cues.wants_analysis("Break down the weather in Seattle (rain risk, wind)")
    assert not cues.wants_plan("What's the humidity in Bangkok?")


def test_known_places_are_spotted_by_name() -> None:
    assert cues.known_places("Should I spend today in San Francisco or LA?") == [
        "San Francisco", "LA"]
    assert cues.known_places("Is it nice weather in la Paz? la la") == []
    assert cues.known_places("Weather in New York") == ["New York"]
    assert cues.named_after_preposition("Plan my day in Gotham City. Use Fahrenheit.") == [
        "Gotham City"]
    assert cues.named_after_preposition("What is it in Fahrenheit for Saturday?") == []


@pytest.mark.parametrize(("text", "expected"), [
    ('{"places": ["Oslo"], "task": "plan", "preferences": "kids"}',
     Extraction(("Oslo",), "plan", "kids")),
    ('{"places": "Oslo", "task": "dance", "preferences": 3}', Extraction(("Oslo",), "weather")),
    ('{"places": [" ", 4, "Rome "]}', Extraction(("Rome",))),
    ("not json", None),
    ('["Oslo"]', None),
    (None, None),
])
def test_the_extraction_is_parsed_leniently(text: str | None,
                                            expected: Extraction | None) -> None:
    assert parse_extraction(text) == expected


def test_the_extraction_is_checked_against_the_question() -> None:
    typo = build_request("How's the weather in Pariss?", Extraction(("Paris",)))
    assert typo.places == ("Pariss",)  # the model's correction is overruled
    vague = build_request("What should I do today?", Extraction(("London",), "plan", "kids"))
    assert vague.places == () and vague.plan and vague.preferences == ""
    missed = build_request("Compare Oslo, Stockholm and Helsinki.", Extraction(("Oslo",)))
    assert missed.places == ("Oslo", "Stockholm", "Helsinki") and missed.compare
    trimmed = build_request("What can I do in Mexico City today?",
                            Extraction(("Mexico City today",)))
    assert trimmed.places == ("Mexico City",) and trimmed.plan
    qualified = build_request("Seattle, Washington weather?", Extraction(("Seattle, Washington",)))
    assert qualified.places == ("Seattle, Washington",)
    both = build_request("Analyze the weather in Denver and plan my day in °F.",
                         Extraction(("Denver",), "analysis", "kids, budget, indoor"))
    assert (both.task, both.unit, both.preferences) == ("analysis_and_plan", "fahrenheit", "")
    prefs = build_request("I'm in Zurich with my elderly parents; what gentle activities?",
                          Extraction(("Zurich",), "plan", "elderly parents, budget"))
    assert prefs.preferences == "elderly parents"
    fallback = build_request("Is it sunny in Narnia?", None)
    assert (fallback.places, fallback.task) == (("Narnia",), "decision")


@pytest.mark.parametrize("answer", [
    MARKUP,
    '<tool_call>\n{"name": "get_weather", "arguments": {"location": "Oslo"}}\n</tool_call>',
    "To know, call the `analyze_weather` function with these parameters.",
    '```json\n{"location": "Oslo"}\n```',
    '{"temperature": 12, "conditions": "rain"}',
    'The data: {"temperature": 12}',
    '[{"a": 1}]',
])
def test_markup_and_json_are_detected(answer: str) -> None:
    assert markup_in(answer) is not None


@pytest.mark.parametrize("answer", [
    "It is 12.5 °C and rainy in Oslo: take an umbrella.",
    "Morning: museum. Afternoon: walk (if dry). Evening: a concert {or a film}.",
    "- **Temperature**: 12 °C\n- **Wind**: 10 km/h",
])
def test_prose_is_not_markup(answer: str) -> None:
    assert markup_in(answer) is None


def test_without_repeats_keeps_the_first_of_each_long_sentence() -> None:
    long = "The best time to be outside is the evening, from 18:00 to 21:00."
    text = f"{long} It is 18.7 °C. {long}\n\n- Morning: museum. Note: cold.\n- Evening: cinema. " \
        "Note: cold."
    assert without_repeats(text) == (f"{long} It is 18.7 °C.\n\n- Morning: museum. Note: cold."
                                     "\n- Evening: cinema. Note: cold.")


def test_left_out_names_missing_periods_and_places() -> None:
    answer = "Oslo is warmer than Rome. Morning: museum; evening: concert."
    assert left_out(answer, ["morning", "afternoon", "evening"], ["Oslo", "Rome", "Bergen"]) \
        == ["afternoon", "Bergen"]
    assert cues.periods("I only have the evening free. What about tonight?") == ["evening"]
    assert cues.periods("Suggest things to do this afternoon and evening.") == [
        "afternoon", "evening"]
    plan = Request("Plan my day in Oslo.", ("Oslo",), plan=True)
    assert needed(plan, [_lookup("Oslo", "plan_activities")]) == (
        ["morning", "afternoon", "evening"], [])
    assert needed(plan, [Lookup("Oslo", error={"error": "x"})]) == ([], [])
    pair = [_lookup("Oslo", "get_weather"), _lookup("Rome", "get_weather")]
    assert needed(Request("q", ("Oslo", "Rome")), pair) == ([], ["Oslo", "Rome"])


def test_trim_to_sentence() -> None:
    assert trim_to_sentence("It is mild. Take a jack") == "It is mild."
    assert trim_to_sentence("Morning: museum\nAfternoon: wal") == "Morning: museum"
    assert trim_to_sentence("no end at all") == "no end at all"


def test_tool_plan_follows_the_request() -> None:
    request = Request("q", ("Oslo", "Rome"), plan=True, unit="fahrenheit", day="tomorrow",
                      preferences="kids")
    assert tool_plan(request) == [
        ("plan_activities", {"location": place, "unit": "fahrenheit", "day": "tomorrow",
                             "preferences": "kids"}) for place in ("Oslo", "Rome")]
    both = tool_plan(Request("q", ("Oslo",), plan=True, analysis=True, wind_unit="mph"))
    assert [name for name, _ in both] == ["analyze_weather", "plan_activities"]
    windy_plan = tool_plan(Request("q", ("Oslo",), plan=True, wind_unit="mph"))
    assert [name for name, _ in windy_plan] == ["get_weather", "plan_activities"]
    assert tool_plan(Request("q", ())) == []


def _lookup(place: str, *names: str, unit: str = "celsius") -> Lookup:
    return Lookup(place, {name: run_tool(name, {"location": place, "unit": unit}, DAY)
                          for name in names})


def test_results_are_rendered_as_text_with_every_figure() -> None:
    lookup = _lookup("Oslo", "analyze_weather", "plan_activities", unit="fahrenheit")
    text = render(lookup)
    report = lookup.report()
    assert report is not None and report["temperature_unit"] == "°F"
    for key in ("temperature", "feels_like", "low", "high", "wind_speed", "wind_gust"):
        assert str(report[key]) in text
    plan = lookup.results["plan_activities"]
    assert all(s in text for p in plan["plan"] for s in p["suggestions"])
    assert "Indoor alternatives: " + "; ".join(plan["indoor_alternatives"]) in text
    assert "{" not in text and '"' not in text


def test_a_comparison_is_computed_in_sentences() -> None:
    lookups = [_lookup("Madrid", "get_weather"), _lookup("Athens", "get_weather")]
    warm, cold = sorted(lookups, key=lambda lookup: -lookup.report()["temperature"])
    lines = comparison_lines(lookups, "temperature")
    assert lines[1] == (f"Answer to the question: {warm.place} is warmer than {cold.place} "
                        f"({warm.report()['temperature']} °C against "
                        f"{cold.report()['temperature']} °C), so {cold.place} is colder.")
    assert comparison_lines(lookups)[1].startswith("Answer to the question: Overall, ")
    assert comparison_lines(lookups[:1]) == []
    assert render_all(lookups).endswith(comparison_lines(lookups)[-1])
    three = comparison_lines([*lookups, _lookup("Rome", "get_weather")], "humidity")
    assert three[1].startswith("Answer to the question: From more humid to less humid: ")
    assert three[1].count(", then ") == 2


@pytest.mark.parametrize(("question", "aspect"), [
    ("Which is warmer today, Madrid or Athens?", "temperature"),
    ("Is it rainier in Dublin or Manchester today?", "precipitation"),
    ("Where is it less humid today: Mumbai or Delhi?", "humidity"),
    ("Toronto or Montreal: which has the nicer weather today?", "overall"),
])
def test_the_compared_aspect_is_read_from_the_question(question: str, aspect: str) -> None:
    assert cues.comparison_aspect(question) == aspect


def test_the_brief_covers_what_was_asked() -> None:
    plan = Request("q", ("Oslo",), plan=True, analysis=True, yes_no=True, preferences="kids")
    brief = answer_brief(plan, [_lookup("Oslo", "analyze_weather", "plan_activities")])
    assert list(brief) == ["main", "weather", "analysis", "plan", "words", "units", "length"]
    assert "yes or no" in brief["main"] and "The user said: kids." in brief["plan"]
    assert answer_brief(Request("q", ()), []) == {"main": NO_PLACE}
    unknown = Lookup("Atlantis", error={"error": "no weather data"}, unknown_place=True)
    only_unknown = answer_brief(Request("q", ("Atlantis",)), [unknown])
    assert list(only_unknown) == ["errors", "length"]
    assert "check the spelling" in only_unknown["errors"]


# --- the command line --------------------------------------------------------------------------

def run_cli(settings: Settings, server: Any, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "JUDGE_ALIGN_RUN_DIR": str(settings.run_dir),
           "PHOENIX_PORT": str(settings.phoenix_port),
           "PHOENIX_GRPC_PORT": str(settings.phoenix_grpc_port),
           "OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "scripted-key",
           "AGENT_MODEL": "scripted", "JUDGE_ALIGN_PROJECT": settings.project,
           "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "agent", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_cli_agent_runs_three_questions(phoenix: Settings, scripted_llm) -> None:
    with scripted_llm(weather_script) as server:
        settings = project_settings(phoenix, server)
        done = run_cli(settings, server, "--n", "3", "--seed", "5")
    assert done.returncode == 0, done.stderr
    assert "Traces in Phoenix" in done.stdout and "/projects/" in done.stdout
    assert "warning" not in done.stdout
    spans = project_spans(settings, expected_roots=3)
    assert (spans["parent_id"].isna()).sum() == 3


def test_cli_agent_without_phoenix_exits_zero(scripted_llm, tmp_path: Path) -> None:
    with scripted_llm(weather_script) as server:
        settings = dataclasses.replace(fresh_settings(tmp_path), phoenix_port=free_port())
        done = run_cli(settings, server, "--n", "3")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("warning:") == 1
    assert "3 of 3 traces could not be delivered" in done.stdout


def test_cli_agent_reports_a_missing_questions_file(scripted_llm, tmp_path: Path) -> None:
    with scripted_llm(weather_script) as server:
        done = run_cli(fresh_settings(tmp_path), server, "--questions",
                       str(tmp_path / "nope.json"))
    assert done.returncode == 1
    assert done.stderr.startswith("error: no questions file at") and "Traceback" not in done.stderr


# --- the weather source ------------------------------------------------------------------------

def test_city_table_is_wide_and_valid() -> None:
    cities = places.cities()
    assert len(cities) >= 100
    assert len({c.cc for c in cities}) >= 50
    for city in cities:
        assert city.climate in weather.CLIMATES
        assert -90 <= city.lat <= 90 and -180 <= city.lon <= 180
        assert city.setting in {"city", "coast", "mountain"}


def test_weather_is_deterministic_and_varies_by_day() -> None:
    first = weather.get_weather("Lisbon", today=DAY)
    assert first == weather.get_weather("lisbon, portugal", today=DAY)
    week = [weather.get_weather("Lisbon", day=(DAY + dt.timedelta(days=i)).isoformat(),
                                today=DAY) for i in range(7)]
    assert week[0] == first
    assert len({w["temperature"] for w in week}) > 3


def test_weather_values_are_plausible_everywhere_all_year() -> None:
    for city in places.cities():
        for month in range(1, 13):
            w = weather.daily_weather(city, dt.date(2026, month, 15))
            assert -45 < w.temp_min_c <= w.temperature_c <= w.temp_max_c < 50, city.name
            assert 0 <= w.humidity <= 100 and 0 <= w.precipitation_chance <= 100
            assert 0 < w.wind_kmh < w.gust_kmh < 160
    singapore, moscow = weather.find_city("Singapore"), weather.find_city("Moscow")
    january = dt.date(2026, 1, 15)
    assert weather.daily_weather(singapore, january).temperature_c > \
        weather.daily_weather(moscow, january).temperature_c + 15


def test_units_convert_correctly() -> None:
    metric = weather.get_weather("Chicago", "celsius", today=DAY)
    imperial = weather.get_weather("Chicago", "Fahrenheit", today=DAY)
    mixed = weather.get_weather("Chicago", "celsius", wind_unit="mph", today=DAY)
    assert imperial["temperature"] == pytest.approx(metric["temperature"] * 9 / 5 + 32, abs=0.2)
    assert imperial["high"] == pytest.approx(metric["high"] * 9 / 5 + 32, abs=0.2)
    assert (metric["temperature_unit"], metric["wind_unit"]) == ("°C", "km/h")
    assert (imperial["temperature_unit"], imperial["wind_unit"]) == ("°F", "mph")
    assert mixed["wind_speed"] == pytest.approx(metric["wind_speed"] / 1.609344, abs=0.1)
    assert mixed["temperature"] == metric["temperature"]
    with pytest.raises(weather.WeatherToolError, match="kelvin"):
        weather.get_weather("Chicago", "kelvin", today=DAY)


def test_unknown_places_are_tool_errors_with_suggestions() -> None:
    with pytest.raises(weather.UnknownLocationError) as typo:
        weather.get_weather("Pariss", today=DAY)
    assert typo.value.suggestions == ["Paris, France"]
    assert typo.value.payload()["suggestions"] == ["Paris, France"]
    with pytest.raises(weather.UnknownLocationError):
        weather.get_weather("Paris, Germany", today=DAY)
    with pytest.raises(weather.UnknownLocationError):
        weather.get_weather("Gotham City", today=DAY)
    assert weather.get_weather("Portland, OR", today=DAY)["location"] == \
        "Portland, United States"
    assert weather.get_weather("São Paulo", today=DAY)["location"] == "Sao Paulo, Brazil"
    assert weather.get_weather("NYC", today=DAY)["location"] == "New York, United States"


def test_days_resolve_within_the_forecast() -> None:
    saturday = weather.resolve_day("weekend", DAY)  # DAY is a Saturday
    assert saturday == DAY and weather.resolve_day("tomorrow", DAY) == DAY.replace(day=15)
    assert weather.resolve_day("Monday", DAY) == DAY.replace(day=16)
    with pytest.raises(weather.WeatherToolError, match="not available"):
        weather.resolve_day("2030-01-01", DAY)


def test_tools_plan_and_analyze() -> None:
    plan = run_tool("plan_activities", {"location": "Sydney", "preferences": "with kids"}, DAY)
    assert [p["period"] for p in plan["plan"]] == ["morning", "afternoon", "evening"]
    assert all(p["suggestions"] for p in plan["plan"]) and plan["indoor_alternatives"]
    analysis = run_tool("analyze_weather", {"location": "Cairo", "unit": "fahrenheit"}, DAY)
    assert analysis["weather"]["temperature_unit"] == "°F"
    assert {"comfort", "rain_risk", "uv_index", "best_outdoor_window"} <= set(analysis)
    with pytest.raises(weather.WeatherToolError, match="no tool named"):
        run_tool("book_flight", {"location": "Rome"}, DAY)


# --- the question bank and loader --------------------------------------------------------------

def test_question_bank_covers_every_category() -> None:
    bank = load_questions()
    assert len(bank) >= 60
    assert {q.category for q in bank} == CATEGORIES
    assert len({q.text for q in bank}) == len(bank)


@pytest.mark.parametrize("text", [
    '["What is the weather in Rome?", {"question": "Plan Oslo", "category": "plan"}]',
    '{"question": "What is the weather in Rome?"}\n{"question": "Plan Oslo", "category": "plan"}',
    '{"custom": ["What is the weather in Rome?"], "plan": ["Plan Oslo"]}',
])
def test_loader_accepts_json_jsonl_and_category_maps(text: str) -> None:
    assert parse_questions(text) == [Question("What is the weather in Rome?", "custom"),
                                     Question("Plan Oslo", "plan")]


def test_loader_reads_plain_lines_and_rejects_bad_files(tmp_path: Path) -> None:
    plain = tmp_path / "q.txt"
    plain.write_text("# my questions\nWeather in Rome?\n\n  Plan Oslo  \n")
    assert load_questions(plain) == [Question("Weather in Rome?"), Question("Plan Oslo")]
    with pytest.raises(AgentDemoError, match="no questions file"):
        load_questions(tmp_path / "missing.json")
    empty = tmp_path / "empty.json"
    empty.write_text("\n  \n")
    with pytest.raises(AgentDemoError, match="holds no questions"):
        load_questions(empty)
    bad = tmp_path / "bad.json"
    bad.write_text('[{"category": "x"}]')
    with pytest.raises(AgentDemoError, match="item 1 is not a question"):
        load_questions(bad)


def test_sampling_is_seeded() -> None:
    bank = load_questions()
    assert sample_questions(bank, 10, seed=7) == sample_questions(bank, 10, seed=7)
    assert sample_questions(bank, 10, seed=7) != sample_questions(bank, 10, seed=8)
    many = sample_questions(bank, len(bank) + 5, seed=1)
    assert len(many) == len(bank) + 5 and set(many) == set(bank)
    with pytest.raises(AgentDemoError):
        sample_questions(bank, 0)
