"""The activity planning step: morning, afternoon and evening suggestions plus indoor
alternatives, chosen from a small catalog by the weather of each part of the day, the city's
setting (city, coast, mountain) and the user's stated preferences.

Deterministic; the agent's plan_activities tool calls :func:`plan_day`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from agent_demo.analysis import warnings
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


@dataclass(frozen=True)
class Activity:
    name: str
    settings: frozenset[str]  # where it makes sense: city, coast, mountain
    periods: frozenset[str]  # morning, afternoon, evening
    min_c: float  # comfortable from this temperature (°C)
    max_c: float  # ...up to this one
    tags: frozenset[str]  # family, free, active, relaxed, food, culture, snow, sea


def _activity(name: str, settings: str, periods: str, min_c: float, max_c: float,
              tags: str) -> Activity:
    return Activity(name, frozenset(settings.split()), frozenset(periods.split()), min_c, max_c,
                    frozenset(tags.split()))


ANY = "city coast mountain"
OUTDOOR = (
    _activity("Walking tour of the historic centre", "city coast", "morning afternoon", 5, 30,
              "culture free family"),
    _activity("Picnic in a central park", "city", "afternoon", 16, 31, "relaxed family free food"),
    _activity("Bike ride along the river or waterfront", "city coast", "morning afternoon", 10,
              29, "active family"),
    _activity("Open-air market browsing", ANY, "morning", 8, 32, "food culture family"),
    _activity("Early run or brisk walk in the park", ANY, "morning", -5, 26, "active free"),
    _activity("Outdoor café terrace and people-watching", "city coast", "afternoon evening", 14,
              32, "relaxed food"),
    _activity("Rooftop bar or terrace at sunset", "city coast", "evening", 15, 33, "relaxed food"),
    _activity("Evening street-food market", "city coast", "evening", 12, 34,
              "food family culture"),
    _activity("Sunset walk on a viewpoint or hill", ANY, "evening", 5, 30, "free relaxed"),
    _activity("Swim and sunbathe at the beach", "coast", "morning afternoon", 24, 38,
              "sea family relaxed"),
    _activity("Kayak or paddleboard in the bay", "coast", "morning afternoon", 18, 33,
              "sea active"),
    _activity("Coastal cliff-path walk", "coast", "morning afternoon", 6, 27, "active free"),
    _activity("Promenade stroll and ice cream", "coast", "afternoon evening", 15, 34,
              "family relaxed food free"),
    _activity("Valley hike on a marked trail", "mountain", "morning afternoon", 4, 27,
              "active free"),
    _activity("Cable car to a panoramic viewpoint", "mountain", "morning afternoon", -10, 28,
              "family relaxed"),
    _activity("Lakeside walk", "mountain city", "afternoon evening", 6, 29, "free relaxed family"),
    _activity("Mountain-bike loop", "mountain", "morning afternoon", 8, 26, "active"),
    _activity("Stargazing away from the lights", "mountain coast", "evening", -5, 28,
              "free relaxed"),
    _activity("Skiing or snowshoeing", "mountain", "morning afternoon", -20, 3, "snow active"),
    _activity("Sledging and a snowy walk", ANY, "morning afternoon", -15, 2, "snow family free"),
    _activity("Ice-skating on an outdoor rink", "city mountain", "afternoon evening", -15, 6,
              "family active"),
    _activity("Winter walk with a hot drink", ANY, "afternoon", -10, 10, "free relaxed"),
)

INDOOR = (
    _activity("Museum or art gallery", ANY, "morning afternoon", -50, 60, "culture family"),
    _activity("Covered food hall tasting", "city coast", "afternoon evening", -50, 60,
              "food family"),
    _activity("Aquarium visit", "coast city", "morning afternoon", -50, 60, "family sea"),
    _activity("Indoor climbing gym", ANY, "afternoon evening", -50, 60, "active"),
    _activity("Cinema, theatre or live music", ANY, "evening", -50, 60, "culture relaxed"),
    _activity("Cooking class with local dishes", "city coast", "afternoon evening", -50, 60,
              "food culture"),
    _activity("Thermal baths or spa", ANY, "afternoon evening", -50, 60, "relaxed"),
    _activity("Bowling or an escape room", "city coast", "afternoon evening", -50, 60,
              "family active"),
    _activity("Library or bookshop café", ANY, "morning afternoon", -50, 60,
              "free relaxed culture"),
    _activity("Science centre or planetarium", "city", "morning afternoon", -50, 60,
              "family culture"),
)

PREFERENCE_WORDS = {
    "family": ("kid", "child", "family", "toddler", "son", "daughter"),
    "free": ("budget", "free", "cheap", "money"),
    "active": ("active", "hike", "hiking", "run", "running", "sport", "bike", "cycling",
               "exercise", "workout"),
    "relaxed": ("relax", "calm", "easy", "chill", "slow", "lazy", "romantic"),
    "food": ("food", "eat", "restaurant", "dinner", "lunch", "foodie"),
    "culture": ("museum", "art", "culture", "history", "historic"),
    "sea": ("beach", "swim", "sea", "ocean", "water"),
}


def preference_tags(preferences: str | None) -> set[str]:
    """Catalog tags named by a free-text preference: 'with two kids, on a budget'."""
    words = (preferences or "").lower()
    return {tag for tag, keys in PREFERENCE_WORDS.items() if any(key in words for key in keys)}


def _rank(options: list[Activity], tags: set[str], rng: random.Random) -> list[Activity]:
    shuffled = rng.sample(options, len(options))
    return sorted(shuffled, key=lambda a: -len(a.tags & tags))


TEMPERATURE_NOTES = {"hot": "hot: seek shade and carry water", "cold": "cold: dress warmly"}
GUSTS_INDOORS_KMH = 60  # gusts from this strength keep every part of the day indoors


def _why_indoors(word: str, gusts: str, wants_indoor: bool, fits: bool) -> str:
    """Why a dry part of the day is planned indoors, from the figures (else a writer may
    make a reason up)."""
    if wants_indoor:
        return "indoors, as asked"
    if not fits:
        return f"indoors: too {word} for the outdoor options" if word in TEMPERATURE_NOTES \
            else "indoors: no outdoor option on the list suits this part of the day"
    return f"indoors: gusts to {gusts}"


def _period_plan(weather: DailyWeather, period: Period, tags: set[str], unit: str,
                 speed_unit: str, rng: random.Random, wants_indoor: bool) -> dict[str, Any]:
    temp = period.temperature_c
    wet = is_wet(period.conditions)
    fits = [a for a in OUTDOOR if weather.city.setting in a.settings
            and period.name in a.periods and a.min_c <= temp <= a.max_c
            and (not wet or ("snow" in a.tags and "snow" in period.conditions.lower()))]
    outdoor_ok = bool(fits) and not wants_indoor and weather.gust_kmh < GUSTS_INDOORS_KMH
    if outdoor_ok:
        picks = _rank(fits, tags, rng)[:2]
    else:
        indoor = [a for a in INDOOR if weather.city.setting in a.settings
                  and period.name in a.periods]
        picks = _rank(indoor, tags, rng)[:2]
    notes = []
    if wet:
        cover = ("wear waterproof boots" if "snow" in period.conditions.lower()
                 else "take an umbrella or stay under cover")
        notes.append(f"{period.conditions.lower()} expected: {cover}")
    word = temperature_word(temp)
    if word in TEMPERATURE_NOTES:
        notes.append(TEMPERATURE_NOTES[word])
    if not outdoor_ok and not wet:
        gusts = f"{convert_speed(weather.gust_kmh, speed_unit)} {speed_unit}"
        notes.append(_why_indoors(word, gusts, wants_indoor, bool(fits)))
    return {
        "period": period.name, "hours": period.hours, "conditions": period.conditions,
        "temperature": convert_temperature(temp, unit), "outdoor": outdoor_ok,
        "suggestions": [a.name for a in picks], "note": "; ".join(notes) or "good conditions",
    }


def plan_day(weather: DailyWeather, unit: str = "celsius", preferences: str | None = None,
             wind: str | None = None) -> dict[str, Any]:
    """The day plan the plan_activities tool returns."""
    temp_unit = resolve_temperature_unit(unit)
    speed_unit = resolve_wind_unit(wind, temp_unit)
    tags = preference_tags(preferences)
    wants_indoor = "indoor" in (preferences or "").lower()
    rng = random.Random(f"plan|{weather.city.name}|{weather.date}|{sorted(tags)}")
    indoor = [a for a in INDOOR if weather.city.setting in a.settings]
    return {
        "weather": report(weather, unit, wind),
        "setting": weather.city.setting,
        "preferences": preferences or "none given",
        "plan": [_period_plan(weather, p, tags, temp_unit, speed_unit, rng, wants_indoor)
                 for p in weather.periods],
        "indoor_alternatives": [a.name for a in _rank(indoor, tags, rng)[:3]],
        "warnings": warnings(weather),
    }
