"""The generic text helpers: what a person reads alike reads alike (typography, case, markdown),
and what is cut off or in another language is told from what is terse or formatted."""

from __future__ import annotations

import pytest

from evaluators.checks.text import (
    fold,
    is_structured,
    language,
    looks_cut_off,
    mentions,
    other_language,
    sentences,
    similar,
    unify,
)


def test_typography_is_folded_away() -> None:
    typed = "I\u2019m \u201cfine\u201d \u2212 3\u00a0\u00b0C \u2013 ok"
    assert unify(typed) == 'I\'m "fine" - 3 °C - ok'
    assert fold("  Z\u00fcrich\u2019s  CAF\u00c9 ") == "zurich's cafe"
    assert unify("call `get_weather`") == "call `get_weather`"  # a backtick is code, no quote


def test_sentences_are_read_through_markdown() -> None:
    text = "## Oslo\n- **Now:** 4°C. Rain later.\n1. Take an umbrella\n> Stay dry!"
    assert sentences(text) == ["Oslo", "Now: 4°C.", "Rain later.", "Take an umbrella",
                               "Stay dry!"]
    assert is_structured("- item") and is_structured("| a | b |")
    assert is_structured("**Wind:** 12 km/h") and not is_structured("Wind is 12 km/h")


@pytest.mark.parametrize("text", [
    "It is 4.2°C in Oslo and the rain will",           # ends on an auxiliary
    "Morning: the museum. Afternoon: a walk along the",  # ends on an article
    "Here is your plan:",                               # a colon with nothing after it
    "Oslo today: **4°C and rain",                        # bold opened, never closed
    "Oslo is 4°C today. Later in the evening the wind picks up and the temperature drops",
])
def test_cut_off_answers_are_seen(text: str) -> None:
    assert looks_cut_off(text)


@pytest.mark.parametrize("text", [
    "Oslo: 4°C, light rain",                             # terse, one line, no full stop
    "- Morning: museum\n- Afternoon: walk in the park\n- Evening: dinner out",
    "| City | Temp |\n|---|---|\n| Oslo | 4°C |",
    "**Temp:** 4°C\n**Sky:** light rain",
    "It's 4°C in Oslo. Stay warm",                       # a short sign-off
    "Oslo is 4°C with rain today. Take an umbrella.\n\nLet me know if you need anything else",
    "Sunny and 19°C in Rome today. Enjoy! \u2600\ufe0f",
    "Which city are you in?",
])
def test_finished_answers_are_not_cut_off(text: str) -> None:
    assert not looks_cut_off(text)


def test_language_is_told_by_common_words() -> None:
    assert language("Hace 4 grados en Oslo con lluvia moderada, lleva un paraguas hoy.") == "es"
    assert language("It is cold and rainy in Oslo today, so take a coat.") == "en"
    assert language("Oslo: 4°C, rain") is None  # terse: too little to tell
    assert language("\u6771\u4eac\u306f\u6674\u308c\u3067\u3059") == "other-script"
    spanish = "Hoy en Madrid hace sol y 18 grados, con muy poco viento."
    assert not other_language("¿Qué tiempo hace hoy en Madrid? Dime la temperatura y el "
                              "viento para hoy.", spanish)
    assert other_language("Weather in Madrid?", spanish)
    assert not other_language("Weather in Oslo?", "Oslo: 4°C, light rain, 12 km/h wind")


def test_names_are_whole_words_in_any_case() -> None:
    assert mentions("TOKYO\u2019s forecast", "Tokyo")
    assert mentions("It's sunny in portland.", "Portland, OR")
    assert not mentions("Take the train to Kamakura.", "Rain")
    assert similar("Weather in Oslo?", "weather in oslo") == 1.0
