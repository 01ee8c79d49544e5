"""Cheap, deterministic reading of a question: units, day, what kind of answer, places.

Each function here looks for plain English cues with regular expressions. They are used where
such cues are reliable (a unit or a day is written out) and to back up the model's extraction
(a part of a multi-part request it missed, a known city it left out, a place it failed to
copy). Place spotting relies on the curated city table, so it never invents a place.
"""

from __future__ import annotations

import re

from agent_demo import weather
from agent_demo.places import cities, normalize

_FAHRENHEIT = re.compile(r"fahrenheit|°\s*F\b|\bdeg(?:rees?)?\s*F\b|\bin F\b|\bimperial\b",
                         re.IGNORECASE)
_CELSIUS = re.compile(r"celsius|centigrade|°\s*C\b|\bdeg(?:rees?)?\s*C\b|\bin C\b|\bmetric\b",
                      re.IGNORECASE)
_MPH = re.compile(r"\bmph\b|miles (?:per|an) hour", re.IGNORECASE)
_KMH = re.compile(r"\bkm\s*/\s*h\b|\bkmh\b|\bkph\b|kilomet(?:er|re)s? (?:per|an) hour",
                  re.IGNORECASE)
_DAY = re.compile(r"\b(today|tonight|tomorrow|weekend|" + "|".join(weather.WEEKDAYS)
                  + r")\b|\b(\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)

_PLAN = re.compile(
    r"\bplan\b|\bplanning\b|itinerar|things to do|what to do|\bactivit|\bideas?\b|recommend"
    r"|suggest|anything good|\bday out\b|what (?:should|can|could) (?:i|we) do", re.IGNORECASE)
_ANALYSIS = re.compile(r"analy[sz]|break ?down|in detail|detailed|thorough|\bUV\b|best time"
                       r"|when is best|what to wear|rain risk", re.IGNORECASE)
_YES_NO = re.compile(r"(?:^|[.!?;:]\s+)(?:is|are|will|would|should|shall|do|does|did|can|could)"
                     r"\s+(?:i|we|it|there|the|this|my|our)\b", re.IGNORECASE)

_ASPECTS = (("temperature", re.compile(r"warm|hot|cold|cool|chill|temperature", re.I)),
            ("precipitation", re.compile(r"rain|wet|dry|drier|snow|precipitation|umbrella",
                                         re.I)),
            ("humidity", re.compile(r"humid", re.I)),
            ("wind", re.compile(r"wind|breez|calm|gust", re.I)))

# Capitalized words after these, which are never places.
_NOT_PLACES = frozenset(
    {"fahrenheit", "celsius", "centigrade", "f", "c", "mph", "kph", "i", "today", "tomorrow",
     "tonight", "weekend", "morning", "afternoon", "evening", "january", "february", "march",
     "april", "may", "june", "july", "august", "september", "october", "november", "december",
     *weather.WEEKDAYS})
_AFTER_PREPOSITION = re.compile(
    r"\b(?:in|for|at|to|visiting|visit)\s+([A-Z][\w'\u2019-]*(?:[ -][A-Z][\w'\u2019-]*)*)")


def temperature_unit(question: str) -> str | None:
    """'fahrenheit' or 'celsius' when the question asks for one (the first named wins)."""
    found = [(m.start(), unit) for unit, pattern in (("fahrenheit", _FAHRENHEIT),
                                                    ("celsius", _CELSIUS))
             if (m := pattern.search(question))]
    return min(found)[1] if found else None


def wind_unit(question: str) -> str | None:
    """'mph' or 'km/h' when the question asks for one (the first named wins)."""
    found = [(m.start(), unit) for unit, pattern in (("mph", _MPH), ("km/h", _KMH))
             if (m := pattern.search(question))]
    return min(found)[1] if found else None


def day(question: str) -> str:
    """The day the question is about, as the tools take it ('today' when none is named)."""
    match = _DAY.search(question)
    if match is None:
        return "today"
    word = (match.group(1) or match.group(2)).lower()
    return "today" if word == "tonight" else word


def periods(question: str) -> list[str]:
    """The parts of the day a question names ('tonight' is the evening), in day order."""
    text = question.lower().replace("tonight", "evening")
    return [period for period in ("morning", "afternoon", "evening")
            if re.search(rf"\b{period}s?\b", text)]


def wants_plan(question: str) -> bool:
    return bool(_PLAN.search(question))


def wants_analysis(question: str) -> bool:
    return bool(_ANALYSIS.search(question))


def is_yes_no(question: str) -> bool:
    """A question answered by yes or no ('Is it raining...?', 'Should I...?')."""
    return bool(_YES_NO.search(question))


def comparison_aspect(question: str) -> str:
    """What a comparison is about: temperature, precipitation, humidity, wind, or 'overall'
    ('nicer weather', 'better for a walk') when no single one is named."""
    return next((name for name, pattern in _ASPECTS if pattern.search(question)), "overall")


def is_place_word(text: str) -> bool:
    """False for unit, day and month words that look like names ('in Fahrenheit')."""
    return normalize(text) not in _NOT_PLACES and bool(normalize(text))


def position(question: str, place: str) -> int | None:
    """Where ``place`` is written in ``question`` (case, accents and punctuation ignored),
    as an offset in the normalized question; None when it is not there."""
    words = normalize(place)
    if not words:
        return None
    match = re.search(rf"\b{re.escape(words)}\b", normalize(question))
    return match.start() if match else None


def within(place: str, other: str) -> bool:
    """True when ``place`` is part of the name ``other`` ('Porto' in 'Porto Alegre')."""
    return re.search(rf"\b{re.escape(normalize(place))}\b",
                     normalize(other)) is not None


def known_places(question: str) -> list[str]:
    """Cities of the table named in ``question``, as written, in order.

    Longer names win ('New York' before 'York'); a short alias ('LA', 'SF') must be written in
    capitals, and a name must start with a capital letter, so 'nice weather' is not Nice.
    """
    keys = sorted({key for city in cities() for key in (city.name, *city.aliases)},
                  key=len, reverse=True)
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, int, str]] = []
    for key in keys:
        for match in re.finditer(rf"(?<!\w){re.escape(key)}(?!\w)", question, re.IGNORECASE):
            written = match.group(0)
            if not written[0].isupper() or (len(key) <= 3 and not written.isupper()):
                continue
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append(match.span())
            found.append((match.start(), match.end(), written))
    return [written for _, _, written in sorted(found)]


def named_after_preposition(question: str) -> list[str]:
    """Capitalized names after 'in', 'for', 'at'...: a last resort for unknown places."""
    return [name for name in _AFTER_PREPOSITION.findall(question)
            if is_place_word(name)]
