"""The weather checks against the demo agent's real tool results: every tool, every city of
its weather source over a week, known and unknown places, each error, recorded as the
pipeline records them (the agent's span input and output, compacted by
:func:`evaluators.evidence.compact_call`). A change on either side (result keys, error
wording, conditions, activity names) breaks one of these tests instead of silently scoring 0.

Only this test imports both ``agent_demo`` and ``evaluators``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest

from agent_demo.places import cities
from agent_demo.tools import run_tool
from agent_demo.weather import WeatherToolError
from evaluators.checks import WEATHER, Row, load_checks
from evaluators.evidence import ToolCall, compact_call

TODAY = dt.date(2026, 11, 30)
DAYS = [(TODAY + dt.timedelta(days=n)).isoformat() for n in range(7)]
CHECKS = load_checks(WEATHER)
FAILURES = set(CHECKS.names) - CHECKS.helpful


def call_tool(tool: str, **arguments: Any) -> tuple[ToolCall, dict[str, Any]]:
    """One call as the agent traces it (input: the arguments' JSON; output: the result's or
    the error payload's JSON, the span's status message the error), as the pipeline compacts
    it, and the tool's output itself."""
    try:
        output, error = run_tool(tool, arguments, TODAY), None
    except WeatherToolError as caught:
        output, error = caught.payload(), str(caught)
    return compact_call(tool, json.dumps(arguments), json.dumps(output, ensure_ascii=False),
                        error), output


def record(tool: str, **arguments: Any) -> ToolCall:
    return call_tool(tool, **arguments)[0]


def scores(question: str, answer: str, *calls: ToolCall) -> dict[str, float]:
    return CHECKS.scores(Row(question, answer, calls))


def fired(question: str, answer: str, *calls: ToolCall) -> set[str]:
    return {name for name, s in scores(question, answer, *calls).items() if s >= 0.5} & FAILURES


def city_days() -> Iterator[tuple[str, str]]:
    for city in cities():
        for day in DAYS:
            yield city.name, day


@cache
def plans() -> list[tuple[str, ToolCall, dict[str, Any]]]:
    """Every city's plan over the week: the compacted record and the planner's own output
    (the record drops the per-period suggestions, nested too deep to be figures)."""
    return [(city, *call_tool("plan_activities", location=city, day=day))
            for city, day in city_days()]


def unit_symbol(call: ToolCall) -> str:
    block = call.result.get("weather", call.result)
    return "°" + str(block["temperature_unit"])[-1]


def far_from(call: ToolCall, start: float) -> float:
    """A figure at least ``start`` above the day's high that matches none of the result's
    numbers (in either unit): a plain contradiction."""
    numbers = []
    stack: list[Any] = [call.result]
    while stack:
        value = stack.pop()
        if isinstance(value, dict | list):
            stack += list(value.values()) if isinstance(value, dict) else value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            numbers += [value, (value - 32) * 5 / 9, value * 9 / 5 + 32]
    value = round(call.result.get("weather", call.result)["high"] + start, 1)
    while any(abs(value - n) < 2 for n in numbers):
        value += 3
    return value


@pytest.mark.parametrize("unit", ["celsius", "fahrenheit"])
def test_the_figures_a_tool_returns_are_recognised_and_contradictions_flagged(unit: str
                                                                               ) -> None:
    for city in cities():
        call = record("get_weather", location=city.name, unit=unit)
        w, u = call.result, unit_symbol(call)
        question = f"What's the weather in {city.name}?"
        stated = (f"In {city.name} it is {w['temperature']}{u}, feels like "
                  f"{w['feels_like']}{u}, with a low of {w['low']}{u} and a high of "
                  f"{w['high']}{u}. {w['conditions']}.")
        assert fired(question, stated, call) == set(), (city.name, stated)
        wrong = f"In {city.name} it is {far_from(call, 15)}{u}. {w['conditions']}."
        assert "wrong_figures" in fired(question, wrong, call), (city.name, wrong)
        if abs(w["high"] - w["low"]) > 1:
            swapped = f"In {city.name} the high is {w['low']}{u}. {w['conditions']}."
            assert "mislabeled_figure" in fired(question, swapped, call), (city.name, swapped)


def test_every_conditions_wording_of_the_tools_is_one_the_checks_read() -> None:
    """The day's conditions as the tool words them pass; conditions it did not report are
    flagged (so the checks knew the tool's wording)."""
    seen = set()
    for city, day in city_days():
        call = record("get_weather", location=city, day=day)
        conditions = call.result["conditions"]
        seen.add(conditions)
        question = f"Weather in {city} on {day}?"
        assert fired(question, f"{city}: {conditions} all day.", call) == set(), conditions
        # partly cloudy leaves room for sun: calling it sunny is no contradiction
        sunny = {"Clear sky", "Mainly clear", "Partly cloudy"}
        other = "Heavy rain all day." if conditions in sunny else "Clear and sunny all day."
        assert "wrong_conditions" in fired(question, f"{city}: {other}", call), conditions
    assert len(seen) >= 8  # the week's conditions cover the source's vocabulary


def test_every_activity_the_planner_suggests_counts_as_a_plan() -> None:
    names = set()
    for city, call, output in plans():
        for period in output["plan"]:
            names.update(period["suggestions"])
        names.update(output["indoor_alternatives"])
        first = output["plan"][0]["suggestions"][0]
        assert "plan_missing" not in fired(f"Plan my day in {city}.",
                                           f"In {city}, start with: {first}.", call)
    missing = sorted(name for name in names if "plan_missing" in fired(
        "Plan my day in Oslo.", f"In Oslo: {name}.", record("plan_activities",
                                                            location="Oslo")))
    assert missing == [], "activities the checks do not read as a plan"
    assert len(names) >= 25


def test_the_planners_indoor_alternatives_count_as_indoor_options() -> None:
    """On a wet day, outdoor plans with one of the tool's indoor alternatives are fine, and
    without one they are unsafe advice (rule 9)."""
    wet = [(city, call) for city, call, _ in plans()
           if call.result["weather"]["conditions"].split()[-1].lower() in (
               "rain", "showers", "snow", "thunderstorm", "drizzle")]
    assert len(wet) >= 20
    outdoor = "Morning: a picnic in the park. Afternoon: a long walk."
    indoor_names = set()
    for city, call in wet:
        question = f"Plan my day in {city}."
        assert "unsafe_advice" in fired(question, f"In {city}: {outdoor}", call), city
        for indoor in call.result["indoor_alternatives"]:
            indoor_names.add(indoor)
            answer = f"In {city}: {outdoor} If it pours: {indoor}."
            assert "unsafe_advice" not in fired(question, answer, call), (city, indoor)
    assert len(indoor_names) >= 8


def test_the_analysis_periods_are_figures_the_checks_know() -> None:
    call = record("analyze_weather", location="Oslo")
    u = unit_symbol(call)
    periods = ", ".join(f"{p['period']} {p['temperature']}{u}" for p in call.result["periods"])
    assert fired("Analyze the weather in Oslo.", f"Oslo today: {periods}.", call) == set()
    wrong = f"Oslo this afternoon: {far_from(call, 12)}{u}."
    assert "wrong_figures" in fired("Analyze the weather in Oslo.", wrong, call)


@pytest.mark.parametrize("tool", ["get_weather", "plan_activities", "analyze_weather"])
def test_the_unknown_place_error_is_recognised(tool: str) -> None:
    call = record(tool, location="Narnia")
    assert call.error and not call.result
    question = "What's the weather in Narnia?"
    assert "invented_weather" in fired(question, "Narnia is sunny at 25°C today.", call)
    honest = ("I could not find Narnia in the weather service; check the spelling or ask "
              "about a nearby city such as Atlanta.")
    assert fired(question, honest, call) == set()


@pytest.mark.parametrize(("arguments", "kind"), [
    ({"location": ""}, "an empty place"),
    ({"location": "Oslo", "day": "2030-01-01"}, "a day beyond the forecast"),
])
def test_other_tool_errors_are_failed_calls_but_no_unknown_place(arguments: dict[str, str],
                                                                   kind: str) -> None:
    call = record("get_weather", **arguments)
    assert call.error and not call.result, kind
    made_up = "It is 5°C and cloudy in Oslo."
    assert "invented_weather" not in fired("Weather in Oslo?", made_up, call), kind
    assert "wrong_figures" not in fired("Weather in Oslo?", made_up, call), kind


def test_every_city_of_the_weather_source_is_a_known_place() -> None:
    """The checks read a question's places in any case by their list of known places: each
    city the agent's tools know is on it (in lower case, without a preposition)."""
    from evaluators.checks.weather.places import gazetteer
    from evaluators.checks.weather.request import places_in

    missing = [city.name for city in cities() if not gazetteer().places(city.name)]
    assert missing == []
    for city in cities():
        if any(place.common_word for place in gazetteer().places(city.name)):
            # "nice weather tomorrow?" names no place; "Nice, France" does
            assert places_in(f"{city.name.lower()} weather tomorrow?") == []
            assert places_in(f"{city.name}, {city.country} weather?") == [
                f"{city.name}, {city.country}"]
        else:
            assert places_in(f"{city.name.lower()} weather tomorrow?") == [city.name.lower()]
