"""Places compared in sentences, by code: a small model compares figures unreliably.

Each aspect (temperature, precipitation, humidity, wind) gets a sentence with both figures.
The overall sentence names the place nicest for being outside and only the reasons its
figures give: which place is drier, milder (closer to a comfortable 21 °C) and calmer, each
with the figures, and it says so when the places trade one against another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent_demo.weather import is_wet, to_celsius, to_kmh

Report = dict[str, Any]
Place = tuple[str, Report]  # a place's name as asked, and its weather report

COMFORTABLE_C = 21.0
CLOSE_SCORES = 1.0  # outdoor scores this close: little between the places


@dataclass(frozen=True)
class Aspect:
    """One way to compare places: the report key and the words for more and less of it."""

    key: str
    noun: str
    more: str
    less: str
    unit: str  # a report key holding the unit, or a literal unit


ASPECTS = {
    "temperature": Aspect("temperature", "temperature", "warmer", "colder", "temperature_unit"),
    "precipitation": Aspect("precipitation_chance_percent", "chance of precipitation",
                            "more likely to get rain or snow", "drier", "%"),
    "humidity": Aspect("humidity_percent", "humidity", "more humid", "less humid", "%"),
    "wind": Aspect("wind_speed", "wind", "windier", "calmer", "wind_unit"),
}


def _celsius(report: Report) -> float:
    return to_celsius(report["temperature"], report["temperature_unit"])


def outdoor_score(report: Report) -> float:
    """Higher is nicer to be outside: dry, close to 21 °C, little wind."""
    wind_kmh = to_kmh(report["wind_speed"], report["wind_unit"])
    return (-abs(_celsius(report) - COMFORTABLE_C) - (15 if is_wet(report["conditions"]) else 0)
            - report["precipitation_chance_percent"] / 10 - max(0.0, wind_kmh - 20) / 2)


def _value(report: Report, aspect: Aspect) -> str:
    unit = "%" if aspect.unit == "%" else f" {report[aspect.unit]}"
    return f"{report[aspect.key]}{unit}"


def aspect_sentence(places: list[Place], aspect: Aspect) -> str:
    ranked = sorted(places, key=lambda item: -item[1][aspect.key])
    if len(ranked) > 2:
        order = ", then ".join(f"{place} ({_value(r, aspect)})" for place, r in ranked)
        return f"From {aspect.more} to {aspect.less}: {order}."
    (first, a), (second, b) = ranked
    if a[aspect.key] == b[aspect.key]:
        return f"{first} and {second} have the same {aspect.noun} ({_value(a, aspect)})."
    return (f"{first} is {aspect.more} than {second} ({_value(a, aspect)} against "
            f"{_value(b, aspect)}), so {second} is {aspect.less}.")


# --- the overall sentence ---------------------------------------------------------------------

@dataclass(frozen=True)
class Reason:
    """A way one place is nicer to be outside than another, decided by one figure."""

    better: str  # 'drier'
    best: str  # 'the driest'
    cost: Callable[[Report], float]  # lower is nicer
    margin: float  # costs closer than this are alike
    figure: Callable[[Report], str]  # the figure that shows it
    noun: str  # what the figures measure, after them: 'chance of precipitation'


def _dryness_cost(report: Report) -> float:
    """The chance of precipitation, with a wet day always behind a dry one."""
    return report["precipitation_chance_percent"] + (100 if is_wet(report["conditions"]) else 0)


def _rain_figure(report: Report) -> str:
    wet = f" with {report['conditions'].lower()}" if is_wet(report["conditions"]) else ""
    return f"{report['precipitation_chance_percent']}%{wet}"


REASONS = (
    Reason("drier", "the driest", _dryness_cost, 10, _rain_figure, "chance of precipitation"),
    Reason("milder", "the mildest", lambda r: abs(_celsius(r) - COMFORTABLE_C), 1.5,
           lambda r: f"{r['temperature']} {r['temperature_unit']}", ""),
    Reason("calmer", "the calmest", lambda r: to_kmh(r["wind_speed"], r["wind_unit"]), 3,
           lambda r: f"{r['wind_speed']} {r['wind_unit']}", "wind"),
)


def _beats(reason: Reason, a: Report, b: Report) -> bool:
    return reason.cost(b) - reason.cost(a) >= reason.margin


def _dominates(a: Report, b: Report) -> bool:
    """``a`` is nicer than ``b`` by at least one reason and by none the other way."""
    return any(_beats(r, a, b) for r in REASONS) and not any(_beats(r, b, a) for r in REASONS)


def _figures(reason: Reason, first: Report, others: list[Report]) -> str:
    against = " and ".join(reason.figure(r) for r in others)
    return " ".join(part for part in (reason.noun, reason.figure(first), "against", against)
                    if part)


def _advantage(reason: Reason, report: Report, rest: list[Place]) -> str:
    """How ``report`` is better than the ``rest`` by ``reason`` ('' when it is not)."""
    beaten = [(place, r) for place, r in rest if _beats(reason, report, r)]
    if len(beaten) == len(rest):
        word = reason.best if len(rest) > 1 else reason.better
        return f"{word} ({_figures(reason, report, [r for _, r in rest])})"
    if not beaten:
        return ""
    return (f"{reason.better} than {_listing([place for place, _ in beaten])} "
            f"({_figures(reason, report, [r for _, r in beaten])})")


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def overall_sentence(places: list[Place]) -> str:
    """Which place is nicest for being outside and why, by the figures alone: the outdoor
    score decides, among the places no other beats on every figure that tells them apart."""
    ranked = sorted(places, key=lambda item: -outdoor_score(item[1]))
    name, report = next(p for p in ranked if not any(_dominates(o[1], p[1]) for o in ranked))
    rest = [p for p in ranked if p[0] != name]
    others = [r for _, r in rest]
    pros = [pro for reason in REASONS if (pro := _advantage(reason, report, rest))]
    cons = [f"{other} is {reason.better} ({_figures(reason, r, [report])})"
            for reason in REASONS for other, r in rest if _beats(reason, r, report)]
    nicest = "the nicest" if len(rest) > 1 else "the nicer"
    if not pros and not cons:
        return (f"Overall, {_listing([place for place, _ in places])} are about as nice as "
                "each other for being outside: their chances of precipitation, temperatures "
                "and winds are close.")
    if not cons:
        return f"Overall, {name} is {nicest} for being outside: it is {_listing(pros)}."
    runner_up = max(outdoor_score(r) for r in others)
    verdict = (f"there is little between them, {name} slightly ahead"
               if outdoor_score(report) - runner_up < CLOSE_SCORES
               else f"on balance {name} is {nicest} for being outside")
    lead = f"{name} is {_listing(pros)}, while " if pros else ""
    return f"Overall, it is a trade-off: {lead}{_listing(cons)}; {verdict}."


def comparison_lines(places: list[Place], asked: str = "overall") -> list[str]:
    """The places compared in sentences (two or more), the aspect the question asks about
    (a key of :data:`ASPECTS`, or 'overall') first."""
    if len(places) < 2:
        return []
    sentences = {name: aspect_sentence(places, aspect) for name, aspect in ASPECTS.items()}
    sentences["overall"] = overall_sentence(places)
    answer = sentences.pop(asked if asked in sentences else "overall")
    return ["Comparison of the places:", f"Answer to the question: {answer}",
            "Also: " + " ".join(sentences.values())]
