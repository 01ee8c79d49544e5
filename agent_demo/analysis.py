"""The detailed weather analysis step: comfort, risks, UV, the best outdoor window, what to wear.

Pure functions of a :class:`~agent_demo.weather.DailyWeather`; the agent's analyze_weather
tool calls :func:`analyze`.
"""

from __future__ import annotations

import math
from typing import Any

from agent_demo.descriptions import temperature_word
from agent_demo.weather import (
    DailyWeather,
    Period,
    convert_speed,
    convert_temperature,
    is_wet,
    report,
    resolve_temperature_unit,
    resolve_wind_unit,
)

BEAUFORT = ((1, "calm"), (6, "light air"), (12, "light breeze"), (20, "gentle breeze"),
            (29, "moderate breeze"), (39, "fresh breeze"), (50, "strong breeze"),
            (62, "near gale"), (75, "gale"), (89, "strong gale"), (1e9, "storm"))


def wind_description(kmh: float) -> str:
    return next(name for limit, name in BEAUFORT if kmh < limit)


def comfort(feels_c: float, humidity: int) -> str:
    """How the day feels: its temperature word (:mod:`agent_demo.descriptions`) with what
    humidity or extremes add."""
    word = temperature_word(feels_c)
    if word == "hot":
        return "dangerously hot" if feels_c >= 35 else \
            "hot and humid" if humidity >= 60 else "hot"
    if word == "cold":
        return "freezing" if feels_c < 0 else "cold"
    return {"warm": "warm and muggy" if humidity >= 75 else "warm and pleasant",
            "mild": "mild, a layer needed", "cool": "cool, a jacket needed"}[word]


def uv_index(weather: DailyWeather) -> int:
    """A clear-sky UV estimate from the noon sun elevation, reduced by cloud and rain."""
    declination = 23.44 * weather.seasonal_warmth * (1 if weather.city.lat >= 0 else -1)
    elevation = 90 - abs(weather.city.lat - declination)
    clear_sky = 12.5 * math.sin(math.radians(max(0.0, elevation))) ** 2.4
    cover = {"Clear sky": 1.0, "Mainly clear": 0.95, "Partly cloudy": 0.75, "Overcast": 0.4,
             "Fog": 0.3}.get(weather.conditions, 0.35)
    return round(clear_sky * cover)


def period_score(period: Period) -> float:
    """Higher is better for being outside: dry, and close to 21 °C."""
    return -abs(period.temperature_c - 21) - (15 if is_wet(period.conditions) else 0)


def warnings(weather: DailyWeather) -> list[str]:
    found = []
    if weather.feels_like_c >= 32:
        found.append("heat: limit strenuous activity around midday and drink water often")
    if weather.temp_min_c <= 0:
        found.append("frost or ice: paths may be slippery in the morning")
    if weather.gust_kmh >= 55:
        found.append(f"strong gusts ({wind_description(weather.gust_kmh)})")
    if weather.conditions == "Thunderstorm":
        found.append("thunderstorms: avoid open ground, water and exposed ridges")
    if "snow" in weather.conditions.lower() or weather.conditions == "Sleet":
        found.append("snow or sleet: allow extra travel time")
    return found


CLOTHING = {"cold": "warm coat, hat and gloves", "cool": "jacket or warm layer",
            "mild": "light layers or a light jacket", "warm": "light, breathable clothing",
            "hot": "light, breathable clothing"}


def clothing(weather: DailyWeather, uv: int) -> list[str]:
    items = [CLOTHING[temperature_word(weather.feels_like_c)]]
    if weather.wet or weather.precipitation_chance >= 40:
        items.append("waterproof jacket or umbrella")
    if uv >= 6:
        items.append("sunscreen, hat and sunglasses")
    return items


def analyze(weather: DailyWeather, unit: str = "celsius", wind: str | None = None
            ) -> dict[str, Any]:
    """The analysis the analyze_weather tool returns, in the requested units."""
    temp_unit = resolve_temperature_unit(unit)
    speed_unit = resolve_wind_unit(wind, temp_unit)
    uv = uv_index(weather)
    best = max(weather.periods, key=period_score)
    rain = weather.precipitation_chance
    return {
        "weather": report(weather, unit, wind),
        "periods": [
            {"period": p.name, "hours": p.hours, "conditions": p.conditions,
             "temperature": convert_temperature(p.temperature_c, temp_unit)}
            for p in weather.periods],
        "comfort": comfort(weather.feels_like_c, weather.humidity),
        "rain_risk": "high" if rain >= 60 else "moderate" if rain >= 30 else "low",
        "wind": f"{wind_description(weather.wind_kmh)}, gusts to "
                f"{convert_speed(weather.gust_kmh, speed_unit)} {speed_unit}",
        "uv_index": uv,
        "daily_range": round(convert_temperature(weather.temp_max_c, temp_unit)
                             - convert_temperature(weather.temp_min_c, temp_unit), 1),
        "best_outdoor_window": f"{best.name} ({best.hours})",
        "what_to_wear": clothing(weather, uv),
        "warnings": warnings(weather),
    }
