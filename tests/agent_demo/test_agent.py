"""The demo agent (issue 4): traces in a real Phoenix, resilience, no secrets, the tools."""

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
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from phoenix.client import Client
from rich.console import Console

from agent_demo import weather
from agent_demo.agent import AGENT_SPAN_NAME
from agent_demo.errors import AgentDemoError
from agent_demo.questions import Question, load_questions, parse_questions, sample_questions
from agent_demo.tools import run_tool
from pipeline.settings import Settings
from tests.conftest import free_port, fresh_settings, scripted_settings
from tests.support.agent import ask, show_summary
from tests.support.stack import base_url

DAY = dt.date(2026, 3, 14)
FAIL_MARKER = "[scripted-500]"
SECRET = "sk-judge-align-SECRET-7f3a9c1e"
CATEGORIES = {"weather_only", "weather_and_planning", "analysis_and_planning", "compare_cities",
              "vague_intent", "activity_constraints", "explicit_units", "unknown_place"}


# --- the scripted model ------------------------------------------------------------------------

def place_in(question: str) -> str | None:
    """What the scripted model asks the weather of: a known city, else a capitalized place."""
    for city in weather.cities():
        if re.search(rf"\b{re.escape(city.name)}\b", question, re.IGNORECASE):
            return city.name
    match = re.search(r"\b(?:in|for) ([A-Z][\w'-]+(?: [A-Z][\w'-]+)?)", question)
    return match.group(1) if match else None


def weather_script(request: dict[str, Any]) -> dict[str, Any]:
    """Call get_weather for the place in the question, then answer from the tool result."""
    messages = request["messages"]
    question = next(m["content"] for m in messages if m["role"] == "user")
    if FAIL_MARKER in question:
        return {"status": 500}
    results = [json.loads(m["content"]) for m in messages if m["role"] == "tool"]
    if results or request.get("tool_choice") == "none":
        facts = "; ".join(r.get("error") or f"{r['conditions']} at {r['temperature']}"
                          for r in results)
        return {"content": f"Scripted answer to {question!r}: {facts or 'no data'}."}
    place = place_in(question)
    if place is None:
        return {"content": "Which city do you mean?"}
    return {"tool_calls": [{"name": "get_weather", "arguments": {"location": place}}]}


def repeating_script(request: dict[str, Any]) -> dict[str, Any]:
    """Like the small local model: calls the tool again until told tool_choice='none'."""
    if request.get("tool_choice") == "none":
        return {"content": "Final answer after the tool result."}
    return {"tool_calls": [{"name": "get_weather", "arguments": {"location": "Oslo"}}]}


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


def as_dict(value: Any) -> dict[str, Any]:
    """A JSON attribute as Phoenix returns it: a string or an already parsed object."""
    return json.loads(value) if isinstance(value, str) else dict(value)


# --- traces in Phoenix -------------------------------------------------------------------------

def test_ten_questions_make_ten_complete_traces(phoenix: Settings, scripted_llm) -> None:
    with scripted_llm(weather_script) as server:
        settings = project_settings(phoenix, server)
        console, out = quiet_console()
        summary = ask(settings, n=10, seed=3, console=console, today=DAY)
        show_summary(summary, settings, console)
    assert (summary.done, summary.failed, summary.undelivered_traces) == (10, 0, 0)
    assert re.search(r"Traces in Phoenix \(project [\w-]+\): http://127\.0\.0\.1:\d+/projects/\w+",
                     out.getvalue()), out.getvalue()

    spans = project_spans(settings, expected_roots=10)
    roots = spans[spans["parent_id"].isna()]
    assert len(roots) == 10
    asked = {q.text: q for q in sample_questions(load_questions(), 10, seed=3)}
    for _, root in roots.iterrows():
        trace = spans[spans["context.trace_id"] == root["context.trace_id"]]
        question = root["attributes.input.value"]
        assert root["name"] == AGENT_SPAN_NAME and root["span_kind"] == "AGENT"
        assert question in asked
        assert root["attributes.output.value"].startswith("Scripted answer")
        assert root["status_code"] == "OK"
        assert root["attributes.session.id"] == summary.session_id
        assert as_dict(root["attributes.metadata"]) == {"category": asked[question].category,
                                     "model": "scripted"}
        assert (trace["span_kind"] == "LLM").sum() >= 1
        tools = trace[trace["span_kind"] == "TOOL"]
        place = place_in(question)
        if place is None:
            assert tools.empty
            continue
        assert list(tools["name"]) == ["get_weather"]
        tool = tools.iloc[0]
        assert as_dict(tool["attributes.tool.parameters"]) == {"location": place}
        known = any(c.name == place for c in weather.cities())
        assert tool["status_code"] == ("OK" if known else "ERROR")
        assert tool["parent_id"] == root["context.span_id"]


def test_an_llm_error_marks_only_its_trace(phoenix: Settings, scripted_llm,
                                           tmp_path: Path) -> None:
    questions = [{"question": "Weather in Rome?", "category": "weather_only"},
                 {"question": f"Weather in Oslo? {FAIL_MARKER}", "category": "weather_only"},
                 {"question": "Plan my day in Tokyo.", "category": "weather_and_planning"}]
    with scripted_llm(weather_script) as server:
        settings = project_settings(phoenix, server)
        summary = ask(settings, n=3, questions_path=write_questions(tmp_path, questions),
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


def test_no_span_carries_the_api_key(phoenix: Settings, scripted_llm) -> None:
    with scripted_llm(weather_script) as server:
        settings = project_settings(phoenix, server, openai_api_key=SECRET)
        summary = ask(settings, n=6, seed=1, console=quiet_console()[0], today=DAY)
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
        summary = ask(settings, n=4, seed=2, console=console, today=DAY)
        show_summary(summary, settings, console)
    assert (summary.done, summary.failed) == (4, 0)
    assert all(r.answer for r in summary.results)
    assert summary.undelivered_traces == 4
    assert "Traces in Phoenix" not in out.getvalue()
    assert out.getvalue().count("warning:") == 1
    assert "4 of 4 traces could not be delivered" in out.getvalue()
    assert time.monotonic() - started < 30


def test_the_loop_is_bounded_and_ends_with_tool_choice_none(phoenix: Settings,
                                                             scripted_llm) -> None:
    with scripted_llm(repeating_script) as server:
        settings = project_settings(phoenix, server)
        path = write_questions(Path(settings.run_dir), [{"question": "Oslo weather?"}])
        summary = ask(settings, n=1, questions_path=path, console=quiet_console()[0],
                            today=DAY)
        choices = [r["tool_choice"] for r in server.requests]
    assert summary.results[0].answer == "Final answer after the tool result."
    assert choices == ["auto", "auto", "none"]  # the repeat is not executed again
    assert [c.name for c in summary.results[0].tool_calls] == ["get_weather"]


@pytest.mark.llm
def test_the_real_local_model_calls_the_weather_tool(phoenix: Settings, local_llm: Settings,
                                                     tmp_path: Path) -> None:
    settings = dataclasses.replace(phoenix, local_llm_port=local_llm.local_llm_port,
                                   project=f"agent-llm-{uuid.uuid4().hex[:8]}")
    path = write_questions(tmp_path, [{"question": "What's the weather like in Lisbon today?",
                                       "category": "weather_only"}])
    summary = ask(settings, n=1, questions_path=path, console=quiet_console()[0],
              temperature=0, today=DAY)
    result = summary.results[0]
    assert result.ok, result.error
    assert [(c.name, c.arguments["location"], c.ok) for c in result.tool_calls][:1] in (
        [("get_weather", "Lisbon", True)], [("analyze_weather", "Lisbon", True)]), result.answer
    facts = weather.get_weather("Lisbon", today=DAY)
    temperature = facts["temperature"]
    assert any(str(t) in result.answer for t in (int(temperature), round(temperature)))
    spans = project_spans(settings, expected_roots=1)
    assert set(spans["span_kind"]) == {"AGENT", "LLM", "TOOL"}


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
    cities = weather.cities()
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
    for city in weather.cities():
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
        weather.get_weather("Paris, Texas", today=DAY)
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
