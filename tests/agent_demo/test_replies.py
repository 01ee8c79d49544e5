"""The guard on what an answer concludes about heat, cold, wind and rain (issue 20): a
conclusion no figure supports is caught; denials, hedges, questions and the catalog's own
activity names are not."""

from __future__ import annotations

import datetime as dt

import pytest

from agent_demo import descriptions
from agent_demo.facts import Lookup
from agent_demo.replies import contradictions
from agent_demo.tools import run_tool
from tests.agent_demo.support import found, report

MILD = [found("Bologna", report(13.8, feels_like=13.1, low=9.0, high=16.2))]


def test_a_mild_day_called_too_hot_is_caught_with_its_figures() -> None:
    assert contradictions("It's too hot for walking tours today, so visit a museum.", MILD) \
        == ['"too hot", but the figures make it cool or mild (Bologna: 13.8 °C, feels like '
            '13.1 °C, low 9.0 °C, high 16.2 °C)']


@pytest.mark.parametrize("answer", [
    "It's not too hot for a walking tour today.",
    "Neither hot nor cold: a mild 13.8 °C.",
    "If it gets hot later, rest in the shade.",
    "Too hot for a walking tour? Not at all.",
    "Afternoon: winter walk with a hot drink. Evening: a hot chocolate.",
    "Wear a warm coat in the morning, and keep warm.",
    "Bologna is mild and calm today, with a dry afternoon.",
    "It is cool in the morning, a chilly 9 °C.",  # the low earns 'cool', a neighbour of it
])
def test_what_the_figures_allow_passes(answer: str) -> None:
    assert contradictions(answer, MILD) == []


def test_advice_to_keep_warm_on_a_cold_day_is_no_claim_of_warmth() -> None:
    cold = [found("Oslo", report(-2.0, high=1.0))]
    assert contradictions("Wear a warm coat, wrap up warm and stay warm: it is cold.", cold) \
        == []
    assert contradictions("A warm day for a walk.", cold)


@pytest.mark.parametrize(("answer", "weather", "phrase"), [
    ("A hot day in Oslo.", report(2.0), '"hot"'),
    ("A warm afternoon in Oslo.", report(-2.0, high=1.0), '"warm"'),
    ("It is freezing in Bangkok!", report(31.0, feels_like=36.0), '"freezing"'),
    ("It's a very windy day.", report(20.0, wind=5.0, gust=9.0), '"very windy"'),
    ("Expect calm winds.", report(12.0, wind=45.0, gust=80.0), '"calm winds"'),
    ("A rainy day, take an umbrella.", report(20.0, chance=5), '"rainy"'),
    ("Thunderstorms are likely.", report(25.0, conditions="Clear sky", chance=3),
     '"Thunderstorms"'),
    ("It will be a dry day.", report(9.0, conditions="Heavy rain", chance=95), '"dry day"'),
    ("Too hot for a walk.", report(57.0, unit="°F", wind_unit="mph"), '"Too hot"'),
])
def test_what_the_figures_rule_out_is_caught(answer: str, weather: dict, phrase: str) -> None:
    [found_] = contradictions(answer, [found("There", weather)])
    assert found_.startswith(f"{phrase}, but the figures make it")


def test_several_places_a_word_passes_when_any_place_earns_it() -> None:
    lookups = [found("Madrid", report(30.0)), found("Oslo", report(-1.0))]
    assert contradictions("Madrid is hot, Oslo is cold.", lookups) == []
    [wrong] = contradictions("Both are windy today.", lookups)
    assert "Madrid: wind 8.0 km/h, gusts 12.8 km/h; Oslo: wind 8.0 km/h" in wrong


def test_a_part_of_the_day_earns_its_own_words() -> None:
    plan = {"weather": report(16.0, conditions="Moderate rain", chance=80),
            "plan": [{"period": "morning", "temperature": 14.0, "conditions": "Partly cloudy"},
                     {"period": "afternoon", "temperature": 18.0,
                      "conditions": "Moderate rain"}]}
    lookups = [Lookup("Rome", {"plan_activities": plan})]
    assert contradictions("The morning stays dry, the afternoon is rainy.", lookups) == []
    all_wet = {**plan, "plan": [{**p, "conditions": "Moderate rain"} for p in plan["plan"]]}
    assert contradictions("A dry day.", [Lookup("Rome", {"plan_activities": all_wet})])


def test_nothing_to_check_against_is_no_contradiction() -> None:
    assert contradictions("A hot day.", []) == []
    unknown = Lookup("Narnia", error={"error": "no weather data"}, unknown_place=True)
    assert contradictions("A hot day.", [unknown]) == []


@pytest.mark.parametrize("place", ["Oslo", "Cairo", "Singapore", "Reykjavik", "Wellington",
                                   "Valencia, Spain", "Norilsk", "Da Nang"])
def test_the_words_the_writer_is_told_always_pass(place: str) -> None:
    for offset in range(7):
        day = dt.date(2026, 3, 14) + dt.timedelta(days=offset)
        plan = run_tool("plan_activities", {"location": place}, day)
        said = descriptions.words(plan["weather"])
        wind = {"calm": "a calm day", "breezy": "a breeze", "windy": "a windy day",
                "very windy": "a very windy day"}[said.wind]
        rain = {"dry": "a dry day", "showers possible": "maybe showers",
                "wet": "a wet day"}[said.rain]
        answer = f"It is a {said.temperature} day, {wind}, {rain}."
        assert contradictions(answer, [Lookup(place, {"plan_activities": plan})]) == [], answer
