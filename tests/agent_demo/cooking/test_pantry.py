"""The assistant's offline ingredient table and its tool (pure, no server)."""

from __future__ import annotations

import json

import pytest

from agent_demo.cooking.pantry import TOOL_NAME, TOOLS, find, look_up_ingredient, run_tool, table

TAGS = {"vegan", "vegetarian", "gluten-free", "dairy-free", "egg-free", "nut-free"}
FIELDS = {"name", "aliases", "tags", "substitutes", "cooking", "safe_internal_temp",
          "grams_per_cup", "notes"}


@pytest.mark.parametrize(("asked", "entry"), [
    ("buttermilk", "buttermilk"), ("Buttermilk", "buttermilk"), ("  BUTTERMILK ", "buttermilk"),
    ("eggs", "egg"), ("Eggs!", "egg"), ("plain flour", "all-purpose flour"),
    ("chicken breasts", "chicken breast"), ("lemons", "lemon juice"),
    ("Parmigiano-Reggiano", "parmesan"), ("dragon fruit", None),
])
def test_an_ingredient_is_found_by_name_or_alias_in_any_case(asked: str,
                                                             entry: str | None) -> None:
    found = find(asked)
    assert (found and found["name"]) == entry


def test_every_entry_is_well_formed() -> None:
    entries = list(table().values())
    assert len(entries) >= 30
    for entry in entries:
        assert set(entry) <= FIELDS and {"name", "tags"} <= set(entry), entry["name"]
        assert set(entry["tags"]) <= TAGS, entry["name"]
        assert len(entry) > 3, f"{entry['name']} says nothing but its tags"
        if "safe_internal_temp" in entry:
            temp = entry["safe_internal_temp"]
            assert abs((temp["F"] - 32) * 5 / 9 - temp["C"]) < 1, entry["name"]
        if "grams_per_cup" in entry:
            assert 50 <= entry["grams_per_cup"] <= 400, entry["name"]


def test_no_alias_names_two_entries() -> None:
    names = [alias.lower() for entry in table().values()
             for alias in [entry["name"], *entry.get("aliases", [])]]
    assert len(names) == len(set(names))


def test_vegan_entries_are_vegetarian_and_dairy_and_egg_free() -> None:
    for entry in table().values():
        if "vegan" in entry["tags"]:
            assert {"vegetarian", "dairy-free", "egg-free"} <= set(entry["tags"]), entry["name"]


def test_a_lookup_gives_the_entry_without_its_aliases() -> None:
    found = look_up_ingredient("buttermilk")
    assert found["name"] == "buttermilk" and "aliases" not in found
    assert any("lemon juice" in s for s in found["substitutes"])


def test_an_unknown_ingredient_gets_the_closest_names_or_the_whole_list() -> None:
    typo = look_up_ingredient("butermilk")
    assert "not in the reference table" in typo["error"]
    assert "buttermilk" in typo["known_ingredients"]
    assert look_up_ingredient("dragon fruit")["known_ingredients"] == sorted(table())


def test_the_tool_answers_a_call_as_json_text() -> None:
    assert json.loads(run_tool(TOOL_NAME, '{"ingredient": "gelatin"}'))["name"] == "gelatin"


@pytest.mark.parametrize(("name", "arguments", "says"), [
    (TOOL_NAME, "{not json", "give the ingredient"),
    (TOOL_NAME, '{"food": "egg"}', "give the ingredient"),
    (TOOL_NAME, '{"ingredient": "  "}', "give the ingredient"),
    (TOOL_NAME, '["egg"]', "give the ingredient"),
    ("get_recipe", '{"ingredient": "egg"}', "no tool named 'get_recipe'"),
])
def test_a_bad_call_gets_an_error_the_model_can_act_on(name: str, arguments: str,
                                                       says: str) -> None:
    assert says in json.loads(run_tool(name, arguments))["error"]


def test_the_declared_tool_matches_what_run_tool_reads() -> None:
    (tool,) = TOOLS
    assert tool["function"]["name"] == TOOL_NAME
    assert tool["function"]["parameters"]["required"] == ["ingredient"]
