"""The tool results of one question, and how they are shown to the answer writer.

A :class:`Lookup` holds what the tools returned for one place. The writer does not read the
raw JSON (a small model tends to echo JSON it is shown, and JSON costs more prompt tokens):
:func:`render` turns the results into short lines of text with every figure and unit kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from agent_demo.weather import is_wet


@dataclass
class Lookup:
    """The tool results for one place: tool name -> output, or the error the tools gave."""

    place: str
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    unknown_place: bool = False  # the error says the service does not know the place

    @property
    def found(self) -> bool:
        return self.error is None and bool(self.results)

    def report(self) -> dict[str, Any] | None:
        """The weather report: get_weather's result, else the one inside analysis or plan."""
        if "get_weather" in self.results:
            return self.results["get_weather"]
        for name in ("analyze_weather", "plan_activities"):
            if name in self.results:
                return self.results[name]["weather"]
        return None


def _day(date: str, day: str) -> str:
    """'today (Monday 2026-03-16)' or 'on Saturday 2026-03-21': the day as the question names
    it, so the writer keeps the right tense."""
    try:
        weekday = f"{dt.date.fromisoformat(date):%A} {date}"
    except ValueError:
        return date
    return f"{day} ({weekday})" if day in ("today", "tomorrow") else f"on {weekday}"


def weather_line(report: dict[str, Any], day: str = "today") -> str:
    t, w = f" {report['temperature_unit']}", f" {report['wind_unit']}"
    return (f"{report['location']}, {_day(report['date'], day)}, the day as a whole: "
            f"{report['conditions'].lower()}; "
            f"temperature {report['temperature']}{t} (feels like {report['feels_like']}{t}), "
            f"low {report['low']}{t}, high {report['high']}{t}; humidity "
            f"{report['humidity_percent']}%; wind {report['wind_speed']}{w}, gusts "
            f"{report['wind_gust']}{w}; chance of precipitation "
            f"{report['precipitation_chance_percent']}%.")


def _listing(items: list[str]) -> str:
    return "; ".join(items) if items else "none"


def analysis_lines(analysis: dict[str, Any], with_periods: bool) -> list[str]:
    unit = analysis["weather"]["temperature_unit"]
    lines = [f"Analysis: comfort {analysis['comfort']}; rain risk {analysis['rain_risk']}; "
             f"wind {analysis['wind']}; UV index {analysis['uv_index']}; best time outside: "
             f"{analysis['best_outdoor_window']}; what to wear: "
             f"{_listing(analysis['what_to_wear'])}; warnings: {_listing(analysis['warnings'])}."]
    if with_periods:
        lines += [f"- {p['period'].capitalize()} ({p['hours']}): {p['conditions'].lower()}, "
                  f"{p['temperature']} {unit}" for p in analysis["periods"]]
    return lines


def plan_lines(plan: dict[str, Any]) -> list[str]:
    unit = plan["weather"]["temperature_unit"]
    lines = [f"Day plan (preferences: {plan['preferences']}):"]
    for period in plan["plan"]:
        note = "" if period["note"] == "good conditions" else f" Note: {period['note']}."
        lines.append(f"- {period['period'].capitalize()} ({period['hours']}, "
                     f"{period['conditions'].lower()}, {period['temperature']} {unit}): "
                     f"{_listing(period['suggestions'])}.{note}")
    lines.append(f"- Indoor alternatives: {_listing(plan['indoor_alternatives'])}.")
    if plan["warnings"]:
        lines.append(f"Warnings: {_listing(plan['warnings'])}.")
    return lines


def error_line(lookup: Lookup) -> str:
    error = lookup.error or {"error": "no result"}
    line = f'"{lookup.place}": the weather service gave an error: {error["error"]}.'
    if error.get("suggestions"):
        line += f" Did you mean: {' or '.join(error['suggestions'])}?"
    return line


def render(lookup: Lookup, day: str = "today") -> str:
    """The writer's view of one place's results (``day`` as the question names it)."""
    report = lookup.report()
    if lookup.error is not None or report is None:
        return error_line(lookup)
    lines = [weather_line(report, day)]
    if "analyze_weather" in lookup.results:
        lines += analysis_lines(lookup.results["analyze_weather"],
                                with_periods="plan_activities" not in lookup.results)
    if "plan_activities" in lookup.results:
        lines += plan_lines(lookup.results["plan_activities"])
    return "\n".join(lines)


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


def _celsius(report: dict[str, Any]) -> float:
    value = report["temperature"]
    return (value - 32) * 5 / 9 if report["temperature_unit"] == "°F" else value


def outdoor_score(report: dict[str, Any]) -> float:
    """Higher is nicer to be outside: dry, close to 21 °C, little wind."""
    wind_kmh = report["wind_speed"] * (1.609344 if report["wind_unit"] == "mph" else 1)
    return (-abs(_celsius(report) - 21) - (15 if is_wet(report["conditions"]) else 0)
            - report["precipitation_chance_percent"] / 10 - max(0.0, wind_kmh - 20) / 2)


def _value(report: dict[str, Any], aspect: Aspect) -> str:
    unit = "%" if aspect.unit == "%" else f" {report[aspect.unit]}"
    return f"{report[aspect.key]}{unit}"


def _sentence(reports: list[tuple[str, dict[str, Any]]], aspect: Aspect) -> str:
    ranked = sorted(reports, key=lambda item: -item[1][aspect.key])
    if len(ranked) > 2:
        order = ", then ".join(f"{place} ({_value(r, aspect)})" for place, r in ranked)
        return f"From {aspect.more} to {aspect.less}: {order}."
    (first, a), (second, b) = ranked
    if a[aspect.key] == b[aspect.key]:
        return f"{first} and {second} have the same {aspect.noun} ({_value(a, aspect)})."
    return (f"{first} is {aspect.more} than {second} ({_value(a, aspect)} against "
            f"{_value(b, aspect)}), so {second} is {aspect.less}.")


def comparison_lines(lookups: list[Lookup], asked: str = "overall") -> list[str]:
    """The found places compared in sentences (two or more places), the aspect the question
    asks about first: a small model compares figures unreliably, so it is done here."""
    reports = [(lookup.place, r) for lookup in lookups if (r := lookup.report()) is not None]
    if len(reports) < 2:
        return []
    nicest = max(reports, key=lambda item: outdoor_score(item[1]))[0]
    overall = f"Overall, {nicest} is the nicest for being outside (drier, milder, calmer)."
    sentences = {name: _sentence(reports, aspect) for name, aspect in ASPECTS.items()}
    sentences["overall"] = overall
    answer = sentences.pop(asked if asked in sentences else "overall")
    return ["Comparison of the places:", f"Answer to the question: {answer}",
            "Also: " + " ".join(sentences.values())]


def render_all(lookups: list[Lookup], day: str = "today", asked: str = "overall") -> str:
    """The writer's view of every place's results, compared when there are several
    (``asked``: the aspect of :data:`ASPECTS` the question is about, or 'overall')."""
    blocks = [render(lookup, day) for lookup in lookups]
    if ranking := comparison_lines(lookups, asked):
        blocks.append("\n".join(ranking))
    return "\n\n".join(blocks)
