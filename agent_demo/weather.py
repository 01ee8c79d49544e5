"""An offline, deterministic weather source for every city of over 15,000 people.

Every value is a seeded function of (city, date): the same question on the same day always
gets the same weather, and no network is needed. Each city has a climate type, an annual mean
temperature and a seasonal amplitude: set by hand for the ~160 cities of ``data/cities.csv``,
estimated from the coordinates for the others (:mod:`agent_demo.gazetteer`); the climate sets
the daily range, humidity, rain and wind. Values are stored in °C and km/h and converted on
the way out.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import random
from dataclasses import dataclass
from typing import Any

from agent_demo import gazetteer
from agent_demo.places import City, curated_index, normalize, qualifies

FORECAST_DAYS = 7
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PERIODS = {"morning": "08:00-11:00", "afternoon": "13:00-17:00", "evening": "18:00-21:00"}


class WeatherToolError(ValueError):
    """A request the weather source cannot answer; the message says what to change."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = suggestions or []

    def payload(self) -> dict[str, Any]:
        """The error as a tool result the model can explain to the user."""
        payload: dict[str, Any] = {"error": str(self)}
        if self.suggestions:
            payload["suggestions"] = self.suggestions
        return payload


class UnknownLocationError(WeatherToolError):
    """The place is neither in the curated table nor in the gazetteer."""


@dataclass(frozen=True)
class Climate:
    diurnal_c: float  # typical difference between the day's low and high
    humidity: float  # mean relative humidity, %
    rain: float  # chance that a day is wet
    wind_kmh: float  # mean wind speed
    wet_season: str  # "summer", "winter" or "" (rain spread over the year)
    storms: bool  # warm wet days may be thunderstorms
    cloudiness: float  # 0..1, how often dry days are cloudy


CLIMATES: dict[str, Climate] = {
    "tropical_rainforest": Climate(7, 80, 0.55, 9, "", True, 0.6),
    "tropical_monsoon": Climate(8, 75, 0.40, 11, "summer", True, 0.5),
    "arid_hot": Climate(12, 30, 0.04, 14, "", False, 0.1),
    "arid_coastal": Climate(6, 78, 0.05, 13, "", False, 0.8),
    "semi_arid": Climate(13, 42, 0.15, 14, "", False, 0.25),
    "mediterranean": Climate(9, 62, 0.22, 15, "winter", False, 0.3),
    "humid_subtropical": Climate(8, 70, 0.33, 12, "summer", True, 0.5),
    "oceanic": Climate(7, 78, 0.42, 18, "", False, 0.65),
    "continental": Climate(9, 68, 0.30, 15, "", True, 0.5),
    "subpolar": Climate(5, 78, 0.45, 22, "", False, 0.7),
    "highland": Climate(12, 62, 0.35, 10, "summer", True, 0.45),
}


@dataclass(frozen=True)
class Period:
    """Part of the day: its temperature (°C) and conditions."""

    name: str
    hours: str
    temperature_c: float
    conditions: str


@dataclass(frozen=True)
class DailyWeather:
    """One city's weather on one day, in °C, km/h and %."""

    city: City
    date: dt.date
    conditions: str
    temperature_c: float
    feels_like_c: float
    temp_min_c: float
    temp_max_c: float
    humidity: int
    wind_kmh: float
    gust_kmh: float
    precipitation_chance: int
    periods: tuple[Period, ...]
    seasonal_warmth: float  # -1 (deep winter) .. +1 (high summer)

    @property
    def wet(self) -> bool:
        return is_wet(self.conditions)


def unknown_location(location: str, suggestions: list[str] | None = None
                     ) -> UnknownLocationError:
    """The error for a place the weather source does not know."""
    return UnknownLocationError(
        f"no weather data for '{location.strip()}': it is not a city this service covers "
        "(check the spelling, or ask about a nearby major city)", suggestions)


def _suggestions(name: str) -> list[str]:
    """Up to three labels of cities named like ``name`` (normalized): of the curated table,
    else of the gazetteer."""
    index = curated_index()
    close = difflib.get_close_matches(name, list(index), n=3, cutoff=0.75)
    labels = [index[match].label for match in close] or gazetteer.similar(name)
    return list(dict.fromkeys(labels))


def find_city(location: str) -> City:
    """The city named by ``location`` ('Paris', 'paris, france', 'Portland, OR', 'Tokio').

    The curated table first, then every city of over 15,000 people (the most populous of a
    name, unless a country or region after a comma says otherwise; a qualifier that names no
    country or region the gazetteer knows is not held against a city). Raises
    UnknownLocationError, with close matches as suggestions, for anything else.
    """
    if not isinstance(location, str) or not normalize(location):
        raise UnknownLocationError("location is empty: give a city name such as 'Paris'")
    index = curated_index()
    key = normalize(location)
    if key in index:
        return index[key]
    name, *rest = location.split(",")
    name = normalize(name)
    qualifiers = tuple(q for q in map(normalize, rest) if q)
    city = index.get(name)
    if city is not None and all(qualifies(city, q) for q in qualifiers):
        return city
    if name:
        qualifiers = gazetteer.checkable(qualifiers)  # 'Valencia, Carabobo': 'Valencia'
        if city is not None and all(qualifies(city, q) for q in qualifiers):
            return city
        if (found := gazetteer.find(name, qualifiers)) is not None:
            return found
    raise unknown_location(location, _suggestions(name))


def namesakes(location: str) -> list[str]:
    """Other cities a bare name could mean when the gazetteer took the most populous of
    several ('Valencia': Valencia, Spain and Valencia, California); [] for a curated city or
    a name with a country or region after a comma."""
    name = normalize(location)
    if "," in location or name in curated_index():
        return []
    city = find_city(location)
    return gazetteer.namesakes(name, city) if city.ident else []


def resolve_day(day: str | None, today: dt.date) -> dt.date:
    """'today', 'tomorrow', a weekday name, 'weekend' or YYYY-MM-DD within the forecast."""
    text = normalize(day or "today")
    if text in ("", "today", "now", "tonight"):
        return today
    if text == "tomorrow":
        return today + dt.timedelta(days=1)
    text = text.removeprefix("this ").removeprefix("next ")
    if text == "weekend":
        text = "saturday"
    if text in WEEKDAYS:
        return today + dt.timedelta(days=(WEEKDAYS.index(text) - today.weekday()) % 7)
    try:
        date = dt.date.fromisoformat(str(day).strip())
    except ValueError:
        date = None
    last = today + dt.timedelta(days=FORECAST_DAYS - 1)
    if date is None or not today <= date <= last:
        raise WeatherToolError(
            f"day '{day}' is not available: use 'today', 'tomorrow', a weekday name or a date "
            f"from {today.isoformat()} to {last.isoformat()}")
    return date


def seasonal_warmth(city: City, date: dt.date) -> float:
    """-1 on the coldest day of the year (mid-January north, mid-July south) to +1."""
    phase = math.cos(2 * math.pi * (date.timetuple().tm_yday - 15) / 365.25)
    return -phase if city.lat >= 0 else phase


def is_wet(conditions: str) -> bool:
    return any(word in conditions.lower() for word in ("rain", "drizzle", "snow", "sleet",
                                                       "thunder", "shower"))


def _wet_conditions(rng: random.Random, temp_c: float, climate: Climate) -> str:
    strength = rng.random()
    if temp_c <= 0.5:
        return "Light snow" if strength < 0.5 else "Snow" if strength < 0.85 else "Heavy snow"
    if temp_c <= 2.5:
        return "Sleet"
    if climate.storms and temp_c >= 20 and strength > 0.6:
        return "Thunderstorm"
    if strength < 0.3:
        return "Light drizzle"
    if strength < 0.65:
        return "Rain showers"
    return "Moderate rain" if strength < 0.9 else "Heavy rain"


def _dry_conditions(rng: random.Random, climate: Climate) -> str:
    cover = rng.random() * 0.6 + climate.cloudiness * 0.5
    if cover > 0.98 and climate.humidity >= 70:
        return "Fog"
    if cover > 0.75:
        return "Overcast"
    if cover > 0.5:
        return "Partly cloudy"
    return "Mainly clear" if cover > 0.3 else "Clear sky"


def feels_like(temp_c: float, humidity: float, wind_kmh: float) -> float:
    """Wind chill below 10 °C, the heat index above 27 °C, else the air temperature."""
    if temp_c <= 10 and wind_kmh > 4.8:
        v = wind_kmh ** 0.16
        return 13.12 + 0.6215 * temp_c - 11.37 * v + 0.3965 * temp_c * v
    if temp_c >= 27 and humidity >= 40:
        t, r = temp_c * 9 / 5 + 32, humidity
        hi = (-42.379 + 2.04901523 * t + 10.14333127 * r - 0.22475541 * t * r
              - 0.00683783 * t * t - 0.05481717 * r * r + 0.00122874 * t * t * r
              + 0.00085282 * t * r * r - 0.00000199 * t * t * r * r)
        return max(temp_c, (hi - 32) * 5 / 9)
    return temp_c


def daily_weather(city: City, date: dt.date) -> DailyWeather:
    """The deterministic weather of ``city`` on ``date``."""
    climate = CLIMATES[city.climate]
    rng = random.Random(f"{city.seed}|{date.isoformat()}")
    warmth = seasonal_warmth(city, date)
    mean = city.mean_c + city.amplitude_c * warmth + rng.gauss(0, 1.8 + city.amplitude_c * 0.12)

    season_factor = {"summer": 1 + 0.6 * warmth, "winter": 1 - 0.7 * warmth}.get(
        climate.wet_season, 1.0)
    rain_chance = min(0.9, max(0.01, climate.rain * season_factor))
    wet = rng.random() < rain_chance
    conditions = _wet_conditions(rng, mean, climate) if wet else _dry_conditions(rng, climate)
    if wet:
        precipitation = round(100 * min(0.98, 0.55 + rng.random() * 0.4))
    else:
        precipitation = round(100 * min(0.45, rain_chance * rng.random()))

    spread = climate.diurnal_c * rng.uniform(0.8, 1.2)
    if wet or conditions in ("Overcast", "Fog"):
        spread *= 0.6
    low, high = mean - spread / 2, mean + spread / 2
    humidity = climate.humidity + rng.gauss(0, 7) + (14 if wet else 0) - max(0, mean - 30) * 2
    humidity = round(min(100, max(8, humidity)))
    wind = max(1.0, climate.wind_kmh * rng.lognormvariate(0, 0.35))
    gust = wind * rng.uniform(1.35, 1.9)
    if conditions == "Thunderstorm":
        wind, gust = wind + 8, gust + 25
    temperature = mean + 0.3 * spread

    wet_periods = {name for name in PERIODS if rng.random() < 0.6} if wet else set()
    if wet and not wet_periods:
        wet_periods = {rng.choice(list(PERIODS))}
    period_temps = {"morning": low + 0.35 * spread, "afternoon": high - 0.05 * spread,
                    "evening": low + 0.55 * spread}
    dry_sky = "Partly cloudy" if wet else conditions
    periods = tuple(
        Period(name, hours, period_temps[name], conditions if name in wet_periods else dry_sky)
        for name, hours in PERIODS.items())

    return DailyWeather(
        city=city, date=date, conditions=conditions, temperature_c=temperature,
        feels_like_c=feels_like(temperature, humidity, wind), temp_min_c=low, temp_max_c=high,
        humidity=humidity, wind_kmh=wind, gust_kmh=gust, precipitation_chance=precipitation,
        periods=periods, seasonal_warmth=warmth)


# --- units --------------------------------------------------------------------------------------

TEMPERATURE_UNITS = {"celsius": "celsius", "c": "celsius", "metric": "celsius",
                     "fahrenheit": "fahrenheit", "f": "fahrenheit", "imperial": "fahrenheit"}
WIND_UNITS = {"km h": "km/h", "kmh": "km/h", "kph": "km/h", "mph": "mph", "m s": "m/s",
              "ms": "m/s"}


def resolve_temperature_unit(unit: str | None) -> str:
    """'celsius' or 'fahrenheit' from the many ways people write them."""
    key = normalize(unit or "celsius").removeprefix("degrees ").replace(" ", "")
    if key not in TEMPERATURE_UNITS:
        raise WeatherToolError(f"unit '{unit}' is not supported: use 'celsius' or 'fahrenheit'")
    return TEMPERATURE_UNITS[key]


def resolve_wind_unit(unit: str | None, temperature: str) -> str:
    """'km/h', 'mph' or 'm/s'; by default mph with Fahrenheit and km/h with Celsius."""
    if not unit:
        return "mph" if temperature == "fahrenheit" else "km/h"
    key = normalize(unit)
    if key not in WIND_UNITS:
        raise WeatherToolError(f"wind_unit '{unit}' is not supported: use 'km/h' or 'mph'")
    return WIND_UNITS[key]


def convert_temperature(celsius: float, unit: str) -> float:
    return round(celsius * 9 / 5 + 32 if unit == "fahrenheit" else celsius, 1)


SPEED_FACTORS = {"km/h": 1.0, "mph": 1 / 1.609344, "m/s": 1 / 3.6}  # from km/h


def convert_speed(kmh: float, unit: str) -> float:
    return round(kmh * SPEED_FACTORS[unit], 1)


def to_celsius(value: float, symbol: str) -> float:
    """A reported temperature (``symbol`` '°C' or '°F') in °C."""
    return (value - 32) * 5 / 9 if symbol == "°F" else value


def to_kmh(value: float, unit: str) -> float:
    """A reported speed (``unit`` 'km/h', 'mph' or 'm/s') in km/h."""
    return value / SPEED_FACTORS[unit]


def report(weather: DailyWeather, unit: str = "celsius", wind: str | None = None
           ) -> dict[str, Any]:
    """The weather as the JSON-ready dict the get_weather tool returns."""
    temp_unit = resolve_temperature_unit(unit)
    speed_unit = resolve_wind_unit(wind, temp_unit)
    symbol = "°F" if temp_unit == "fahrenheit" else "°C"
    return {
        "location": weather.city.label,
        "date": weather.date.isoformat(),
        "conditions": weather.conditions,
        "temperature": convert_temperature(weather.temperature_c, temp_unit),
        "feels_like": convert_temperature(weather.feels_like_c, temp_unit),
        "low": convert_temperature(weather.temp_min_c, temp_unit),
        "high": convert_temperature(weather.temp_max_c, temp_unit),
        "temperature_unit": symbol,
        "humidity_percent": weather.humidity,
        "wind_speed": convert_speed(weather.wind_kmh, speed_unit),
        "wind_gust": convert_speed(weather.gust_kmh, speed_unit),
        "wind_unit": speed_unit,
        "precipitation_chance_percent": weather.precipitation_chance,
    }


def get_weather(location: str, unit: str = "celsius", day: str | None = "today",
                wind_unit: str | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """Weather for ``location`` on ``day`` in the requested units.

    Raises WeatherToolError (UnknownLocationError for an unknown place) with a message the
    agent can pass on.
    """
    city = find_city(location)
    date = resolve_day(day, today or dt.date.today())
    return report(daily_weather(city, date), unit, wind_unit)
