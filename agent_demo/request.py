"""What a question asks for: the places, the kind of answer, units, day and preferences.

The model's extraction (a JSON object constrained by :data:`EXTRACTION_SCHEMA`) names the
places, the task and the stated preferences; :func:`build_request` checks it against the
question and completes it with the deterministic cues of :mod:`agent_demo.cues`:

- a place must be written in the question (a model that "corrects" Pariss to Paris, or
  invents a city for a vague question, is overruled); a known city the model left out is added;
  with no place at all, a capitalized name after "in"/"for" is taken as an (unknown) place;
- a plan or an analysis is asked for when the model or a keyword says so (a model often
  classifies a multi-part request by one part only);
- units and the day come from the question's words only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from agent_demo import cues, weather

TASKS = ("weather", "plan", "compare", "analysis", "analysis_and_plan", "decision")

EXTRACTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "places": {"type": "array", "items": {"type": "string"}},
        "task": {"type": "string", "enum": list(TASKS)},
        "preferences": {"type": "string"},
    },
    "required": ["places", "task", "preferences"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Extraction:
    """The model's reading of a question, as parsed from its JSON."""

    places: tuple[str, ...] = ()
    task: str = "weather"
    preferences: str = ""


@dataclass(frozen=True)
class Request:
    """What the workflow answers: tools are called per place, the writer is briefed on the rest."""

    question: str
    places: tuple[str, ...]
    plan: bool = False
    analysis: bool = False
    yes_no: bool = False
    unit: str | None = None  # asked temperature unit: "celsius" / "fahrenheit"
    wind_unit: str | None = None  # asked wind unit: "km/h" / "mph"
    day: str = "today"
    preferences: str = ""

    @property
    def compare(self) -> bool:
        return len(self.places) > 1

    @property
    def task(self) -> str:
        """One word for the kind of answer, for the result and the measurements."""
        if self.plan and self.analysis:
            return "analysis_and_plan"
        if self.plan or self.analysis:
            return "plan" if self.plan else "analysis"
        if self.compare:
            return "compare"
        return "decision" if self.yes_no else "weather"

    def with_changes(self, **changes: Any) -> Request:
        return replace(self, **changes)


def parse_extraction(text: str | None) -> Extraction | None:
    """The model's JSON as an Extraction; None when it is not the object the schema asks for."""
    try:
        data = json.loads(text or "")
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    places = data.get("places")
    if isinstance(places, str):
        places = [places]
    if not isinstance(places, list):
        places = []
    task = data.get("task") if data.get("task") in TASKS else "weather"
    preferences = data.get("preferences")
    return Extraction(
        places=tuple(p.strip() for p in places if isinstance(p, str) and p.strip()),
        task=str(task),
        preferences=preferences.strip() if isinstance(preferences, str) else "")


def _trimmed(place: str) -> str | None:
    """``place`` without lower-case words around the name ('Mexico City today' -> 'Mexico
    City'); an all lower-case place is kept only when it is a known city ('paris')."""
    words = place.split()
    if not any(word[:1].isupper() for word in words):
        return place if _known(place) else None
    while words[-1][:1].islower():
        words.pop()
    while words[0][:1].islower():
        words.pop(0)
    return " ".join(words)


def _known(place: str) -> bool:
    try:
        weather.find_city(place)
    except weather.WeatherToolError:
        return False
    return True


def _checked_places(question: str, extraction: Extraction) -> list[str]:
    """The model's places that the question really names, plus known cities it missed."""
    places: list[str] = []
    for written in extraction.places:
        place = _trimmed(written)
        if place is None or cues.position(question, place) is None \
                or not cues.is_place_word(place):
            continue
        if any(cues.within(place, kept) or cues.within(kept, place) for kept in places):
            continue
        places.append(place)
    for city in cues.known_places(question):
        if not any(cues.within(city, place) for place in places):
            places.append(city)
    if not places:
        places = cues.named_after_preposition(question)[:1]
    return sorted(places, key=lambda place: cues.position(question, place) or 0)


def _stated(question: str, preferences: str) -> str:
    """The parts of ``preferences`` the question really states: each comma-separated item is
    kept when all its longer words are written in the question ('kids' in 'two small kids')."""
    items = [item.strip() for item in re.split(r"[,;]| and ", preferences) if item.strip()]
    kept = [item for item in items
            if all(cues.position(question, word) is not None
                   for word in re.findall(r"[^\W\d_]{3,}", item))
            and re.search(r"[^\W\d_]{3,}", item)]
    return ", ".join(dict.fromkeys(kept))


def build_request(question: str, extraction: Extraction | None) -> Request:
    """The request to answer, from the model's extraction (or none) and the question's cues."""
    extraction = extraction or Extraction()
    task = extraction.task
    return Request(
        question=question,
        places=tuple(_checked_places(question, extraction)),
        plan=task in ("plan", "analysis_and_plan") or cues.wants_plan(question),
        analysis=task in ("analysis", "analysis_and_plan") or cues.wants_analysis(question),
        yes_no=cues.is_yes_no(question),
        unit=cues.temperature_unit(question),
        wind_unit=cues.wind_unit(question),
        day=cues.day(question),
        preferences=_stated(question, extraction.preferences),
    )
