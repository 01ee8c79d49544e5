"""What a question asks for: the places it names, the kind of answer (weather, a plan, a
comparison, a yes/no decision, an analysis) and the units, read by code; the model's
reading (:mod:`evaluators.checks.extraction`) can be merged in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from evaluators.checks.text import fold, mentions

WEATHER, PLAN, COMPARISON, DECISION, ANALYSIS = (
    "weather", "plan", "comparison", "decision", "analysis")
KINDS = (WEATHER, PLAN, COMPARISON, DECISION, ANALYSIS)

_KIND_PATTERNS = {
    PLAN: re.compile(r"\bplan\b|\bwhat (?:should|can|could|shall) (?:i|we) do\b|\bthings to do\b"
                     r"|\bactivit|\bitinerar|\bideas?\b|\bsuggest|\brecommend|\bwhat to do\b"
                     r"|\bday out\b|\bsightseeing\b"),
    COMPARISON: re.compile(r"\bcompare|\bcomparison\b|\bversus\b|\bvs\.?\b|\bwhich (?:is|has|one|"
                           r"city|place)\b|\b(?:warmer|colder|rainier|windier|sunnier|drier|"
                           r"nicer|better)\b.*\bor\b|\bor\b.*\b(?:warmer|colder|rainier|"
                           r"windier|sunnier|drier|nicer|better)\b"),
    DECISION: re.compile(r"(?:^|[.?!:]\s*)(?:should|shall|can|could|do|is it (?:a )?(?:good|ok|"
                         r"okay|safe|worth)|is the weather (?:ok|okay|good|fine)|would it be)\b"
                         r"|\b(?:is the weather ok|good day to|worth (?:it|going)|(?:if|whether) "
                         r"(?:i|we) should)\b"),
    ANALYSIS: re.compile(r"\banaly[sz]|\bdetailed\b|\bin detail\b|\bbreakdown\b"),
}
_NAME = r"[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*(?:,\s*[A-Z]{2}\b)?"
_PLACE = re.compile(rf"(?:[,:]\s*|\b(?i:in|at|for|of|to|from|visiting|between|and|or|near|"
                    rf"around|vs\.?|versus|compare)\s+)({_NAME})")
_LEADING_PLACE = re.compile(rf"^({_NAME})\s+(?:or|and|vs\.?|versus)\s+[A-Z]")
_NOT_PLACES = frozenset((
    "i", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today",
    "tomorrow", "tonight", "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december", "celsius", "fahrenheit", "c",
    "f", "mph", "km", "weekend", "the", "my", "me", "is", "what", "which", "should", "can",
    "how", "where", "i'm", "we're", "please", "any", "compare"))
_UNITS = {
    "F": re.compile(r"fahrenheit|°\s*f\b|\bdegrees f\b"),
    "C": re.compile(r"celsius|centigrade|°\s*c\b|\bdegrees c\b"),
    "mph": re.compile(r"\bmph\b|miles per hour"),
    "km/h": re.compile(r"\bkm/?h\b|\bkph\b|kilomet(?:er|re)s? per hour"),
}


@dataclass(frozen=True)
class Request:
    """A question's reading: ``places`` it names, ``kinds`` of answer it wants, and the
    temperature / wind units it asks for (None when it names none)."""

    places: tuple[str, ...] = ()
    kinds: frozenset[str] = field(default_factory=frozenset)
    temperature_unit: str | None = None
    wind_unit: str | None = None

    def wants(self, kind: str) -> bool:
        return kind in self.kinds


def kinds_in(question: str) -> frozenset[str]:
    """The kinds of answer a question asks for, by its wording (weather when nothing else)."""
    text = fold(question)
    found = {kind for kind, pattern in _KIND_PATTERNS.items() if pattern.search(text)}
    return frozenset(found or {WEATHER})


def units_in(question: str) -> tuple[str | None, str | None]:
    """The temperature unit (``C`` / ``F``) and wind unit (``km/h`` / ``mph``) asked for."""
    text = fold(question)
    temperature = next((u for u in ("F", "C") if _UNITS[u].search(text)), None)
    wind = next((u for u in ("mph", "km/h") if _UNITS[u].search(text)), None)
    return temperature, wind


def places_in(question: str) -> list[str]:
    """Capitalised names after a preposition or around "or"/"and" (Rome, New York,
    Portland, OR): a reading by wording alone, for when no model or tool names them."""
    found = [m.group(1) for m in _PLACE.finditer(question) if m.group(1)[:1].isupper()]
    if leading := _LEADING_PLACE.match(question.strip()):
        found.insert(0, leading.group(1))
    names = []
    for name in found:
        words = name.removesuffix("'s").split()
        while words and fold(words[0]) in _NOT_PLACES:
            words.pop(0)
        if words:
            names.append(" ".join(words))
    return list(dict.fromkeys(names))


def _written_as_name(question: str, place: str) -> bool:
    """Whether ``place`` appears capitalised in the question (a name, not "outside")."""
    first = fold(place.split(",")[0]).strip()
    return any(fold(word).startswith(first.split()[0]) and word[:1].isupper()
               for word in re.findall(r"[\w'-]+", question)) if first else False


def read_request(question: str, places: list[str] | tuple[str, ...] = (),
                 kinds: frozenset[str] | None = None) -> Request:
    """The request: the places the wording names plus ``places`` from elsewhere (the model,
    the tool calls) that the question really names, and the ``kinds`` of answer the wording
    shows plus ``kinds``."""
    named = tuple(dict.fromkeys(
        p.strip() for p in [*places_in(question), *places]
        if p and p.strip() and mentions(question, p) and _written_as_name(question, p)))
    temperature, wind = units_in(question)
    return Request(places=named, kinds=kinds_in(question) | (kinds or frozenset()),
                   temperature_unit=temperature, wind_unit=wind)
