"""Weather figures in a text: temperatures and speeds with their units, however they are
typed ("4.2°C", "4.2 ºC", "40 degrees Fahrenheit", "75F", "-3 °C" with a minus sign, "75
degrees" with no unit)."""

from __future__ import annotations

import re

from evaluators.checks.text import unify

TEMPERATURE = re.compile(
    r"(?<![\w.])(-?\d+(?:\.\d+)?)\s*(?:°|º|˚|degrees?\s*)\s*([CF])\b"
    r"|(?<![\w.])(-?\d+(?:\.\d+)?)\s*(?:°|º|˚)?\s*(?:degrees?\s+)?(celsius|fahrenheit)\b"
    r"|(?<![\w.])(-?\d+(?:\.\d+)?)([CF])\b",
    re.IGNORECASE)
BARE_DEGREES = re.compile(r"(?<![\w.])(-?\d+(?:\.\d+)?)\s*(?:°|º|˚|degrees?\b)(?!\s*[CFcf]\b)"
                          r"(?!\s*(?:celsius|fahrenheit))", re.IGNORECASE)
SPEED = re.compile(r"(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|km per hour|kilomet(?:er|re)s? per hour|"
                   r"mph|miles per hour|m/s|knots?|kts?)\b", re.IGNORECASE)
SPEED_UNITS = {"kmh": "km/h", "kph": "km/h", "km per hour": "km/h", "miles per hour": "mph",
               "knot": "kn", "knots": "kn", "kt": "kn", "kts": "kn"}


def temperatures(text: str) -> list[tuple[float, str]]:
    """Every temperature with its unit (``C`` or ``F``), in order; "75F" counts, a
    lower-case "75f" does not."""
    found = []
    for match in TEMPERATURE.finditer(unify(text)):
        if match.group(5) and match.group(6).islower():
            continue
        value = match.group(1) or match.group(3) or match.group(5)
        unit = (match.group(2) or match.group(4) or match.group(6) or "")[0].upper()
        found.append((float(value), unit))
    return found


def bare_degrees(text: str) -> list[float]:
    """Temperatures written with no unit ("75 degrees", "12°")."""
    return [float(m.group(1)) for m in BARE_DEGREES.finditer(unify(text))]


def speeds(text: str) -> list[tuple[float, str]]:
    """Every speed with its unit, normalised to ``km/h``, ``mph``, ``m/s`` or ``kn``."""
    found = []
    for match in SPEED.finditer(unify(text)):
        unit = " ".join(match.group(2).lower().split())
        unit = "km/h" if unit.startswith("kilomet") else SPEED_UNITS.get(unit, unit)
        found.append((float(match.group(1)), unit))
    return found


def has_figures(text: str) -> bool:
    """Whether the text states any temperature, speed or percentage."""
    return bool(temperatures(text) or bare_degrees(text) or speeds(text)
                or re.search(r"\d\s*%", text))
