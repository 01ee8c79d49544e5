"""The generic perturbations: each changes only what it says, is pure, and says when it does
not apply."""

from __future__ import annotations

from evaluators.checks.perturb import (
    CURLY_QUOTES,
    GENERIC,
    MARKDOWN_LIST,
    POLITE_OPENER,
    SAME,
    Case,
    Perturbation,
)
from evaluators.evidence import ToolCall

TOOLS = (ToolCall("get_weather", {"location": "Oslo"}, {"temperature": 4.2}),)
CASE = Case("What's the weather in Oslo?", "It's 4.2°C in Oslo. Take an umbrella.", TOOLS, "r1")


def test_a_polite_opener_goes_before_each_kind_of_question() -> None:
    assert POLITE_OPENER(CASE).question == "Hi! Could you tell me what's the weather in Oslo?"
    assert POLITE_OPENER(CASE.but(question="Will it rain in Oslo?")).question == (
        "Hi! Quick question: will it rain in Oslo?")
    assert POLITE_OPENER(CASE.but(question="Tokyo weather?")).question == (
        "Hi! Could you help me? Tokyo weather?")  # the place keeps its capital
    assert POLITE_OPENER(CASE.but(question="Hey, weather in Oslo?")) is None  # greeted


def test_curly_quotes_curl_apostrophes_and_quotations() -> None:
    case = CASE.but(question="What's \"nice\" weather in Oslo?",
                    answer="I'm sure it's 'fine'; the cities' parks are open.")
    curled = CURLY_QUOTES(case)
    assert curled.question == "What\u2019s \u201cnice\u201d weather in Oslo?"
    assert curled.answer == ("I\u2019m sure it\u2019s \u2018fine\u2019; the cities\u2019 parks "
                             "are open.")
    assert CURLY_QUOTES(CASE.but(question="Weather in Oslo?", answer="Oslo: 4°C.")) is None


def test_a_markdown_list_keeps_every_sentence() -> None:
    listed = MARKDOWN_LIST(CASE.but(answer="Oslo is 4.2°C. Rain later. Take an umbrella!"))
    assert listed.answer == "- Oslo is 4.2°C\n- Rain later\n- Take an umbrella!"
    assert MARKDOWN_LIST(CASE.but(answer="Oslo: 4.2°C and rain.")) is None  # one sentence
    assert MARKDOWN_LIST(CASE.but(answer="- Oslo: 4°C\n- rain")) is None  # a list already
    assert MARKDOWN_LIST(CASE.but(answer='{"a": 1}. {"b": 2}.')) is None  # code


def test_perturbations_are_pure_and_keep_the_row() -> None:
    for perturbation in GENERIC:
        before = Case(CASE.question, CASE.answer, CASE.tools, CASE.id)
        changed = perturbation(CASE)
        assert before == CASE  # the row itself is untouched
        assert changed is not None and changed.tools is CASE.tools and changed.id == "r1"
        assert perturbation(CASE) == changed  # same input, same output
        assert perturbation.expect == SAME


def test_a_perturbation_that_changes_nothing_does_not_apply() -> None:
    same = Perturbation("noop", SAME, "nothing", lambda case: case.but())
    assert same(CASE) is None
    never = Perturbation("never", SAME, "never applies", lambda case: None)
    assert never(CASE) is None
