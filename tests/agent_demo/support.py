"""Synthetic tool results for the agent_demo unit tests: a get_weather report with chosen
figures, and a Lookup holding one."""

from __future__ import annotations

from typing import Any

from agent_demo.facts import Lookup


def report(temperature: float, *, feels_like: float | None = None, low: float | None = None,
           high: float | None = None, wind: float = 8.0, gust: float | None = None,
           conditions: str = "Partly cloudy", chance: int = 10, unit: str = "°C",
           wind_unit: str = "km/h", location: str = "Testville, Nowhere") -> dict[str, Any]:
    """A get_weather result; the feels-like is the temperature, the low 3 below and the high
    2 above it, the gusts 1.6 times the wind, unless given."""
    return {
        "location": location, "date": "2026-03-14", "conditions": conditions,
        "temperature": temperature,
        "feels_like": temperature if feels_like is None else feels_like,
        "low": round(temperature - 3, 1) if low is None else low,
        "high": round(temperature + 2, 1) if high is None else high,
        "temperature_unit": unit, "humidity_percent": 60, "wind_speed": wind,
        "wind_gust": round(wind * 1.6, 1) if gust is None else gust, "wind_unit": wind_unit,
        "precipitation_chance_percent": chance,
    }


def found(place: str, weather: dict[str, Any]) -> Lookup:
    """A place whose get_weather call returned ``weather``."""
    return Lookup(place, {"get_weather": weather})
