"""The cooking question bank and its seeded sample (pure, no server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_demo.cooking.errors import CookingError
from agent_demo.cooking.questions import (
    Question,
    load_questions,
    parse_questions,
    sample_questions,
)

CATEGORIES = {"substitutions", "timing_temperatures", "recipe_ideas", "dietary_constraints",
              "scaling", "unit_conversions", "troubleshooting"}


def test_the_bank_holds_about_forty_distinct_questions_over_seven_categories() -> None:
    bank = load_questions()
    assert 38 <= len(bank) <= 45
    assert len({q.text for q in bank}) == len(bank)
    counts = {c: sum(q.category == c for q in bank) for c in CATEGORIES}
    assert set(q.category for q in bank) == CATEGORIES
    assert min(counts.values()) >= 5, counts


def test_none_of_the_bank_is_about_weather() -> None:
    assert not [q for q in load_questions() if "weather" in q.text.lower()]


def test_a_category_object_keeps_file_order_and_strips_text() -> None:
    assert parse_questions('{"a": ["  one? ", "two?"], "b": ["three?"]}', "f") == [
        Question("one?", "a"), Question("two?", "a"), Question("three?", "b")]


@pytest.mark.parametrize(("text", "says"), [
    ("not json", "is not JSON"),
    ('["a list?"]', "{category: [questions]}"),
    ('{"a": "not a list"}', "{category: [questions]}"),
    ('{"a": ["fine?", ""]}', "'a' item 2 is not a question"),
    ('{"a": ["fine?", 3]}', "'a' item 2 is not a question"),
    ('{"a": []}', "holds no questions"),
])
def test_a_bad_file_is_refused_with_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(CookingError) as raised:
        parse_questions(text, "my.json")
    assert str(raised.value).startswith("my.json") and says in str(raised.value)


def test_a_file_is_read_and_a_missing_one_named(tmp_path: Path) -> None:
    path = tmp_path / "q.json"
    path.write_text('{"baking": ["Why is my cake dense?"]}', encoding="utf-8")
    assert load_questions(path) == [Question("Why is my cake dense?", "baking")]
    with pytest.raises(CookingError, match=r"cannot read .*nope\.json"):
        load_questions(tmp_path / "nope.json")


def test_the_sample_is_seeded_distinct_and_at_most_the_bank() -> None:
    bank = load_questions()
    first = sample_questions(bank, 10, seed=3)
    assert first == sample_questions(bank, 10, seed=3)
    assert first != sample_questions(bank, 10, seed=4)
    assert len(set(first)) == 10 and set(first) <= set(bank)
    everything = sample_questions(bank, 500, seed=0)
    assert sorted(everything, key=bank.index) == bank


def test_asking_for_no_question_is_refused() -> None:
    with pytest.raises(CookingError, match="--n must be at least 1"):
        sample_questions(load_questions(), 0)
