"""Places beyond the curated table (issue 20): every city of over 15,000 people is found, by
its name, a qualifier or a common alternate name; an invented place is still not found."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys

import pytest

from agent_demo import gazetteer, places, weather
from agent_demo.facts import Lookup, render
from agent_demo.prompts import answer_brief
from agent_demo.request import Request
from agent_demo.tools import run_tool

DAY = dt.date(2026, 12, 15)


def head(name: str) -> str:
    """A name without what follows a comma ('Mianzhu, Deyang, Sichuan'), normalized."""
    return places.normalize(name.split(",")[0])


@pytest.mark.parametrize(("location", "label"), [
    ("Valencia", "Valencia, Venezuela"),  # the most populous of the name
    ("Valencia, Spain", "Valencia, Spain"),
    ("valencia, ES", "Valencia, Spain"),
    ("Portland, OR", "Portland, United States"),  # the curated city
    ("Portland, ME", "Portland, Maine, United States"),
    ("Portland, Maine, USA", "Portland, Maine, United States"),
    ("Paris, Texas", "Paris, Texas, United States"),
    ("Nice, France", "Nice, France"),
    ("London, Ontario", "London, Ontario, Canada"),
    ("Leeds", "Leeds, England, United Kingdom"),
    ("Edinburgh, England", "Edinburgh, United Kingdom"),  # a lenient qualifier, as before
    ("Graz", "Graz, Austria"),
    ("Da Nang", "Da Nang, Vietnam"),
    ("Augsburg, Bavaria", "Augsburg, Germany"),  # a region it cannot check is not held against
    ("Valencia, Carabobo", "Valencia, Venezuela"),
    ("Reading", "Reading, England, United Kingdom"),  # an own name beats another's alternate
])
def test_real_cities_are_found(location: str, label: str) -> None:
    assert weather.find_city(location).label == label


@pytest.mark.parametrize(("written", "curated"), [
    ("Tokio", "Tokyo"), ("Lissabon", "Lisbon"), ("Tromsø", "Tromso"), ("München", "Munich"),
    ("Peking", "Beijing"),
])
def test_an_alternate_name_of_a_curated_city_is_the_curated_city(written: str,
                                                                 curated: str) -> None:
    assert weather.find_city(written) is places.curated_index()[places.normalize(curated)]


def test_every_gazetteer_city_is_found_by_its_name_and_country() -> None:
    book = gazetteer.gazetteer()
    entries = gazetteer.gazetteer().entries()
    assert len(entries) > 30_000
    for entry in random.Random(20).sample(entries, 3000):
        country = book.countries[entry.cc]
        city = weather.find_city(f"{entry.name}, {country}")
        assert city.cc == entry.cc, (entry, city)
        alone = weather.find_city(entry.name)  # the most populous of the name, or curated
        assert head(entry.name) in {head(name) for name in (alone.name, *alone.aliases)}


@pytest.mark.parametrize("place", ["Gotham City", "Narnia", "Middle-earth", "Wakanda",
                                   "Hogsmeade", "Zootopia", "Llanfairpwllgwyngyll"])
def test_invented_places_are_not_found(place: str) -> None:
    with pytest.raises(weather.UnknownLocationError, match="no weather data"):
        weather.find_city(place)


@pytest.mark.parametrize(("typo", "suggestion"), [
    ("Pariss", "Paris, France"),  # curated suggestions first, alone
    ("Springfeld", "Springfield, Missouri, United States"),
    ("Valenciaa", "Valencia, Venezuela"),
])
def test_a_typo_is_not_found_but_suggested(typo: str, suggestion: str) -> None:
    with pytest.raises(weather.UnknownLocationError) as error:
        weather.find_city(typo)
    assert suggestion in error.value.suggestions
    assert len(error.value.suggestions) <= 3
    assert error.value.payload()["suggestions"] == error.value.suggestions


def test_a_qualifier_that_names_another_country_is_not_found() -> None:
    with pytest.raises(weather.UnknownLocationError) as error:
        weather.find_city("Paris, Germany")
    assert error.value.suggestions == ["Paris, France"]


def test_namesakes_get_their_own_weather() -> None:
    missouri = weather.get_weather("Springfield, Missouri", today=DAY)
    illinois = weather.get_weather("Springfield, IL", today=DAY)
    assert missouri["location"] == "Springfield, Missouri, United States"
    assert illinois["location"] == "Springfield, Illinois, United States"
    assert missouri != {**illinois, "location": missouri["location"]}
    assert weather.get_weather("Valencia, Spain", today=DAY) == \
        weather.get_weather("valencia, spain", today=DAY)  # and it is deterministic


def test_curated_lookups_do_not_load_the_gazetteer_and_it_loads_once() -> None:
    script = ("from agent_demo import gazetteer, weather\n"
              "weather.find_city('Paris'); weather.find_city('Portland, OR')\n"
              "assert gazetteer.gazetteer.cache_info().currsize == 0\n"
              "weather.find_city('Valencia, Spain'); weather.find_city('Graz')\n"
              "info = gazetteer.gazetteer.cache_info()\n"
              "assert (info.misses, info.currsize) == (1, 1), info\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr


def test_normalize_takes_off_accents_and_spells_out_letters() -> None:
    assert places.normalize("São Paulo!") == "sao paulo"
    assert places.normalize("Tromsø") == "tromso"
    assert places.normalize("Łódź") == "lodz"


def test_an_ambiguous_name_says_which_place_it_is_and_what_else_it_could_be() -> None:
    valencia = run_tool("get_weather", {"location": "Valencia"}, DAY)
    assert valencia["location"] == "Valencia, Venezuela"
    assert valencia["same_name_elsewhere"] == ["Valencia, Spain",
                                               "Valencia, California, United States"]
    plan = run_tool("plan_activities", {"location": "Valencia"}, DAY)
    assert plan["weather"]["same_name_elsewhere"] == valencia["same_name_elsewhere"]
    for named in ("Valencia, Spain", "Paris", "Portland", "Tokio", "Graz"):
        assert "same_name_elsewhere" not in run_tool("get_weather", {"location": named}, DAY)
    lookup = Lookup("Valencia", {"plan_activities": plan})
    assert "These results are for Valencia, Venezuela, the largest place of that name; " \
           "others: Valencia, Spain; Valencia, California, United States." in render(lookup)
    brief = answer_brief(Request("Plan my day in Valencia.", ("Valencia",), plan=True), [lookup])
    assert brief["places"].startswith("Name the place as Valencia, Venezuela, and say that "
                                      "other places are called Valencia too (Valencia, Spain")
