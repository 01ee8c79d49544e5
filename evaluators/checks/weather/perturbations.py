"""The weather perturbations (the checks module's ``PERTURBATIONS``): the generic ones
(:mod:`evaluators.checks.perturb`) and changes that need to know what a weather question
asks for.

Invariant (the verdict must not change): the question's places in lower case, a place
written with its country or state ("Lyon" -> "Lyon, France"), the question without a
preposition before its place ("What's the weather in Tokyo this afternoon?" -> "Tokyo
weather this afternoon?").

Directional (helpful must become not_helpful): the asked unit swapped in the answer (its °F
figures written in °C when °F was asked: rule 1), the asked quantity left out (the
sentences giving it removed: rule 7), the answer about another city (rule 3)."""

from __future__ import annotations

import re
import zlib

from evaluators.checks.perturb import GENERIC, GREETING, SAME, Case, Perturbation
from evaluators.checks.text import fold, sentences, unify
from evaluators.checks.weather.answer import gives
from evaluators.checks.weather.figures import SPEED, TEMPERATURE, speeds, temperatures
from evaluators.checks.weather.places import LANDMARK, fold_in_place, gazetteer, names_place
from evaluators.checks.weather.request import CONDITIONS, Request, read_request
from evaluators.labels import NOT_HELPFUL


def _request(case: Case) -> Request:
    """What the question asks for, read as the checks read it (tool places included)."""
    calls = case.tools or ()
    return read_request(case.question, [c.arguments.get("location", "") for c in calls])


def _first(place: str) -> str:
    return place.split(",")[0].strip()


def _spans(text: str, name: str) -> list[tuple[int, int]]:
    """Where ``name`` is written in ``text`` (any case, whole words)."""
    folded, key = fold_in_place(text), fold_in_place(name)
    return [(m.start(), m.end()) for m in
            re.finditer(rf"(?<![\w-]){re.escape(key)}(?![\w-])", folded)]


def _replace(text: str, spans: list[tuple[int, int]], new: str | None = None) -> str:
    """``text`` with each span replaced by ``new`` (None: the span in lower case)."""
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + (text[start:end].lower() if new is None else new) + text[end:]
    return text


# --- invariant --------------------------------------------------------------------------

def lowercase_places(case: Case) -> Case | None:
    """Every place the question names, written in lower case ("weather in tokyo?")."""
    places = _request(case).places
    spans = [s for place in places for s in _spans(case.question, _first(place))]
    return case.but(question=_replace(case.question, spans)) if spans else None


def place_with_country(case: Case) -> Case | None:
    """Each place of the question followed by its country or state ("Lyon, France",
    "Austin, Texas"), where it is known and not written already."""
    question = case.question
    for place in _request(case).places:
        within = gazetteer().within(_first(place))
        named = any(fold(p.name) == fold(place) for p in gazetteer().places(place))
        if "," in place or not within or not named or fold(within) == fold(place):
            continue  # already qualified, unknown, an alias ("nyc"), or a city-state
        for _, end in _spans(question, _first(place))[:1]:
            if not re.match(r"\s*,", question[end:]):
                question = f"{question[:end]}, {within}{question[end:]}"
    return case.but(question=question)


_PLAIN_ASK = re.compile(r"^(?:(?:what(?:'s| is)|how(?:'s| is)|tell me)\s+(?:the\s+)?)?(weather|"
                        r"forecast|temperature)(?:\s+(?:like|going to be|gonna be))?\s+"
                        r"(?:in|at|for)\s+", re.IGNORECASE)
_PREPOSITION = re.compile(r"\s+(?:in|at|for|near|around)\s+$", re.IGNORECASE)


def no_preposition(case: Case) -> Case | None:
    """The question with its place moved to the front (after a greeting), without the
    preposition before it (a question naming one place): "What's the weather in Tokyo this
    afternoon?" -> "Tokyo weather this afternoon?", "Should I bike in Kyoto tomorrow?" ->
    "Kyoto: should I bike tomorrow?"."""
    question = unify(case.question.strip())
    places = _request(case).places
    greeting = GREETING.match(question)
    opener = greeting.group(0) if greeting else ""
    question = question[len(opener):]
    for place in places[:1] if len(places) == 1 else ():
        for start, end in _spans(question, place):
            before = _PREPOSITION.search(question[:start])
            if not before:
                continue
            name = question[start:end]
            rest = question[end:]
            plain = _PLAIN_ASK.match(question[:start])
            if plain and plain.end() == start:
                return case.but(question=f"{opener}{name} {plain.group(1).lower()}{rest}")
            head = question[:before.start()]
            head = head[:1].lower() + head[1:] if not head.startswith("I ") else head
            return case.but(question=f"{opener}{name}: {head}{rest}")
    return None


# --- directional ------------------------------------------------------------------------

def _converted(value: float, unit: str) -> str:
    other = (value - 32) * 5 / 9 if unit == "F" else value * 9 / 5 + 32
    return f"{other:.0f}" if float(value).is_integer() else f"{other:.1f}"


def unit_swapped(case: Case) -> Case | None:
    """The answer's figures in the asked unit rewritten in the other unit (°F asked: every
    °F figure becomes °C; mph asked: every mph speed becomes km/h)."""
    request = _request(case)
    answer = unify(case.answer)
    swapped = False
    if request.temperature_unit and any(u == request.temperature_unit
                                        for _, u in temperatures(answer)):
        unit = request.temperature_unit
        other = "C" if unit == "F" else "F"

        def temperature(match: re.Match[str]) -> str:
            value = match.group(1) or match.group(3) or match.group(5)
            written = (match.group(2) or match.group(4) or match.group(6) or "")[0].upper()
            if written != unit or (match.group(6) and match.group(6).islower()):
                return match.group(0)
            return f"{_converted(float(value), unit)}°{other}"

        answer = TEMPERATURE.sub(temperature, answer)
        swapped = True
    if request.wind_unit and any(u == request.wind_unit for _, u in speeds(answer)):
        unit = request.wind_unit

        def speed(match: re.Match[str]) -> str:
            if speeds(match.group(0))[0][1] != unit:
                return match.group(0)
            value = float(match.group(1))
            other = value * 1.609 if unit == "mph" else value / 1.609
            return f"{other:.0f} {'km/h' if unit == 'mph' else 'mph'}"

        answer = SPEED.sub(speed, answer)
        swapped = True
    return case.but(answer=answer) if swapped else None


def quantity_dropped(case: Case) -> Case | None:
    """The answer without the sentences that give what the question asks about (the wind
    for "how windy...?", any weather for "what's the weather?"); not where nothing would be
    left."""
    asked = _request(case).quantities
    if not asked:
        return None
    kept = [s for s in sentences(case.answer) if not any(gives(s, q) for q in asked)]
    left = " ".join(kept)
    if not kept or any(gives(left, q) for q in asked) or (
            CONDITIONS not in asked and not left.strip()):
        return None
    return case.but(answer=left)


OTHER_CITIES = ("Lisbon", "Denver", "Nairobi", "Hanoi", "Montreal", "Krakow", "Cusco",
                "Adelaide", "Marrakech", "Helsinki", "Seattle", "Osaka")
"""Cities an answer is moved to (a well-known one the row does not name)."""


def other_city(case: Case) -> Case | None:
    """The answer about another city: every mention of the question's first place (by any
    of its names, with its country after it; a landmark's city too) replaced by a city the
    row does not name."""
    places = _request(case).places
    if not places or not names_place(case.answer, places[0]):
        return None
    place = _first(places[0])
    choices = [c for c in OTHER_CITIES if not names_place(case.question, c)
               and not names_place(case.answer, c)]
    city = choices[zlib.crc32(place.encode()) % len(choices)]
    answer = unify(case.answer)
    spans: list[tuple[int, int]] = []
    for name in (place, *(p.within for p in gazetteer().places(place) if p.kind == LANDMARK)):
        names, codes = gazetteer().forms(name)
        spans += [s for form in {name, *names} for s in _spans(answer, form)]
        spans += [(m.start(), m.end()) for code in codes
                  for m in re.finditer(rf"(?<![\w.]){re.escape(code)}(?![\w])", answer)]
    kept: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
        if not kept or start >= kept[-1][1]:
            qualifier = re.match(r",\s*([A-Z][\w.' ]*?)(?=[\s.,;:!?)]|$)", answer[end:])
            if qualifier and gazetteer().qualifies(qualifier.group(1), place):
                end += qualifier.end()
            kept.append((start, end))
    return case.but(answer=_replace(answer, kept, city))


LOWERCASE_PLACES = Perturbation("lowercase_places", SAME, "the question's places in lower case",
                                lowercase_places)
PLACE_WITH_COUNTRY = Perturbation("place_with_country", SAME, 'a place with its country or '
                                  'state ("Lyon, France")', place_with_country)
NO_PREPOSITION = Perturbation("no_preposition", SAME, 'no preposition before the place '
                              '("Tokyo weather this afternoon?")', no_preposition)
UNIT_SWAPPED = Perturbation("unit_swapped", NOT_HELPFUL, "the asked unit's figures given in "
                            "the other unit (rule 1)", unit_swapped)
QUANTITY_DROPPED = Perturbation("quantity_dropped", NOT_HELPFUL, "the sentences giving the "
                                "asked quantity removed (rule 7)", quantity_dropped)
OTHER_CITY = Perturbation("other_city", NOT_HELPFUL, "the answer about another city (rule 3)",
                          other_city)

PERTURBATIONS: tuple[Perturbation, ...] = (
    *GENERIC, LOWERCASE_PLACES, PLACE_WITH_COUNTRY, NO_PREPOSITION, UNIT_SWAPPED,
    QUANTITY_DROPPED, OTHER_CITY)
"""Every weather perturbation: the invariant ones first."""
