"""The tool results of one question, and how they are shown to the answer writer.

A :class:`Lookup` holds what the tools returned for one place. The writer does not read the
raw JSON (a small model tends to echo JSON it is shown, and JSON costs more prompt tokens):
:func:`render` turns the results into short lines of text with every figure and unit kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from agent_demo import comparison, descriptions
from agent_demo.weather import to_celsius


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

    def periods(self) -> list[dict[str, Any]]:
        """The parts of the day in the results (period, temperature, conditions)."""
        for name, key in (("analyze_weather", "periods"), ("plan_activities", "plan")):
            if name in self.results:
                return self.results[name][key]
        return []


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


def namesakes_line(report: dict[str, Any]) -> str:
    """'' unless the place's name is shared by other cities (the results are for the most
    populous)."""
    others = report.get("same_name_elsewhere")
    return (f"These results are for {report['location']}, the largest place of that name; "
            f"others: {'; '.join(others)}.") if others else ""


def words_line(report: dict[str, Any]) -> str:
    """What the figures say about heat, cold, wind and rain, in the words the answer uses."""
    said = descriptions.words(report)
    return (f"In words (from these figures): {said.temperature} (feels like "
            f"{report['feels_like']} {report['temperature_unit']}), {said.wind}, {said.rain}.")


def _temperature(period: dict[str, Any], unit: str) -> str:
    """'9.2 °C, cool': a part of the day's temperature and its word."""
    word = descriptions.temperature_word(to_celsius(period["temperature"], unit))
    return f"{period['temperature']} {unit}, {word}"


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
                  f"{_temperature(p, unit)}" for p in analysis["periods"]]
    return lines


def plan_lines(plan: dict[str, Any]) -> list[str]:
    unit = plan["weather"]["temperature_unit"]
    lines = [f"Day plan (preferences: {plan['preferences']}):"]
    for period in plan["plan"]:
        note = "" if period["note"] == "good conditions" else f" Note: {period['note']}."
        lines.append(f"- {period['period'].capitalize()} ({period['hours']}, "
                     f"{period['conditions'].lower()}, {_temperature(period, unit)}): "
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
    lines = [line for line in (weather_line(report, day), namesakes_line(report),
                               words_line(report)) if line]
    if "analyze_weather" in lookup.results:
        lines += analysis_lines(lookup.results["analyze_weather"],
                                with_periods="plan_activities" not in lookup.results)
    if "plan_activities" in lookup.results:
        lines += plan_lines(lookup.results["plan_activities"])
    return "\n".join(lines)


def comparison_lines(lookups: list[Lookup], asked: str = "overall") -> list[str]:
    """The found places compared in sentences (:mod:`agent_demo.comparison`)."""
    return comparison.comparison_lines(
        [(lookup.place, r) for lookup in lookups if (r := lookup.report()) is not None], asked)


def render_all(lookups: list[Lookup], day: str = "today", asked: str = "overall") -> str:
    """The writer's view of every place's results, compared when there are several
    (``asked``: the aspect of :data:`~agent_demo.comparison.ASPECTS` the question is about,
    or 'overall')."""
    blocks = [render(lookup, day) for lookup in lookups]
    if ranking := comparison_lines(lookups, asked):
        blocks.append("\n".join(ranking))
    return "\n\n".join(blocks)
