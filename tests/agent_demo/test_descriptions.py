"""The words a day's figures earn (issue 20): one set of thresholds, used by the analysis,
the day plan, the writer's view of the results and the answer guard."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from agent_demo import analysis, descriptions, places, planning
from agent_demo.facts import Lookup, render
from agent_demo.tools import run_tool
from agent_demo.weather import DailyWeather, Period, daily_weather
from tests.agent_demo.support import found, report

DAY = dt.date(2026, 3, 14)


@pytest.mark.parametrize(("celsius", "word"), [
    (35.0, "hot"), (28.0, "hot"), (27.9, "warm"), (20.0, "warm"), (19.9, "mild"),
    (13.8, "mild"), (13.0, "mild"), (12.9, "cool"), (5.0, "cool"), (4.9, "cold"),
    (-12.0, "cold")])
def test_temperature_words(celsius: float, word: str) -> None:
    assert descriptions.temperature_word(celsius) == word


@pytest.mark.parametrize(("wind", "gust", "word"), [
    (5, 10, "calm"), (11.9, 29, "calm"), (8, 35, "breezy"), (24, 40, "breezy"),
    (30, 50, "windy"), (20, 60, "windy"), (45, 70, "very windy"), (10, 75, "very windy")])
def test_wind_words(wind: float, gust: float, word: str) -> None:
    assert descriptions.wind_word(wind, gust) == word


@pytest.mark.parametrize(("conditions", "chance", "word"), [
    ("Clear sky", 5, "dry"), ("Overcast", 29, "dry"), ("Overcast", 30, "showers possible"),
    ("Light drizzle", 62, "wet"), ("Snow", 90, "wet"), ("Thunderstorm", 80, "wet")])
def test_rain_words(conditions: str, chance: int, word: str) -> None:
    assert descriptions.rain_word(conditions, chance) == word


def test_words_do_not_depend_on_the_units() -> None:
    metric = report(13.8, feels_like=13.1, wind=32.0, gust=52.0)
    imperial = report(56.8, feels_like=55.6, unit="°F", wind=19.9, gust=32.3, wind_unit="mph")
    assert descriptions.words(metric) == descriptions.words(imperial) == descriptions.Words(
        temperature="mild", wind="windy", rain="dry")


def test_the_writer_is_told_the_words_of_the_day_and_of_its_parts() -> None:
    lookup = found("Bologna", report(13.8, feels_like=13.1))
    assert "In words (from these figures): mild (feels like 13.1 °C), calm, dry." in \
        render(lookup)
    plan = run_tool("plan_activities", {"location": "Oslo"}, DAY)
    text = render(Lookup("Oslo", {"plan_activities": plan}))
    for period in plan["plan"]:
        word = descriptions.temperature_word(period["temperature"])
        assert f"{period['temperature']} °C, {word})" in text


@pytest.mark.parametrize("feels", [-8.0, 2.0, 7.5, 13.8, 19.0, 24.0, 30.0, 36.0])
def test_the_analysis_concludes_what_the_words_say(feels: float) -> None:
    word = descriptions.temperature_word(feels)
    comfort = analysis.comfort(feels, 50)
    assert word in comfort or (word, comfort) == ("cold", "freezing")
    others = set(descriptions.TEMPERATURE_WORDS) - {word}
    assert not any(other in comfort.split() for other in others), comfort
    weather = _day(feels)
    assert analysis.clothing(weather, 0)[0] == analysis.CLOTHING[word]


def _day(celsius: float, *, gust: float = 15.0, setting: str = "city") -> DailyWeather:
    """A dry day at ``celsius`` all day long, in a city of the given setting."""
    city = dataclasses.replace(places.curated_index()["paris"], setting=setting)
    base = daily_weather(city, DAY)
    periods = tuple(Period(p.name, p.hours, celsius, "Partly cloudy") for p in base.periods)
    return dataclasses.replace(base, conditions="Partly cloudy", temperature_c=celsius,
                               feels_like_c=celsius, temp_min_c=celsius - 3,
                               temp_max_c=celsius + 2, wind_kmh=gust / 1.6, gust_kmh=gust,
                               precipitation_chance=5, periods=periods)


def test_a_mild_day_plan_never_notes_heat_or_cold() -> None:
    plan = planning.plan_day(_day(13.8))
    for period in plan["plan"]:
        assert "hot" not in period["note"] and "cold" not in period["note"], period
        assert period["outdoor"]


def test_a_part_of_the_day_planned_indoors_says_why_by_the_figures() -> None:
    hot = planning.plan_day(_day(35.0))
    evening = hot["plan"][2]
    assert not evening["outdoor"]
    assert evening["note"] == "hot: seek shade and carry water; indoors: too hot for the " \
                              "outdoor options"
    gusty = planning.plan_day(_day(15.0, gust=65.0), unit="fahrenheit")
    assert all(p["note"] == "indoors: gusts to 40.4 mph" for p in gusty["plan"])
    asked = planning.plan_day(_day(15.0), preferences="indoor only")
    assert all(p["note"] == "indoors, as asked" for p in asked["plan"])
