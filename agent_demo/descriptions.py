"""The words a day's figures earn: hot, warm, mild, cool or cold; calm, breezy, windy or very
windy; dry, showers possible or wet.

One set of thresholds, so that nothing the agent concludes about heat, cold, wind or rain
contradicts its figures: the analysis (comfort, what to wear), the day plan's notes, the
writer's view of the results (an "In words" line per place) and the guard that checks the
written answer (:mod:`agent_demo.replies`) all read them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent_demo.weather import is_wet, to_celsius, to_kmh

TEMPERATURE_WORDS = ("cold", "cool", "mild", "warm", "hot")  # coldest first
_TEMPERATURE_FROM = ((28.0, "hot"), (20.0, "warm"), (13.0, "mild"), (5.0, "cool"))
_WIND_BELOW = ((12.0, 30.0, "calm"), (25.0, 45.0, "breezy"), (40.0, 70.0, "windy"))  # km/h
SHOWERS_FROM_PERCENT = 30  # a dry day with at least this chance of precipitation


def temperature_word(celsius: float) -> str:
    """hot from 28 °C, warm from 20, mild from 13, cool from 5, else cold."""
    return next((word for start, word in _TEMPERATURE_FROM if celsius >= start), "cold")


def wind_word(kmh: float, gust_kmh: float) -> str:
    """calm below 12 km/h (gusts below 30), breezy below 25 (45), windy below 40 (70), else
    very windy."""
    return next((word for wind_below, gust_below, word in _WIND_BELOW
                 if kmh < wind_below and gust_kmh < gust_below), "very windy")


def rain_word(conditions: str, chance_percent: float) -> str:
    """wet when the conditions are rain, snow, sleet or storms; else dry, or showers possible
    from a 30% chance of precipitation."""
    if is_wet(conditions):
        return "wet"
    return "showers possible" if chance_percent >= SHOWERS_FROM_PERCENT else "dry"


@dataclass(frozen=True)
class Words:
    """What one day's figures say in words."""

    temperature: str  # of the feels-like temperature
    wind: str
    rain: str


def words(report: dict[str, Any]) -> Words:
    """The words of a get_weather report (in any units)."""
    t_unit, w_unit = report["temperature_unit"], report["wind_unit"]
    return Words(
        temperature=temperature_word(to_celsius(report["feels_like"], t_unit)),
        wind=wind_word(to_kmh(report["wind_speed"], w_unit), to_kmh(report["wind_gust"], w_unit)),
        rain=rain_word(report["conditions"], report["precipitation_chance_percent"]))


@dataclass(frozen=True)
class Span:
    """Every word some figure of a place's day earns (the day, its low and high, its parts),
    for checking an answer that may speak of any of them."""

    temperature: frozenset[str]
    wind: frozenset[str]
    rain: frozenset[str]
    figures: dict[str, str]  # the figures behind each kind of word, for a message


def span(report: dict[str, Any], periods: list[dict[str, Any]]) -> Span:
    """The words of ``report``'s day and of its ``periods`` ({'temperature', 'conditions'},
    in the report's unit)."""
    t, w = report["temperature_unit"], report["wind_unit"]
    temperatures = [report[key] for key in ("temperature", "feels_like", "low", "high")]
    temperatures += [period["temperature"] for period in periods]
    day = words(report)
    parts = ", ".join(f"{p['period']} {p['temperature']} {t}" for p in periods)
    return Span(
        temperature=frozenset(temperature_word(to_celsius(value, t)) for value in temperatures),
        wind=frozenset({day.wind}),
        rain=frozenset({day.rain} | {rain_word(p["conditions"], 0) for p in periods}),
        figures={"temperature": f"{report['temperature']} {t}, feels like "
                                f"{report['feels_like']} {t}, low {report['low']} {t}, high "
                                f"{report['high']} {t}" + (f", {parts}" if parts else ""),
                 "wind": f"wind {report['wind_speed']} {w}, gusts {report['wind_gust']} {w}",
                 "rain": f"{report['conditions'].lower()}, "
                         f"{report['precipitation_chance_percent']}% chance of precipitation"})
