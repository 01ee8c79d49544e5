"""The weather perturbations, one by one: what each changes, where it does not apply."""

from __future__ import annotations

from evaluators.checks import WEATHER, load_checks
from evaluators.checks.perturb import GENERIC, SAME, Case
from evaluators.checks.weather.figures import speeds, temperatures
from evaluators.checks.weather.perturbations import (
    LOWERCASE_PLACES,
    NO_PREPOSITION,
    OTHER_CITY,
    PERTURBATIONS,
    PLACE_WITH_COUNTRY,
    QUANTITY_DROPPED,
    UNIT_SWAPPED,
)
from evaluators.evidence import ToolCall
from evaluators.labels import NOT_HELPFUL

LYON = Case("What's the weather in Lyon today?",
            "Lyon today: light rain and 7°C. Bring an umbrella if you head out.", None, "lyon")


def test_lowercase_places_lowers_every_place_of_the_question_only() -> None:
    case = Case("Is it warmer in Madrid or Lisbon?", "Madrid is warmer: 19°C vs 16°C in Lisbon.")
    changed = LOWERCASE_PLACES(case)
    assert changed.question == "Is it warmer in madrid or lisbon?"
    assert changed.answer == case.answer
    assert LOWERCASE_PLACES(Case("What's the weather like?", "Which city?")) is None


def test_a_place_gets_its_country_or_state() -> None:
    assert PLACE_WITH_COUNTRY(LYON).question == "What's the weather in Lyon, France today?"
    austin = Case("Weather in Austin?", "Austin: 20°C.")
    assert PLACE_WITH_COUNTRY(austin).question == "Weather in Austin, Texas?"
    assert PLACE_WITH_COUNTRY(Case("Weather in Lyon, France?", "7°C.")) is None  # written
    assert PLACE_WITH_COUNTRY(Case("Weather in Singapore?", "31°C.")) is None  # city-state
    assert PLACE_WITH_COUNTRY(Case("weather in nyc?", "8°C.")) is None  # an alias


def test_the_place_moves_in_front_without_its_preposition() -> None:
    assert NO_PREPOSITION(LYON).question == "Lyon weather today?"
    case = Case("Should I bike in Kyoto tomorrow?", "Yes, dry and 12°C.")
    assert NO_PREPOSITION(case).question == "Kyoto: should I bike tomorrow?"
    greeted = Case("Hey, what's it like in Cape Town this morning?", "Sunny, 18°C.")
    assert NO_PREPOSITION(greeted).question == "Hey, Cape Town: what's it like this morning?"
    assert NO_PREPOSITION(Case("Tokyo weather?", "12°C.")) is None  # none to remove
    assert NO_PREPOSITION(Case("Is it warmer in Madrid or Lisbon?", "Madrid.")) is None


def test_the_asked_unit_is_swapped_for_the_other() -> None:
    case = Case("What's the temperature in Phoenix in Fahrenheit?",
                "It's 78°F in Phoenix (feels like 76 °F), 26°C for Europeans.")
    swapped = UNIT_SWAPPED(case)
    assert {u for _, u in temperatures(swapped.answer)} == {"C"}
    assert [round(v) for v, _ in temperatures(swapped.answer)] == [26, 24, 26]
    wind = UNIT_SWAPPED(Case("Wind in Wellington, in mph?", "Gusts to 45 mph today."))
    assert speeds(wind.answer) == [(72.0, "km/h")]
    assert UNIT_SWAPPED(Case("Weather in Oslo?", "4°C.")) is None  # no unit asked
    assert UNIT_SWAPPED(Case("Oslo in °F?", "It's cold and wet.")) is None  # no figure


def test_the_asked_quantity_is_left_out() -> None:
    case = Case("How windy is it in Chicago?", "Chicago is 3°C and overcast. Winds are "
                "around 24 km/h with gusts to 38 km/h. Wrap up.")
    assert QUANTITY_DROPPED(case).answer == "Chicago is 3°C and overcast. Wrap up."
    lyon = LYON.but(answer="Lyon today: light rain and 7°C. Have a lovely day!")
    assert QUANTITY_DROPPED(lyon).answer == "Have a lovely day!"  # any weather, for "weather?"
    assert QUANTITY_DROPPED(LYON) is None  # "bring an umbrella" says rain: nothing would be left
    assert QUANTITY_DROPPED(Case("How windy is Chicago?", "Gusts to 38 km/h.")) is None
    assert QUANTITY_DROPPED(Case("Plan my day in Rome.", "Museums, then a walk.")) is None


def test_the_answer_moves_to_another_city() -> None:
    moved = OTHER_CITY(LYON)
    assert "Lyon" not in moved.answer and moved.question == LYON.question
    city = moved.answer.split(" today")[0]
    assert moved.answer == LYON.answer.replace("Lyon", city)
    qualified = OTHER_CITY(Case("Weather in nyc?", "New York City, USA: 8°C. Enjoy NYC!"))
    assert "New York" not in qualified.answer and "NYC" not in qualified.answer
    assert ", USA" not in qualified.answer  # the country goes with the city
    assert OTHER_CITY(Case("How hot is Phoenix?", "Scorching: 109°F.")) is None  # not named


def test_the_weather_module_offers_every_perturbation() -> None:
    assert load_checks(WEATHER).perturbations == PERTURBATIONS
    assert PERTURBATIONS[:len(GENERIC)] == GENERIC
    expects = {p.name: p.expect for p in PERTURBATIONS}
    assert [n for n, e in expects.items() if e == NOT_HELPFUL] == [
        "unit_swapped", "quantity_dropped", "other_city"]
    assert sum(e == SAME for e in expects.values()) == 6
    tools = (ToolCall("get_weather", {"location": "Lyon"}, {"temperature": 7.0}),)
    for perturbation in PERTURBATIONS:  # the tool record travels unchanged
        changed = perturbation(Case(LYON.question, "Lyon today: light rain and 7°C. Bring "
                                    "an umbrella.", tools, "lyon"))
        assert changed is None or (changed.tools is tools and changed.id == "lyon")
