"""Reading an answer as a person would glance at it: its figures with units, the places and
conditions it names, whether it asks back, refuses, or is cut off."""

from __future__ import annotations

import re
import unicodedata

TEMPERATURE = re.compile(r"(-?\d+(?:\.\d+)?)\s*(?:°|º|degrees?\s*)\s*([CF])\b"
                         r"|(-?\d+(?:\.\d+)?)\s*(?:degrees?\s+)?(celsius|fahrenheit)\b",
                         re.IGNORECASE)
SPEED = re.compile(r"(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph|m/s)\b", re.IGNORECASE)
SENTENCE_END = re.compile(r"[.!?)\]\"'\u201d\u2019\u00bb:*`]\s*$|\d\s*%?\s*$")
WORD = re.compile(r"[a-zà-ÿ']+")

ENGLISH_WORDS = frozenset((
    "the", "a", "an", "is", "are", "was", "be", "to", "of", "and", "in", "on", "at", "for",
    "with", "it", "this", "that", "you", "your", "it's", "there", "here", "today", "tomorrow",
    "weather", "temperature", "wind", "rain", "not", "or", "but", "will", "can", "should",
    "would", "could", "do", "does", "feels", "like", "high", "low", "from", "by", "as"))

CONDITION_WORDS = {
    "wet": ("rain", "drizzle", "shower", "thunder", "storm", "snow", "sleet", "hail"),
    "storm": ("thunder", "storm"),
    "dry": ("clear sky", "sunny", "sunshine", "mainly clear", "no rain", "dry"),
}


def fold(text: str) -> str:
    """Lower case, accents removed, spaces collapsed: for matching names and phrases."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


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


def looks_cut_off(text: str) -> bool:
    """Ends mid-sentence: no closing punctuation, bracket, quote or figure."""
    stripped = text.strip()
    return bool(stripped) and not SENTENCE_END.search(stripped)


def english_share(text: str) -> float:
    """The share of words that are common English words (1.0 for no words)."""
    words = WORD.findall(fold(text))
    if not words:
        return 1.0
    return sum(word in ENGLISH_WORDS for word in words) / len(words)


def mentions(text: str, place: str) -> bool:
    """Whether ``text`` names ``place`` (its first part, e.g. "Portland" of "Portland, OR";
    accents and case ignored)."""
    name = fold(place.split(",")[0]).strip()
    return bool(name) and re.search(rf"\b{re.escape(name)}\b", fold(text)) is not None


def condition_kinds(text: str) -> set[str]:
    """Which of wet / storm / dry the text states."""
    folded = fold(text)
    return {kind for kind, words in CONDITION_WORDS.items() if any(w in folded for w in words)}


def similar(a: str, b: str) -> float:
    """Word overlap (Jaccard) of two texts."""
    left, right = set(WORD.findall(fold(a))), set(WORD.findall(fold(b)))
    return len(left & right) / len(left | right) if left | right else 1.0
