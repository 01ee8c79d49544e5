"""The messages of the two model calls: reading the request, and writing the answer.

Both calls start with the same :data:`SYSTEM_PROMPT`, byte for byte, so a local server that
keeps the previous prompt's cache re-evaluates only the user turn. The writer's user turn
holds the question, the tool results as text (:mod:`agent_demo.facts`) and a brief built by
code from the request: what to cover, in which order, in which units. The brief is a mapping
of named parts (:data:`PARTS`), so a variant can replace or drop one part.
"""

from __future__ import annotations

from agent_demo.facts import Lookup
from agent_demo.request import Request

SYSTEM_PROMPT = """You are a friendly weather and activity planning assistant. You help people \
with the weather of a city and with plans that fit it. Each question comes with the results \
of a weather service. Answer in plain English sentences written for a person (short \
paragraphs or bullet points), never JSON, code or markup. Use the figures from the weather \
service exactly, with their units, and never make up weather."""

EXTRACTION_PROMPT = """Read this request to a weather assistant and fill in the JSON fields.
places: each city or place the request names, copied exactly as written; [] when it names none.
task: "weather" for conditions or a forecast; "plan" for things to do or a day plan; \
"compare" for choosing between places; "analysis" for a detailed breakdown; \
"analysis_and_plan" when both are asked; "decision" for a yes/no question like "Should I...?".
preferences: the words, copied from the request, in which the person says who they are with \
or what kind of activities they want; "" when the request says nothing about that.

Request: """

STRICTER = ("Important: write only plain sentences for a person. No JSON, no code, no markup, "
            "no function or tool calls, and do not mention tools. Say each thing once and keep "
            "it short.")

NO_PLACE = ("The question names no city. Your whole reply is a short, friendly question to "
            "the user: which city are they in (or going to)? Add that you will then check the "
            "weather there and help. Do not guess a place and do not give any weather.")

WORDS = ("Keep the figures, and call the weather hot, warm, mild, cool or cold, windy or calm, "
         "wet or dry only as the 'In words' line and the parts of the day say: those words "
         "follow from the figures. Never give a reason of heat, cold, wind or rain that they "
         "do not give.")

PARTS = ("errors", "main", "places", "weather", "analysis", "plan", "words", "units",
         "length")
"""The parts of a brief, in the order the writer reads them."""

Brief = dict[str, str]


def extraction_messages(question: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": EXTRACTION_PROMPT + question}]


def writer_messages(question: str, data: str, brief: Brief, stricter: bool = False,
                    include: list[str] | None = None, correct: list[str] | None = None
                    ) -> list[dict[str, str]]:
    """The writer's conversation: the question, the weather data, then what to write
    (``stricter`` for the retry, ``include``: what the first answer left out, ``correct``:
    what it said that the figures contradict)."""
    lines = [line for line in brief.values() if line]
    if stricter:
        lines.append(STRICTER)
    if include:
        lines.append(f"Be sure to include: {', '.join(include)}.")
    if correct:
        lines.append(f"The figures contradict what a first answer said: {'; '.join(correct)}. "
                     "Describe heat, cold, wind and rain only with the words in the results.")
    parts = [f"Question: {question}"]
    if data:
        parts.append(f"Weather service results:\n{data}")
    parts.append("Write the answer. " + " ".join(lines))
    return [{"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": "\n\n".join(parts)}]


def units_line(lookups: list[Lookup]) -> str:
    """Write the units of the results (which are the units the tools were called in)."""
    report = next((r for lookup in lookups if (r := lookup.report()) is not None), None)
    if report is None:
        return ""
    return (f"Write temperatures in {report['temperature_unit']} and wind in "
            f"{report['wind_unit']}, with the figures exactly as in the results.")


def _main_point(request: Request, found: list[Lookup]) -> str:
    if len(found) > 1:
        names = " and ".join(lookup.place for lookup in found)
        return (f"Compare {names}: begin with the answer to the question given in the "
                "comparison, in your own words, then give each place's conditions, "
                "temperature, chance of precipitation and wind in one sentence each.")
    if request.yes_no:
        return "Begin with a clear yes or no to the question, then explain it with the figures."
    return "Answer the question directly first."


def _error_point(lookup: Lookup) -> str:
    if not lookup.unknown_place:
        return (f"For {lookup.place}, explain the weather service's error in plain words and "
                "say what the user can ask instead.")
    matches = (lookup.error or {}).get("suggestions") or []
    offer = f"ask whether they meant {' or '.join(matches)}" if matches else \
        "ask them to check the spelling or to name a nearby major city"
    return (f'Start by saying that you could not find "{lookup.place}" (written exactly like '
            f"this) in the weather service, then {offer}. Do not give or guess any weather "
            f"for {lookup.place}.")


def _namesakes_point(lookup: Lookup) -> str:
    report = lookup.report() or {}
    if not report.get("same_name_elsewhere"):
        return ""
    return (f"Name the place as {report['location']}, and say that other places are called "
            f"{lookup.place} too ({' or '.join(report['same_name_elsewhere'])}): the user can "
            "ask again naming the country.")


def answer_brief(request: Request, lookups: list[Lookup]) -> Brief:
    """What the writer must cover, by part, given the request and what the tools found."""
    if not lookups:
        return {"main": NO_PLACE}
    found = [lookup for lookup in lookups if lookup.found]
    brief = {"errors": " ".join(_error_point(lookup) for lookup in lookups
                                if not lookup.found)}
    if found:
        brief["main"] = _main_point(request, found)
        brief["places"] = " ".join(_namesakes_point(lookup) for lookup in found)
        if len(found) == 1:
            brief["weather"] = ("Give the weather: conditions, temperature and feels-like, low "
                                "and high, humidity, wind and chance of precipitation.")
        if request.analysis:
            brief["analysis"] = ("Give the analysis: comfort, rain risk, wind, UV index, the "
                                 "best time to be outside and what to wear.")
        if request.plan:
            suits = (f" The user said: {request.preferences}. Favour the activities that suit "
                     "this, and say why." if request.preferences else "")
            brief["plan"] = ("Give a day plan: one short line each for Morning, Afternoon "
                             "and Evening with the suggested activities and their notes from "
                             f"the results, then one line of indoor alternatives.{suits}")
        brief["words"] = WORDS
        brief["units"] = units_line(found)
    brief["length"] = "Keep it short and friendly."
    return {part: brief[part] for part in PARTS if brief.get(part)}
