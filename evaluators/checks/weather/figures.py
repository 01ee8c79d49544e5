"""Weather figures in a text: temperatures and speeds with their units."""

from __future__ import annotations

import re

TEMPERATURE = re.compile(r"(-?\d+(?:\.\d+)?)\s*(?:°|º|degrees?\s*)\s*([CF])\b"
                         r"|(-?\d+(?:\.\d+)?)\s*(?:degrees?\s+)?(celsius|fahrenheit)\b",
                         re.IGNORECASE)
SPEED = re.compile(r"(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph|m/s)\b", re.IGNORECASE)


def temperatures(text: str) -> list[tuple[float, str]]:
    """Every temperature with its unit (``C`` or ``F``), in order."""
    found = []
    for match in TEMPERATURE.finditer(text):
        value = match.group(1) or match.group(3)
        unit = (match.group(2) or match.group(4) or "")[0].upper()
        found.append((float(value), unit))
    return found


def speeds(text: str) -> list[tuple[float, str]]:
    """Every speed with its unit, normalised to ``km/h``, ``mph`` or ``m/s``."""
    units = {"kmh": "km/h", "kph": "km/h"}
    return [(float(m.group(1)), units.get(m.group(2).lower(), m.group(2).lower()))
            for m in SPEED.finditer(text)]


def has_figures(text: str) -> bool:
    """Whether the text states any temperature, speed or percentage."""
    return bool(temperatures(text) or speeds(text) or re.search(r"\d\s*%", text))
