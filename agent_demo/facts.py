"""The tool results of one question, and how they are shown to the answer writer.

A :class:`Lookup` holds what the tools returned for one place. The writer does not read the
raw JSON (a small model tends to echo JSON it is shown, and JSON costs more prompt tokens):
:func:`render` turns the results into short lines of text with every figure and unit kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


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


def _day(date: str) -> str:
    try:
        return f"{dt.date.fromisoformat(date):%A} {date}"
    except ValueError:
        return date


def weather_line(report: dict[str, Any]) -> str:
    t, w = f" {report['temperature_unit']}", f" {report['wind_unit']}"
    return (f"{report['location']}, {_day(report['date'])}: {report['conditions'].lower()}; "
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
    line = f"{lookup.place}: the weather service gave an error: {error['error']}."
    if error.get("suggestions"):
        line += f" Close matches it knows: {', '.join(error['suggestions'])}."
    return line


def render(lookup: Lookup) -> str:
    """The writer's view of one place's results."""
    report = lookup.report()
    if lookup.error is not None or report is None:
        return error_line(lookup)
    lines = [weather_line(report)]
    if "analyze_weather" in lookup.results:
        lines += analysis_lines(lookup.results["analyze_weather"],
                                with_periods="plan_activities" not in lookup.results)
    if "plan_activities" in lookup.results:
        lines += plan_lines(lookup.results["plan_activities"])
    return "\n".join(lines)


_RANKINGS = (("warmest first", "temperature", "temperature_unit"),
             ("highest chance of precipitation first", "precipitation_chance_percent", "%"),
             ("most humid first", "humidity_percent", "%"),
             ("windiest first", "wind_speed", "wind_unit"))


def comparison_lines(lookups: list[Lookup]) -> list[str]:
    """The found places ranked by temperature, rain, humidity and wind (two or more places):
    a small model compares figures unreliably, so the ranking is computed here."""
    reports = [(lookup.place, r) for lookup in lookups if (r := lookup.report()) is not None]
    if len(reports) < 2:
        return []
    lines = ["Comparison:"]
    for title, key, unit in _RANKINGS:
        ranked = sorted(reports, key=lambda item: -item[1][key])
        values = ", ".join(f"{place} {report[key]}{_unit(report, unit)}"
                           for place, report in ranked)
        lines.append(f"- {title}: {values}")
    return lines


def _unit(report: dict[str, Any], unit: str) -> str:
    return "%" if unit == "%" else f" {report[unit]}"


def render_all(lookups: list[Lookup]) -> str:
    """The writer's view of every place's results, with a ranking when there are several."""
    blocks = [render(lookup) for lookup in lookups]
    if ranking := comparison_lines(lookups):
        blocks.append("\n".join(ranking))
    return "\n\n".join(blocks)
