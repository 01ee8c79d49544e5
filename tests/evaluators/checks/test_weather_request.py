"""What a weather question asks for, read as a person reads it: the known places in any case,
a place with its country as one, sentence openers never places; the quantity, the unit, the
day; a plan, a comparison, a decision. Probes written for this test, not from a labeled set."""

from __future__ import annotations

import pytest

from evaluators.checks.weather.places import gazetteer, names_place, parse
from evaluators.checks.weather.request import (
    COMPARISON,
    CONDITIONS,
    DECISION,
    HUMIDITY,
    PLAN,
    PRECIPITATION,
    TEMPERATURE,
    UV,
    WEATHER,
    WIND,
    known_places_in,
    places_in,
    read_request,
    related,
)


@pytest.mark.parametrize(("question", "places"), [
    ("What's the weather in Tokyo this afternoon?", ["Tokyo"]),
    ("what's the weather in tokyo this afternoon?", ["tokyo"]),     # lower case
    ("Tokyo weather this afternoon?", ["Tokyo"]),                   # no preposition
    ("tokyo weather this afternoon?", ["tokyo"]),
    ("Smallville weather tomorrow?", ["Smallville"]),               # unknown, but a cue
    ("Will it rain in Oslo tomorrow?", ["Oslo"]),                   # "Will" is no place
    ("Can you tell me the weather in Lyon?", ["Lyon"]),
    ("Hi! Could you tell me the weather in Nice, France?", ["Nice, France"]),
    ("Nice weather in Lyon today, right?", ["Lyon"]),               # "Nice" is no place here
    ("I'm in Portland, OR today. Ideas?", ["Portland, OR"]),        # "Ideas" is no place
    ("Paris, Texas weather today", ["Paris, Texas"]),
    ("Compare Oslo, Stockholm and Helsinki for a walk.", ["Oslo", "Stockholm", "Helsinki"]),
    ("Compare New York, Washington and Boston", ["New York", "Washington", "Boston"]),
    ("Which is warmer today, Madrid or Athens?", ["Madrid", "Athens"]),
    ("NYC or LA this weekend - which is warmer?", ["NYC", "LA"]),
    ("Flying from Boston to Paris tomorrow, what is the weather there?", ["Paris"]),
    ("Me and Sarah are visiting Rome, what to pack?", ["Rome"]),
    ("Is it a good day for a picnic in Central Park?", ["Central Park"]),
    ("St. Louis weather?", ["St. Louis"]),
    ("WEATHER IN OSLO??", ["oslo"]),                                 # shouting
    ("What should I do today?", []),
    ("Umbrella?", []),
])
def test_the_places_a_question_names(question: str, places: list[str]) -> None:
    assert places_in(question) == places


def test_what_a_question_asks_for() -> None:
    assert read_request("How windy is it in Chicago right now?").quantities == {WIND}
    assert read_request("Will it rain in Seattle tomorrow?").quantities == {PRECIPITATION}
    assert read_request("How humid is it in Singapore?").quantities == {HUMIDITY}
    assert read_request("What's the UV index in Sydney?").quantities == {UV}
    assert read_request("How hot is Dubai?").quantities == {TEMPERATURE}
    assert read_request("What's the weather in Lyon?").quantities == {CONDITIONS}
    plan = read_request("Plan a rainy day in London")  # "rainy" is context, not an ask
    assert plan.kinds == {PLAN} and plan.quantities == frozenset()
    hike = read_request("Should I go hiking near Banff tomorrow, and how windy will it be?")
    assert hike.kinds == {DECISION} and hike.quantities == {WIND} and hike.day == "tomorrow"


@pytest.mark.parametrize(("question", "kinds"), [
    ("Can you tell me the weather in Oslo?", {WEATHER}),        # a request, no decision
    ("Could you give me the forecast for Rome?", {WEATHER}),
    ("What should I do today in Oslo?", {PLAN}),                # an open ask, no yes/no
    ("Should I bring an umbrella in London?", {DECISION}),
    ("Can I wear shorts in Miami today?", {DECISION}),
    ("Is it a good day for a picnic in Central Park?", {DECISION}),
    ("Rome or Paris this weekend?", {COMPARISON}),              # a choice of places
    ("Is Oslo colder than Stockholm today?", {COMPARISON}),
    ("Plan my Saturday in Kyoto and tell me if I should bike.", {PLAN, DECISION}),
])
def test_the_kind_of_answer_a_question_wants(question: str, kinds: set[str]) -> None:
    assert read_request(question).kinds == kinds


def test_units_days_and_places_asked_together() -> None:
    assert read_request("Temps in Denver in F?").temperature_unit == "F"
    assert read_request("Wind in Wellington, in mph?").wind_unit == "mph"
    assert read_request("Weather in Oslo?").temperature_unit is None
    assert read_request("Oslo tonight?").day == "today"
    assert read_request("Oslo today and tomorrow?").day is None
    assert read_request("Weather in Oslo and Rome?").together
    assert not read_request("I live in Boston but I'm visiting Paris. Weather there "
                            "Monday?").together


def test_the_gazetteer_reads_names_codes_and_common_words() -> None:
    found = gazetteer().find("nice weather in sao paulo, then Portland, OR and NYC")
    assert [h.written for h in found] == ["nice", "sao paulo", "Portland", "OR", "NYC"]
    assert found[0].common_word and not found[1].common_word
    assert gazetteer().qualifies("France", "Nice") and gazetteer().qualifies("OR", "Portland")
    assert gazetteer().qualifies("United States", "Seattle")  # via its state
    assert not gazetteer().qualifies("Texas", "Paris")
    assert gazetteer().within("Lyon") == "France" and gazetteer().within("France") == ""


def test_a_place_is_named_by_any_of_its_names() -> None:
    assert names_place("New York City right now: 8°C", "nyc")
    assert names_place("Lisboa: 18°C", "Lisbon")
    assert names_place("Sunny in New York today", "Central Park")  # a landmark's city
    assert not names_place("It's 8°C", "New York")
    assert not names_place("we'll see or not", "OR")  # a two-letter code in capitals only
    assert related("Seattle", "United States") and related("Tokyo", "Japan")
    assert not related("Marseille", "Lyon")
    assert known_places_in("Lyon, France: 7°C; Marseille is warmer.") == ["Lyon, France",
                                                                          "Marseille"]


def test_a_gazetteer_file_is_parsed_by_section() -> None:
    small = parse("[country]\nFrance | | FR\n[city]\nNice* | France\nLyon | France | Lyons\n")
    assert small.places("lyons")[0].name == "Lyon"
    assert small.places("Nice")[0].common_word and small.places("FR")[0].kind == "country"
    assert small.places("fr") == ()  # a two-letter code is read in capitals only
