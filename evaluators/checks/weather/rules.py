"""The weather checks, one or more per rubric rule (``docs/rubric.md``): each compares what
the question asks for (a :class:`~evaluators.checks.weather.request.Request`: places,
quantities, units, a plan, a comparison, a decision, the day) with what the answer gives
(:mod:`evaluators.checks.weather.answer`) and, when there is one, the tool record, and says
1.0 when it sees the failure, 0.0 when it does not. Checks never decide alone: the
checklist judge weighs them (:mod:`evaluators.checks.combine`).

Each check fires only where the rubric says not_helpful: style, length, tone, markdown,
extra information and both units where one was asked never make it fire.

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
from evaluators.checks.text import (
    fold,
    language,
    looks_cut_off,
    other_language,
    sentences,
    similar,
    unify,
)
from evaluators.checks.weather.answer import (
    ACTIVITIES,
    COMPARES,
    DECIDES,
    INDOOR,
    asks_back,
    conditions_in,
    gives,
    gives_weather,
    outdoor_advised,
    reported,
)
from evaluators.checks.weather.figures import bare_degrees, has_figures, speeds, temperatures
from evaluators.checks.weather.places import names_place
from evaluators.checks.weather.request import (
    COMPARISON,
    DECISION,
    PLAN,
    TODAY,
    TOMORROW,
    WEEKEND,
    Request,
    days_in,
    is_known,
    known_places_in,
    places_in,
    related,
)

TOLERANCE = 0.6
"""Degrees between an answer's figure and the tool's (rounding, one conversion)."""

MARKUP = re.compile(r"</?(?:tools?|tool_call|function(?:_call)?|invoke|arguments?)\b"
                    r"|\"name\"\s*:\s*\"\w+\"\s*,\s*\"(?:arguments|parameters)\""
                    r"|\b(?:call|use|invoke)\s+(?:the\s+)?(?:`\w+`|\w+_\w+\b)"
                    r"|```", re.IGNORECASE)
DECLINES = re.compile(r"\b(?:i (?:can't|cannot|can not|am unable to|'m unable to|am not able "
                      r"to|'m not able to|won't be able to|don't have (?:access|the ability))|"
                      r"i'm unable to|i'm not able to|(?:can't|cannot|unable to) (?:assist|help|"
                      r"provide|answer|do that|share)|not available right now|is not available|"
                      r"i'm sorry, but|sorry, (?:but )?i (?:can't|cannot))\b")
WAY_FORWARD = re.compile(r"did you mean|check the spelling|nearby|instead|another city|a "
                         r"different|try (?:again|asking)|could not find|couldn't find|"
                         r"can't find|cannot find|not (?:a city|recogni[sz]ed|found|covered)|"
                         r"don't (?:recogni[sz]e|know (?:a|of|where))")
UNKNOWN_PLACE = re.compile(r"not a city|no weather data|unknown (?:place|city|location)|"
                           r"not found|could not find", re.IGNORECASE)


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


def _unknown_place(row: Row) -> bool:
    return any(call.error and UNKNOWN_PLACE.search(call.error) for call in row.calls)


# --- rule 2: not prose ---------------------------------------------------------------------

def not_prose(row: Row, _: Request) -> float:
    answer = unify(row.answer).strip()  # JSON typed with curly quotes is JSON all the same
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
    """Declines, gives nothing that was asked, and offers no way forward ("I'm sorry, but I
    can't assist with that."); an apology followed by the weather is no refusal."""
    text = fold(row.answer)
    return float(bool(DECLINES.search(text)) and not WAY_FORWARD.search(text)
                 and not gives_weather(row.answer))


UNFOUND = re.compile(r"\b(?:could not|couldn't|can't|cannot|unable to|wasn't able to) "
                     r"(?:find|locate|recogni[sz]e)|\bnot (?:a (?:real |valid )?(?:city|place|"
                     r"location)|found|recogni[sz]ed)\b|\b(?:doesn't|does not) (?:seem to )?"
                     r"exist\b|\bunknown (?:city|place|location)\b|\bdon't (?:recogni[sz]e|know "
                     r"(?:a|of|where))\b")


def real_place_unknown(row: Row, request: Request) -> float:
    """A well-known real place of the question called unknown ("I couldn't find Paris"),
    when no tool call said so (rule 6: a real city called unknown)."""
    if _unknown_place(row) or not UNFOUND.search(fold(row.answer)):
        return 0.0
    return float(any(is_known(place) and names_place(row.answer, place)
                     for place in request.places))


def invented_weather(row: Row, _: Request) -> float:
    """The tool could not find the place, yet the answer states weather."""
    return float(_unknown_place(row) and has_figures(row.answer)
                 and not WAY_FORWARD.search(fold(row.answer)))


# --- rule 5: asking back ----------------------------------------------------------------------

def echo(row: Row, _: Request) -> float:
    return float(similar(row.question, row.answer) >= 0.8)


def _asks_instead(row: Row) -> bool:
    """Asks back and gives nothing (a follow-up question after an answer is fine)."""
    return asks_back(row.answer) and not gives_weather(row.answer)


def needless_question(row: Row, request: Request) -> float:
    """Asks back instead of answering, although the question named a place (not the way
    forward for a place that cannot be found: "did you mean Atlanta?")."""
    return float(_asks_instead(row) and bool(request.places) and not _unknown_place(row)
                 and not WAY_FORWARD.search(fold(row.answer)))


def asks_for_missing_place(row: Row, request: Request) -> float:
    """The right move (evidence for helpful): no place was named and the answer asks."""
    return float(not request.places and _asks_instead(row))


# --- rule 3: places ---------------------------------------------------------------------------

def _answers(row: Row, request: Request) -> bool:
    """The answer tries to answer (no markup, refusal or question back instead)."""
    return not (not_prose(row, request) or refusal(row, request) or _asks_instead(row))


def missed_place(row: Row, request: Request) -> float:
    """Places asked about together (a list, a comparison): one is not in the answer (by any
    of its names). A place asked about alone: the answer is about another place (it names a
    known place, not the one asked, nor one it lies in or that lies in it; for a place the
    list does not know, nor one the tools were called for); an answer that does not repeat
    the name speaks of the place asked."""
    if not request.places or not _answers(row, request):
        return 0.0
    if request.together:
        return float(any(not names_place(row.answer, place) for place in request.places))
    if any(names_place(row.answer, place) for place in request.places):
        return 0.0
    references = list(request.places)
    if not all(is_known(place) for place in request.places):
        # where an unknown place lies ("Hyde Park") only the tool calls can tell
        references += [c.arguments.get("location", "") for c in row.calls
                       if c.arguments.get("location")]
        if len(references) == len(request.places):
            return 0.0
    return float(any(not any(related(other, place) for place in references)
                     for other in known_places_in(row.answer)))


def guessed_place(row: Row, request: Request) -> float:
    """No place was named, yet the answer gives weather for a place it names (one the
    question does not, or one the tools were called for)."""
    if request.places or not has_figures(row.answer):
        return 0.0
    called = [call.arguments.get("location", "") for call in row.calls]
    named = [p for p in [*places_in(row.answer), *called]
             if p and names_place(row.answer, p) and not names_place(row.question, p)]
    return float(bool(named))


# --- rule 1 and 6: units and facts ------------------------------------------------------------

def unit_not_given(row: Row, request: Request) -> float:
    """A unit was asked for and the answer gives its figures only in the other unit (both
    units, or figures with no unit, are fine)."""
    if request.temperature_unit:
        units = {u for _, u in temperatures(row.answer)}
        if units and request.temperature_unit not in units:
            return 1.0
    if request.wind_unit:
        units = {u for _, u in speeds(row.answer)}
        if units and request.wind_unit not in units:
            return 1.0
    return 0.0


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
    """A temperature in the answer matches nothing the tool returned (in either unit; one
    written with no unit may be in either)."""
    truth = _tool_temperatures(row)
    if not truth:
        return 0.0
    known = truth + [_convert(v, u) for v, u in truth if -60 < v < 140]

    def matches(value: float, unit: str | None) -> bool:
        return any((unit is None or u == unit)
                   and abs(v - value) <= TOLERANCE + (u != truth[0][1]) * 0.5
                   for v, u in known)

    stated = [*temperatures(row.answer), *((v, None) for v in bare_degrees(row.answer))]
    return float(any(not matches(value, unit) for value, unit in stated))


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


PERIOD = re.compile(r"\b(?:morning|afternoon|evening|night|tonight|later|overnight|midday|"
                    r"noon|dawn|dusk|\d\d?:\d\d|\d\d? ?(?:am|pm))\b")


def _day_conditions(row: Row) -> set[str]:
    """The conditions the tools reported for the whole day (not per period), with the room
    they leave (partly cloudy is some sun)."""
    found: set[str] = set()
    for call in row.calls:
        for block in (call.result, call.result.get("weather")):
            if isinstance(block, dict) and block.get("conditions"):
                found |= reported(str(block["conditions"]))
    return found


def wrong_conditions(row: Row, _: Request) -> float:
    """A sentence about the day (naming no part of it) asserts conditions the tool did not
    report for the day; per-period statements are left to the periods (docs/rubric.md)."""
    room = _day_conditions(row)
    if not room:
        return 0.0
    return float(any(conditions_in(sentence) - room for sentence in sentences(row.answer)
                     if not PERIOD.search(fold(sentence))))


# --- rule 7: what was asked -------------------------------------------------------------------

def _other_failure(row: Row, request: Request) -> bool:
    """Another check already explains the answer (so rule 7 does not count it twice), the
    answer rightly asks for the missing place or says the place is unknown, or it is not in
    English (these checks read English words; rule 10 judges the language)."""
    return (not _answers(row, request) or _unknown_place(row)
            or bool(WAY_FORWARD.search(fold(row.answer)) and not has_figures(row.answer))
            or language(row.answer) not in (None, "en"))


def plan_missing(row: Row, request: Request) -> float:
    """A plan or activities were asked for and the answer suggests none."""
    return float(request.wants(PLAN) and not ACTIVITIES.search(fold(row.answer))
                 and not _other_failure(row, request))


def comparison_missing(row: Row, request: Request) -> float:
    """A comparison was asked for and the answer does not compare (no comparing word, or a
    place of the comparison left out)."""
    if not request.wants(COMPARISON) or _other_failure(row, request):
        return 0.0
    covers = all(names_place(row.answer, place) for place in request.places)
    return float(not covers or not COMPARES.search(fold(row.answer)))


def decision_missing(row: Row, request: Request) -> float:
    """A yes/no decision was asked for ("should I...?") and the answer settles nothing."""
    return float(request.wants(DECISION) and not DECIDES.search(fold(row.answer))
                 and not _other_failure(row, request))


def quantity_missing(row: Row, request: Request) -> float:
    """The question asks about a quantity (the temperature, the wind, rain, humidity, UV,
    or the weather at all) and the answer says nothing about it: it talks about something
    else."""
    if not request.quantities or _other_failure(row, request):
        return 0.0
    return float(any(not gives(row.answer, quantity) for quantity in request.quantities))


def _fits(asked: str, said: set[str]) -> bool:
    """Whether the days an answer names leave room for the day asked about (a weekday may
    be today or tomorrow: only days of the same sort can contradict)."""
    weekdays = said - {TODAY, TOMORROW, WEEKEND}
    if asked in (TODAY, TOMORROW):
        return asked in said or bool(weekdays) or WEEKEND in said
    if asked == WEEKEND:
        return bool(said & {WEEKEND, TODAY, TOMORROW, "saturday", "sunday"})
    return asked in said or bool(said & {TODAY, TOMORROW}) or (
        WEEKEND in said and asked in ("saturday", "sunday"))


def other_day(row: Row, request: Request) -> float:
    """The question asks about one day and the answer gives its weather only for another
    ("tomorrow" asked, "today" answered): every clause stating weather names a day, and
    none fits (a clause naming no day speaks of the day asked)."""
    if request.day is None or _other_failure(row, request):
        return 0.0
    clauses = [c for s in sentences(row.answer) for c in re.split(r";|,?\s+but\s+", s)
               if gives_weather(c)]
    return float(bool(clauses) and all(days_in(c) and not _fits(request.day, days_in(c))
                                       for c in clauses))


# --- rule 9 and 10 ----------------------------------------------------------------------------

def unsafe_advice(row: Row, _: Request) -> float:
    """Outdoor plans in rain, snow or storms with no indoor option (advice against an
    outdoor plan is no such plan)."""
    wet = any(reported(str(b.get("conditions") or "")) & {"rain", "snow", "storm"}
              for b in weather_results(row)[:2])
    return float(wet and outdoor_advised(row.answer) and not INDOOR.search(fold(row.answer)))


def broken(row: Row, _: Request) -> float:
    """Empty, cut off mid-sentence, or in another language than the question."""
    answer = row.answer.strip()
    if not answer:
        return 1.0
    return float(looks_cut_off(answer) or other_language(row.question, answer))


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
    Check("unit_not_given", 1, "the figures are only in the other unit", unit_not_given),
    Check("wrong_figures", 6, "a temperature the tool did not report", wrong_figures,
          reads_tools=True),
    Check("weather_without_call", 6, "weather figures although no tool was called",
          weather_without_call, reads_tools=True),
    Check("mislabeled_figure", 6, "a high, low or feels-like the tool did not report",
          mislabeled_figure, reads_tools=True),
    Check("wrong_conditions", 6, "conditions the tool did not report for the day",
          wrong_conditions, reads_tools=True),
    Check("real_place_unknown", 6, "a well-known real place called unknown",
          real_place_unknown),
    Check("plan_missing", 7, "a plan was asked for and none is given", plan_missing),
    Check("comparison_missing", 7, "a comparison was asked for and none is made",
          comparison_missing),
    Check("decision_missing", 7, "a decision was asked for and none is given",
          decision_missing),
    Check("quantity_missing", 7, "the quantity asked about is not given", quantity_missing),
    Check("other_day", 7, "answers about another day than the one asked", other_day),
    Check("unsafe_advice", 9, "outdoor plans in rain or storms, no indoor option",
          unsafe_advice, reads_tools=True),
    Check("broken", 10, "empty, cut off or in another language", broken),
)
"""Every weather check, in rubric order of importance."""
