"""The agent's tools: their OpenAI function schemas and how a call is executed.

get_weather answers weather questions; plan_activities and analyze_weather are the further
steps for activity requests and detailed analysis (each looks the weather up itself, so the
model may call them in any order or together).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from agent_demo import analysis, planning, weather
from agent_demo.weather import WeatherToolError

_LOCATION = {"type": "string",
             "description": "City name, optionally with country or state, e.g. 'Lisbon' or "
                            "'Portland, OR'."}
_UNIT = {"type": "string", "enum": ["celsius", "fahrenheit"],
         "description": "Temperature unit; use the one the user asks for (default celsius)."}
_WIND_UNIT = {"type": "string", "enum": ["km/h", "mph"],
              "description": "Wind speed unit (default: km/h with celsius, mph with fahrenheit)."}
_DAY = {"type": "string",
        "description": "'today' (default), 'tomorrow', a weekday name, 'weekend' or YYYY-MM-DD "
                       "within the next 7 days."}


def _function(name: str, description: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function", "function": {
        "name": name, "description": description,
        "parameters": {"type": "object", "properties": properties, "required": ["location"]}}}


TOOLS: list[dict[str, Any]] = [
    _function("get_weather",
              "Current conditions and the day's forecast for a city: temperature, feels-like, "
              "low/high, humidity, wind, gusts, conditions, chance of precipitation.",
              {"location": _LOCATION, "unit": _UNIT, "wind_unit": _WIND_UNIT, "day": _DAY}),
    _function("plan_activities",
              "A weather-aware day plan for a city: morning, afternoon and evening suggestions "
              "plus indoor alternatives. Use it whenever the user wants things to do.",
              {"location": _LOCATION, "unit": _UNIT, "day": _DAY,
               "preferences": {"type": "string",
                               "description": "Only when the user's message states a "
                                              "constraint: that phrase, copied. Else omit."}}),
    _function("analyze_weather",
              "A detailed analysis of a city's weather: comfort, rain risk, wind, UV index, the "
              "best time to be outside, what to wear, warnings. Use it when the user asks for "
              "details or analysis.",
              {"location": _LOCATION, "unit": _UNIT, "wind_unit": _WIND_UNIT, "day": _DAY}),
]

TOOL_NAMES = frozenset(tool["function"]["name"] for tool in TOOLS)


def description(name: str) -> str:
    return next(t["function"]["description"] for t in TOOLS if t["function"]["name"] == name)


def _day_weather(args: dict[str, Any], today: dt.date) -> weather.DailyWeather:
    city = weather.find_city(args.get("location", ""))
    return weather.daily_weather(city, weather.resolve_day(args.get("day"), today))


def _with_namesakes(report: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    """``report`` noting the other places of the asked name, when it was ambiguous."""
    if others := weather.namesakes(args.get("location", "")):
        report["same_name_elsewhere"] = others
    return report


def _get_weather(args: dict[str, Any], today: dt.date) -> dict[str, Any]:
    return _with_namesakes(weather.report(_day_weather(args, today),
                                          args.get("unit") or "celsius", args.get("wind_unit")),
                           args)


def _plan_activities(args: dict[str, Any], today: dt.date) -> dict[str, Any]:
    plan = planning.plan_day(_day_weather(args, today), args.get("unit") or "celsius",
                             args.get("preferences"))
    _with_namesakes(plan["weather"], args)
    return plan


def _analyze_weather(args: dict[str, Any], today: dt.date) -> dict[str, Any]:
    found = analysis.analyze(_day_weather(args, today), args.get("unit") or "celsius",
                             args.get("wind_unit"))
    _with_namesakes(found["weather"], args)
    return found


_HANDLERS: dict[str, Callable[[dict[str, Any], dt.date], dict[str, Any]]] = {
    "get_weather": _get_weather,
    "plan_activities": _plan_activities,
    "analyze_weather": _analyze_weather,
}


def parse_arguments(raw: str | None) -> dict[str, Any]:
    """A tool call's JSON arguments as a dict; WeatherToolError when they are not."""
    try:
        args = json.loads(raw or "{}")
    except json.JSONDecodeError as error:
        raise WeatherToolError(f"the tool arguments are not valid JSON ({error.msg})") from None
    if not isinstance(args, dict):
        raise WeatherToolError("the tool arguments must be a JSON object")
    return args


def run_tool(name: str, args: dict[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """Execute one tool call; raises WeatherToolError for anything the user must change."""
    handler = _HANDLERS.get(name)
    if handler is None:
        raise WeatherToolError(f"there is no tool named '{name}': use one of "
                               f"{', '.join(sorted(TOOL_NAMES))}")
    return handler(args, today or dt.date.today())
