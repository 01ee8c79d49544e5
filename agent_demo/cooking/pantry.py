"""The assistant's one tool: an offline reference table of 34 ingredients
(``data/pantry.json``): substitutes, dietary tags, grams per US cup, cooking times and safe
internal temperatures.

:data:`TOOLS` is the ``tools=[...]`` list given to ``chat.completions.create``;
:func:`run_tool` runs a call the model made and returns the JSON text sent back as the
``tool`` message. A name not in the table returns an error with the closest known names.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import cache
from importlib import resources
from typing import Any

TOOL_NAME = "look_up_ingredient"

TOOLS: list[dict[str, Any]] = [{
    "type": "function",
    "function": {
        "name": TOOL_NAME,
        "description": ("Look up one ingredient in the kitchen reference table: substitutes, "
                        "dietary tags (vegan, vegetarian, gluten-free, dairy-free, egg-free, "
                        "nut-free), grams per US cup, cooking times and safe internal "
                        "temperatures."),
        "parameters": {
            "type": "object",
            "properties": {"ingredient": {"type": "string",
                                          "description": "the ingredient, e.g. buttermilk"}},
            "required": ["ingredient"],
        },
    },
}]


@cache
def table() -> dict[str, dict[str, Any]]:
    """Every entry of the table by its name."""
    text = resources.files("agent_demo.cooking").joinpath("data/pantry.json").read_text("utf-8")
    return {entry["name"]: entry for entry in json.loads(text)}


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9' -]+", "", " ".join(name.lower().split())).strip()


@cache
def _names() -> dict[str, str]:
    """Every name and alias (normalized) -> the entry's name."""
    return {_key(alias): entry["name"] for entry in table().values()
            for alias in [entry["name"], *entry.get("aliases", [])]}


def find(ingredient: str) -> dict[str, Any] | None:
    """The entry for ``ingredient`` (name or alias, any case, a plural 's' or 'es' dropped)."""
    key = _key(ingredient)
    for candidate in (key, key.removesuffix("s"), key.removesuffix("es")):
        if candidate in _names():
            return table()[_names()[candidate]]
    return None


def look_up_ingredient(ingredient: str) -> dict[str, Any]:
    """The table's entry for ``ingredient``, or an error naming the closest known entries."""
    entry = find(ingredient)
    if entry is not None:
        return {key: value for key, value in entry.items() if key != "aliases"}
    close = difflib.get_close_matches(_key(ingredient), list(_names()), n=3, cutoff=0.6)
    suggestions = sorted({_names()[name] for name in close}) or sorted(table())
    return {"error": f"'{ingredient}' is not in the reference table",
            "known_ingredients": suggestions}


def run_tool(name: str, arguments: str) -> str:
    """The ``tool`` message content for the call ``name(arguments)`` the model made."""
    if name != TOOL_NAME:
        return json.dumps({"error": f"there is no tool named {name!r}; use {TOOL_NAME}"})
    try:
        args = json.loads(arguments or "{}")
    except json.JSONDecodeError:
        args = None
    ingredient = args.get("ingredient") if isinstance(args, dict) else None
    if not isinstance(ingredient, str) or not ingredient.strip():
        return json.dumps({"error": 'give the ingredient as {"ingredient": "buttermilk"}'})
    return json.dumps(look_up_ingredient(ingredient), ensure_ascii=False)
