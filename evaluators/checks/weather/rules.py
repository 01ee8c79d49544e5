"""The weather checks, one or more per rubric rule (``docs/rubric.md``): each looks at the
question (read into a :class:`~evaluators.checks.weather.request.Request`), the answer and
(when there is one) the tool record, and says 1.0 when it sees the failure, 0.0 when it does
not. Checks never decide alone: the checklist judge weighs them
(:mod:`evaluators.checks.combine`).

They read the demo agent's tool results (``agent_demo``): the result keys (``temperature``,
``feels_like``, ``low``, ``high``, ``temperature_unit``, ``conditions``, ``weather``,
``plan``, ``periods``), the unknown-place error's wording and the activities it suggests.
``tests/evaluators/checks/test_weather_contract.py`` feeds them real tool results, so a
change on either side breaks a test instead of silently scoring 0."""

from __future__ import annotations

import json
import re
from typing import Any

from evaluators.checks.base import Check, Row
from evaluators.checks.text import english_share, fold, looks_cut_off, mentions, similar
from evaluators.checks.weather.figures import has_figures, speeds, temperatures
from evaluators.checks.weather.request import COMPARISON, DECISION, PLAN, Request

TOLERANCE = 0.6
"""Degrees between an answer's figure and the tool's (rounding, one conversion)."""

MARKUP = re.compile(r"</?(?:tools?|tool_call|function(?:_call)?|invoke|arguments?)\b"
                    r"|\"name\"\s*:\s*\"\w+\"\s*,\s*\"(?:arguments|parameters)\""
                    r"|\b(?:call|use|invoke)\s+(?:the\s+)?(?:`\w+`|\w+_\w+\b)"
                    r"|```", re.IGNORECASE)
REFUSAL = re.compile(r"\b(?:i'?m sorry|i am sorry|i (?:can(?:'|no)t|cannot|am unable to|'m unable"
                     r" to|am not able to|don'?t have access)|can'?t (?:assist|help)|unable to "
                     r"(?:assist|help|provide)|not available right now|is not available)\b")
WAY_FORWARD = re.compile(r"did you mean|check the spelling|nearby|instead|another city|a "
                         r"different|try (?:again|asking)|could not find|couldn'?t find|"
                         r"not (?:a city|recogni[sz]ed|found|covered)")
ASKS_BACK = re.compile(r"\?\s*$|\bplease (?:provide|specify|tell|let me know|confirm)\b|\bwhich "
                       r"(?:city|place|location)\b|\bcould you (?:tell|provide|specify|let)\b|"
                       r"\bwhere are you\b|\bwhat (?:city|location)\b")
ACTIVITIES = re.compile(r"\b(?:museum|galler|walk|hike|hiking|tour|visit|park|caf[eé]|market|"
                        r"beach|picnic|cinema|theat|spa|restaurant|shop|bike|cycl|run|swim|kayak|"
                        r"paddle|climb|library|aquarium|zoo|sightsee|bar\b|concert|food|eat|"
                        r"lunch|dinner|brunch|skat|ski|sledg|stroll|explore|garden|castle|"
                        r"temple|bath|cooking|class|game|escape room|bowling|planetarium|"
                        r"cable car|viewpoint|stargaz)",
                        re.IGNORECASE)
COMPARATIVE = re.compile(r"\b(?:warmer|colder|cooler|hotter|wetter|drier|rainier|windier|sunnier|"
                         r"nicer|better|worse|more|less|than|both|whereas|while|compared|"
                         r"similar|same)\b")
DECIDES = re.compile(r"\b(?:yes|no|not (?:a )?(?:good|great|ideal)|good (?:idea|day|time)|"
                     r"(?:great|ideal|fine|okay|ok|suitable|perfect) (?:day|time|for)|recommend|"
                     r"should|worth|best (?:time|to|window|day)|go for it|avoid|i'?d)\b")
OUTDOOR = re.compile(r"\b(?:beach|picnic|hike|hiking|outdoor|park|kayak|paddle|swim|bike|cycl|"
                     r"sunbath|terrace|rooftop|stroll|walk)", re.IGNORECASE)
INDOOR = re.compile(r"\b(?:indoor|inside|museum|galler|cinema|theat|spa|library|aquarium|"
                    r"caf[eé]|mall|shopping|restaurant|covered|umbrella|stay (?:in|dry)|"
                    r"cooking class|bowling|escape room|science cent|planetarium)",
                    re.IGNORECASE)
UNKNOWN_PLACE = re.compile(r"not a city|no weather data|unknown (?:place|city|location)|"
                           r"not found|could not find", re.IGNORECASE)
CONDITION_CLASSES = {
    "clear": ("clear sky", "mainly clear", "sunny", "sunshine"),
    "cloudy": ("partly cloudy", "overcast", "cloudy"),
    "fog": ("fog", "mist"),
    "rain": ("drizzle", "rain", "showers"),
    "snow": ("snow", "sleet"),
    "storm": ("thunderstorm", "thunder", "storm"),
}


def weather_results(row: Row) -> list[dict[str, Any]]:
    """Every weather block the tools returned (top level, ``weather`` and per period)."""
    found: list[dict[str, Any]] = []
    for call in row.calls:
        result = call.result
        for block in (result, result.get("weather"), *_periods(result)):
            if isinstance(block, dict) and ("temperature" in block or "conditions" in block):
                found.append(block)
    return found


def _periods(result: dict[str, Any]) -> list[Any]:
    return [*(result.get("plan") or []), *(result.get("periods") or [])]


# --- rule 2: not prose ---------------------------------------------------------------------

def not_prose(row: Row, _: Request) -> float:
    answer = row.answer.strip()
    if MARKUP.search(answer):
        return 1.0
    if answer.startswith(("{", "[")):
        try:
            json.loads(answer)
            return 1.0
        except ValueError:
            return 1.0 if answer.count('"') >= 4 else 0.0
    return 0.0


# --- rule 4 and 8: refusals and unknown places -----------------------------------------------

def refusal(row: Row, _: Request) -> float:
    text = fold(row.answer)
    return float(bool(REFUSAL.search(text)) and not WAY_FORWARD.search(text))


def _unknown_place(row: Row) -> bool:
    return any(call.error and UNKNOWN_PLACE.search(call.error) for call in row.calls)


def invented_weather(row: Row, _: Request) -> float:
    """The tool could not find the place, yet the answer states weather."""
    return float(_unknown_place(row) and has_figures(row.answer)
                 and not WAY_FORWARD.search(fold(row.answer)))


# --- rule 5: asking back ----------------------------------------------------------------------

def echo(row: Row, _: Request) -> float:
    return float(similar(row.question, row.answer) >= 0.8)


def needless_question(row: Row, request: Request) -> float:
    """Asks back, states nothing, although the question named a place."""
    asks = ASKS_BACK.search(fold(row.answer)) is not None and not has_figures(row.answer)
    return float(asks and bool(request.places) and not _unknown_place(row))


def asks_for_missing_place(row: Row, request: Request) -> float:
    """The right move (evidence for helpful): no place was named and the answer asks."""
    return float(not request.places and ASKS_BACK.search(fold(row.answer)) is not None
                 and not has_figures(row.answer))


# --- rule 3: places ---------------------------------------------------------------------------

def missed_place(row: Row, request: Request) -> float:
    """A place the question names is not in the answer."""
    if not request.places or not_prose(row, request) or refusal(row, request):
        return 0.0
    return float(any(not mentions(row.answer, place) for place in request.places))


def guessed_place(row: Row, request: Request) -> float:
    """No place was named, yet the answer gives weather for one."""
    return float(not request.places and has_figures(row.answer))


# --- rule 1 and 6: units and facts ------------------------------------------------------------

def unit_not_given(row: Row, request: Request) -> float:
    """A unit was asked for and no figure in the answer uses it."""
    asked = []
    if request.temperature_unit:
        asked.append(any(u == request.temperature_unit for _, u in temperatures(row.answer)))
    if request.wind_unit:
        asked.append(any(u == request.wind_unit for _, u in speeds(row.answer)))
    return float(bool(asked) and has_figures(row.answer) and not all(asked))


TEMPERATURE_FIELDS = ("temperature", "feels_like", "low", "high")


def _unit_of(block: dict[str, Any]) -> str:
    return str(block.get("temperature_unit") or "°C")[-1:].upper()


def _numbers(value: Any) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, dict):
        return [n for item in value.values() for n in _numbers(item)]
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item)]
    return []


def _tool_temperatures(row: Row) -> list[tuple[float, str]]:
    """Every figure the tools returned, read in the unit of their temperatures (so a daily
    range or a per-period figure counts too), and figures inside their texts."""
    found = []
    for call in row.calls:
        blocks = [b for b in (call.result, call.result.get("weather")) if isinstance(b, dict)]
        unit = next((_unit_of(b) for b in blocks if b.get("temperature_unit")), "C")
        found += [(number, unit) for number in _numbers(call.result)]
        found += temperatures(json.dumps(call.result, ensure_ascii=False))
    return found


def _convert(value: float, unit: str) -> tuple[float, str]:
    return ((value - 32) * 5 / 9, "C") if unit == "F" else (value * 9 / 5 + 32, "F")


def wrong_figures(row: Row, _: Request) -> float:
    """A temperature in the answer matches nothing the tool returned (in either unit)."""
    truth = _tool_temperatures(row)
    if not truth:
        return 0.0
    known = truth + [_convert(v, u) for v, u in truth if -60 < v < 140]
    for value, unit in temperatures(row.answer):
        if not any(u == unit and abs(v - value) <= TOLERANCE + (u != truth[0][1]) * 0.5
                   for v, u in known):
            return 1.0
    return 0.0


LABELED_FIGURE = re.compile(r"\b(high|low|feels[ -]like)\b[^.\d\n-]{0,25}?(-?\d+(?:\.\d+)?)\s*"
                            r"(?:°|º|degrees?\s*)\s*([CF])\b", re.IGNORECASE)
FIELD_OF = {"high": "high", "low": "low", "feels like": "feels_like", "feels-like": "feels_like"}


def weather_without_call(row: Row, _: Request) -> float:
    """The record shows that no tool was called, yet the answer states weather figures
    (rule 6: weather given without calling the tool). No record at all says nothing."""
    return float(row.tools == () and has_figures(row.answer))


def mislabeled_figure(row: Row, _: Request) -> float:
    """A figure called the high, the low or the feels-like that is not that figure in any
    weather block the tool returned (in the same unit)."""
    blocks = weather_results(row)
    if not blocks:
        return 0.0
    for match in LABELED_FIGURE.finditer(row.answer):
        field = FIELD_OF[fold(match.group(1))]
        value, unit = float(match.group(2)), match.group(3).upper()
        same_unit = [b for b in blocks if _unit_of(b) == unit and field in b]
        if same_unit and not any(abs(float(b[field]) - value) <= TOLERANCE
                                 for b in same_unit if isinstance(b[field], int | float)):
            return 1.0
    return 0.0


def _condition_classes(text: str) -> set[str]:
    folded = fold(text)
    folded = re.sub(r"\bno (?:rain|snow|storm)\w*|\brain (?:risk|gear)\b|umbrella", " ", folded)
    return {name for name, words in CONDITION_CLASSES.items() if any(w in folded for w in words)}


PERIOD = re.compile(r"\b(?:morning|afternoon|evening|night|tonight|later|\d\d:\d\d)\b")


def _day_conditions(row: Row) -> set[str]:
    """The conditions the tools reported for the whole day (not per period)."""
    found: set[str] = set()
    for call in row.calls:
        for block in (call.result, call.result.get("weather")):
            if isinstance(block, dict) and block.get("conditions"):
                found |= _condition_classes(str(block["conditions"]))
    return found


def wrong_conditions(row: Row, _: Request) -> float:
    """A sentence about the day (naming no part of it) states conditions the tool did not
    report for the day; per-period statements are left to the periods (docs/rubric.md)."""
    reported = _day_conditions(row)
    if not reported:
        return 0.0
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", row.answer):
        if PERIOD.search(fold(sentence)):
            continue
        if _condition_classes(sentence) - reported:
            return 1.0
    return 0.0


# --- rule 7: what was asked -------------------------------------------------------------------

def _other_failure(row: Row, request: Request) -> bool:
    """Another check already explains the answer (so rule 7 does not count it twice), or
    the answer rightly asks for the missing place."""
    return bool(not_prose(row, request) or refusal(row, request)
                or asks_for_missing_place(row, request))


def plan_missing(row: Row, request: Request) -> float:
    """A plan or activities were asked for and the answer suggests none."""
    return float(request.wants(PLAN) and not ACTIVITIES.search(row.answer)
                 and not _other_failure(row, request))


def comparison_missing(row: Row, request: Request) -> float:
    """A comparison was asked for and the answer does not compare."""
    if not request.wants(COMPARISON) or _other_failure(row, request):
        return 0.0
    covers = all(mentions(row.answer, place) for place in request.places)
    return float(not covers or not COMPARATIVE.search(fold(row.answer)))


def decision_missing(row: Row, request: Request) -> float:
    """A yes/no decision was asked for and the answer gives none."""
    return float(request.wants(DECISION) and not DECIDES.search(fold(row.answer))
                 and not _other_failure(row, request))


# --- rule 9 and 10 ----------------------------------------------------------------------------

def unsafe_advice(row: Row, _: Request) -> float:
    """Outdoor plans in rain, snow or storms with no indoor option."""
    wet = any(_condition_classes(str(b.get("conditions") or "")) & {"rain", "snow", "storm"}
              for b in weather_results(row)[:2])
    return float(wet and bool(OUTDOOR.search(row.answer)) and not INDOOR.search(row.answer))


def broken(row: Row, _: Request) -> float:
    """Empty, cut off mid-sentence, or not in English."""
    answer = row.answer.strip()
    if not answer:
        return 1.0
    return float(looks_cut_off(answer) or (len(answer) > 40 and english_share(answer) < 0.12))


CHECKS: tuple[Check, ...] = (
    Check("not_prose", 2, "markup, JSON, code or tool-call instructions instead of prose",
          not_prose),
    Check("refusal", 4, "declines without a way forward", refusal),
    Check("invented_weather", 8, "weather for a place the tool could not find",
          invented_weather, reads_tools=True),
    Check("echo", 5, "repeats the question", echo),
    Check("needless_question", 5, "asks back although a place was named", needless_question),
    Check("asks_for_missing_place", 5, "asks for the place when none was named (helpful)",
          asks_for_missing_place, helpful=True),
    Check("missed_place", 3, "a place the question names is missing", missed_place),
    Check("guessed_place", 3, "weather for a place nobody named", guessed_place),
    Check("unit_not_given", 1, "the unit asked for is not used", unit_not_given),
    Check("wrong_figures", 6, "a temperature the tool did not report", wrong_figures,
          reads_tools=True),
    Check("weather_without_call", 6, "weather figures although no tool was called",
          weather_without_call, reads_tools=True),
    Check("mislabeled_figure", 6, "a high, low or feels-like the tool did not report",
          mislabeled_figure, reads_tools=True),
    Check("wrong_conditions", 6, "conditions the tool did not report for the day",
          wrong_conditions, reads_tools=True),
    Check("plan_missing", 7, "a plan was asked for and none is given", plan_missing),
    Check("comparison_missing", 7, "a comparison was asked for and none is made",
          comparison_missing),
    Check("decision_missing", 7, "a decision was asked for and none is given",
          decision_missing),
    Check("unsafe_advice", 9, "outdoor plans in rain or storms, no indoor option",
          unsafe_advice, reads_tools=True),
    Check("broken", 10, "empty, cut off or in another language", broken),
)
"""Every weather check, in rubric order of importance."""
