"""The weather checks, one rubric failure each, on answers written for the test (not taken
from the gold set), and the question reading they rely on."""

from __future__ import annotations

from typing import Any

import pytest

from evaluators.checks import WEATHER as WEATHER_CHECKS
from evaluators.checks import Row, load_checks
from evaluators.checks.combine import ANY, Combiner
from evaluators.checks.weather.request import (
    COMPARISON,
    DECISION,
    PLAN,
    WEATHER,
    places_in,
    read_request,
)
from evaluators.evidence import ToolCall
from evaluators.modes.checklist import reason_for
from tests.support.versions import checklist_v4

CHECKS = load_checks(WEATHER_CHECKS)

OSLO = ToolCall("get_weather", {"location": "Oslo", "unit": "celsius"},
                {"location": "Oslo, Norway", "conditions": "Moderate rain", "temperature": 4.2,
                 "feels_like": 1.0, "low": 2.1, "high": 5.0, "temperature_unit": "°C"})
ATLANTIS = ToolCall("get_weather", {"location": "Atlantis"},
                    error="no weather data for 'Atlantis': it is not a city this service covers")
GOOD = "It is 4.2°C in Oslo with moderate rain; it feels like 1.0°C. Take an umbrella."


def check_scores(question: str, answer: str, tools: list[ToolCall] | None,
                 reading: dict[str, Any] | None = None) -> dict[str, float]:
    return CHECKS.scores(Row(question, answer, None if tools is None else tuple(tools),
                             reading))


def fired(question: str, answer: str, tools: list[ToolCall] | None = None,
          reading: dict[str, Any] | None = None) -> set[str]:
    scores = check_scores(question, answer, tools if tools is not None else [OSLO], reading)
    return {name for name, score in scores.items() if score >= 0.5}


def test_a_good_answer_fires_nothing() -> None:
    assert fired("What's the weather in Oslo today?", GOOD) == set()


@pytest.mark.parametrize(("question", "answer", "check"), [
    ("Weather in Oslo?", '<tools><function name="get_weather"/></tools>', "not_prose"),
    ("Weather in Oslo?", '{"temperature": 4.2, "conditions": "rain"}', "not_prose"),
    ("Weather in Oslo?", "{\u201ctemperature\u201d: 4.2, \u201cconditions\u201d: \u201crain\u201d}",
     "not_prose"),  # JSON typed with curly quotes
    ("Weather in Oslo?", "You can call `get_weather` with the location Oslo.", "not_prose"),
    ("Weather in Oslo?", "I'm sorry, but I can't assist with that.", "refusal"),
    ("Weather in Oslo?", "Weather in Oslo?", "echo"),
    ("Plan a day in Oslo.", "Which city do you mean?", "needless_question"),
    ("Is it warmer in Oslo or Rome today?", GOOD, "missed_place"),
    ("What's the weather like?", GOOD, "guessed_place"),
    ("How cold is Oslo in Fahrenheit?", GOOD, "unit_not_given"),
    ("Weather in Oslo?", "It is 14.2°C and rainy in Oslo.", "wrong_figures"),
    ("Weather in Oslo?", "It is 4.2°C (50.0°F) in Oslo, rainy.", "wrong_figures"),
    ("Weather in Oslo?", "The high in Oslo is 4.2°C today, with rain.", "mislabeled_figure"),
    ("Weather in Oslo?", "Oslo is sunny today at 4.2°C.", "wrong_conditions"),
    ("Plan my day in Oslo.", GOOD, "plan_missing"),
    ("Compare Oslo and Bergen today.", "Oslo: 4.2°C, rain. Bergen: 6°C, rain.",
     "comparison_missing"),
    ("Should I go out in Oslo today?", "It is 4.2°C in Oslo with moderate rain.",
     "decision_missing"),
    ("Plan my day in Oslo.", "Morning: a picnic in the park. Afternoon: a long hike.",
     "unsafe_advice"),
    ("Weather in Oslo?", "It is 4.2°C in Oslo and the rain will", "broken"),
    ("Weather in Oslo?", "Hace 4,2 grados en Oslo con lluvia moderada, lleva un paraguas hoy.",
     "broken"),
])
def test_each_check_fires_on_its_failure(question: str, answer: str, check: str) -> None:
    assert check in fired(question, answer)


def test_unknown_places_are_answered_by_saying_so() -> None:
    question = "What's the weather in Atlantis?"
    assert "invented_weather" in fired(question, "Atlantis is sunny at 25°C.", [ATLANTIS])
    honest = "I could not find Atlantis; check the spelling or name a nearby city."
    assert fired(question, honest, [ATLANTIS]) == set()


def test_asking_for_the_place_when_none_was_named_is_evidence_for_helpful() -> None:
    scores = check_scores("What should I do today?", "Which city are you in?", [])
    assert scores["asks_for_missing_place"] == 1.0
    assert Combiner(ANY, evidence=CHECKS.helpful).helpful(scores)  # not counted as a failure
    assert reason_for(CHECKS, scores, "helpful") == "no failure check fired"


def firing(scores: dict[str, float]) -> set[str]:
    return {name for name, score in scores.items() if score >= 0.5}


def test_without_a_tool_record_only_the_text_checks_speak() -> None:
    answer = "It is 14.2°C and sunny in Oslo."  # wrong by the record, but there is none
    assert firing(check_scores("Weather in Oslo?", answer, None)) == set()
    atlantis = "Atlantis is sunny at 25°C."
    assert firing(check_scores("Weather in Atlantis?", atlantis, None)) == set()


def test_a_record_of_no_call_makes_stated_weather_a_wrong_fact() -> None:
    """Rule 6: weather given without calling the tool; an empty record is a record."""
    answer = "It is 14.2°C and sunny in Oslo."
    assert firing(check_scores("Weather in Oslo?", answer, [])) == {"weather_without_call"}
    asking = "Which city are you in?"
    assert firing(check_scores("What's the weather?", asking, [])) == CHECKS.helpful
    assert "weather_without_call" not in fired("Weather in Oslo?", GOOD)  # a call was made


def test_the_checklist_tells_no_record_from_a_record_of_no_call() -> None:
    import asyncio

    from evaluators.endpoint import Endpoint
    from evaluators.modes import make_judge

    judge = make_judge(Endpoint("http://127.0.0.1:9/v1", "k", "none"), checklist_v4())
    answer = "It is 14.2°C and sunny in Oslo."
    no_call = asyncio.run(judge.judge("Weather in Oslo?", answer, []))
    no_record = asyncio.run(judge.judge("Weather in Oslo?", answer, None))
    assert no_call.label == "not_helpful" and "weather_without_call (rule 6)" in no_call.reason
    assert no_record.label == "helpful" and no_record.checks["weather_without_call"] == 0.0


def test_the_question_is_read_by_its_wording() -> None:
    assert places_in("Which is warmer today, Madrid or Athens?") == ["Madrid", "Athens"]
    assert places_in("Compare Oslo, Stockholm and Helsinki for a walk.") == [
        "Oslo", "Stockholm", "Helsinki"]
    assert places_in("I'm in Portland, OR today. Ideas?") == ["Portland, OR"]
    assert places_in("What should I do today?") == []
    request = read_request("Plan my Saturday in Kyoto and tell me if I should bike, in °F.")
    assert request.places == ("Kyoto",) and request.temperature_unit == "F"
    assert {PLAN, DECISION} <= request.kinds
    assert read_request("Rome or Paris: which is sunnier?").wants(COMPARISON)
    assert read_request("How hot is Dubai?").kinds == frozenset({WEATHER})


def test_the_models_reading_adds_what_the_wording_missed() -> None:
    question = "I'm American: what's it like in smallville today?"  # a town no list knows
    assert read_request(question).places == ()
    merged = read_request(question, ("Smallville", "Narnia"), frozenset({PLAN}))
    assert merged.places == ("Smallville",)  # a place the question does not name is dropped
    assert merged.wants(PLAN)
    from evaluators.checks.weather import context

    read = context(Row(question, "", None, {"places": ["Smallville", "Narnia"],
                                             "asks_for": ["plan", "gossip"]}))
    assert read.places == ("Smallville",) and read.wants(PLAN)


def test_a_checklist_reading_the_wording_alone_asks_the_model_nothing(
        tmp_path, scripted_llm) -> None:
    import asyncio
    from pathlib import Path

    from evaluators.endpoint import Endpoint
    from evaluators.modes.checklist import ChecklistJudge
    from evaluators.prompt_files import parse_prompt

    prompt = parse_prompt(f"---\nmode: checklist\nchecks: {WEATHER_CHECKS}\nreading: wording"
                          "\n---\nRead {{question}}\n", version="v9", path=Path("v9.txt"))
    with scripted_llm(lambda request: {"content": "{}"}) as server:
        judge = ChecklistJudge(Endpoint(server.base_url, "k", "scripted"), prompt)
        verdict = asyncio.run(judge.judge("Weather in Oslo?", "I'm sorry, I can't help.", []))
    assert server.requests == []
    assert verdict.label == "not_helpful" and "refusal (rule 4)" in verdict.reason
    assert verdict.checks["refusal"] == 1.0


TOKYO = ToolCall("get_weather", {"location": "Tokyo"},
                 {"location": "Tokyo, Japan", "conditions": "Partly cloudy", "temperature": 12.3,
                  "feels_like": 12.3, "low": 4.7, "high": 14.2, "temperature_unit": "°C"})
TOKYO_ANSWER = "Tokyo this afternoon: 14°C and partly cloudy, with a light wind."


@pytest.mark.parametrize(("question", "answer", "tools"), [
    # a lower-case city, with and without a tool record (was: guessed_place)
    ("what's the weather in tokyo this afternoon?", TOKYO_ANSWER, [TOKYO]),
    ("tokyo weather this afternoon?", TOKYO_ANSWER, None),
    # no preposition before the place
    ("Tokyo weather this afternoon?", TOKYO_ANSWER, [TOKYO]),
    # an opening "Will" or "Can you" (was: decision_missing)
    ("Will it rain in Tokyo this afternoon?", "No rain in Tokyo this afternoon: partly "
     "cloudy and 14°C.", [TOKYO]),
    ("Can you tell me the weather in Tokyo?", "Tokyo is partly cloudy at 12.3°C with a high "
     "of 14.2°C.", [TOKYO]),
    # "train" is no rain (was: wrong_conditions)
    ("Weather in Tokyo?", "Partly cloudy and 12°C in Tokyo: a good day to take the train "
     "out to Kamakura.", [TOKYO]),
    # a markdown list is no broken answer (was: broken)
    ("What's the weather in Tokyo?", "Tokyo today:\n- Partly cloudy\n- 12°C, feeling like "
     "12°C\n- Light wind around 5 km/h", [TOKYO]),
    # a place with its country is one place (was: missed_place for "France")
    ("What's the weather in Nice, France?", "Nice is sunny, 15°C, with a light breeze.",
     None),
    # both units where one was asked, and figures with no unit (rule 1 is "only the other")
    ("How warm is Tokyo in Fahrenheit?", "Tokyo: 54°F (12.3°C), partly cloudy.", [TOKYO]),
    ("How warm is it in Phoenix, in F?", "Around 75 degrees and sunny in Phoenix.", None),
    # a follow-up question after an answer is no question back (was: needless_question)
    ("Weather in Tokyo?", "Tokyo is partly cloudy and mild today. Want some ideas for the "
     "afternoon?", [TOKYO]),
    # an apology with the weather is no refusal
    ("Weather in Oslo?", "I'm sorry to hear you're stuck in the rain! Oslo is at 4.2°C with "
     "moderate rain.", [OSLO]),
    # an answer that does not repeat the city still speaks of it (was: missed_place)
    ("How hot will it be in Phoenix?", "Scorching: 109°F.", None),
    # "a chance of rain" asserts no rain; partly cloudy leaves room for sun
    ("Weather in Tokyo?", "Tokyo: sunny spells, 12°C, a slight chance of rain.", [TOKYO]),
    # a place the list does not know, answered by its city; a choice for a day trip
    ("Should I cancel my picnic in Hyde Park tomorrow?", "Probably, yes: London expects "
     "heavy rain most of tomorrow afternoon. Maybe pick Sunday, which looks dry.", None),
    ("Lisbon or Porto for a sunny day trip tomorrow?", "Lisbon: 21°C and sunny. Porto: 16°C "
     "with showers. Lisbon is the better bet.", None),
    # advice against an outdoor plan is no outdoor plan (rule 9)
    ("Plan my day in Oslo.", "With rain all day, skip the park: spend the morning at the "
     "Munch Museum and the afternoon in a cafe.", [OSLO]),
])
def test_answers_a_person_accepts_fire_nothing(question: str, answer: str,
                                               tools: list[ToolCall] | None) -> None:
    assert firing(check_scores(question, answer, tools)) == set()


@pytest.mark.parametrize(("question", "answer", "check"), [
    ("Weather in Gotham City?", "I\u2019m sorry, but I can\u2019t assist with that.",
     "refusal"),  # curly apostrophes (was: missed_place, not refusal)
    ("Plan my day in Tokyo.", "Clear skies and 12°C in Tokyo today.",
     "plan_missing"),  # "skies" is no ski trip
    ("How windy will it be in Chicago?", "Chicago will be 12°C and partly cloudy.",
     "quantity_missing"),
    ("What's it like in Tokyo?", "Tokyo is a fascinating city with great food and temples.",
     "quantity_missing"),  # about something other than what was asked
    ("What's the weather in Lyon?", "Marseille: 15°C and sunny.", "missed_place"),
    ("What's the weather tomorrow in Oslo?", "Today Oslo is 4.2°C with moderate rain.",
     "other_day"),
    ("Weather in Paris?", "I couldn't find Paris. Did you mean Parma?", "real_place_unknown"),
    ("Temperature in Boston in F?", "Boston: 4°C, cloudy.", "unit_not_given"),
    ("I need the humidity and wind speed for Houston.", "Houston right now: humidity 82%.",
     "quantity_missing"),
    ("Compare the weather in Tokyo, Osaka and Kyoto today.", "Tokyo: 12°C, cloudy. Osaka: "
     "14°C, sunny. Osaka is warmer.", "missed_place"),
    ("Weather in Oslo?", "Hace 4 grados en Oslo con lluvia, lleva un paraguas hoy.",
     "broken"),
])
def test_answers_that_miss_what_was_asked_are_seen(question: str, answer: str,
                                                   check: str) -> None:
    assert check in firing(check_scores(question, answer, None))
