"""The comparison's overall sentence (issue 20): only the reasons the figures give, and an
honest trade-off when the places have one each."""

from __future__ import annotations

import random
import re

import pytest

from agent_demo.comparison import REASONS, _beats, comparison_lines, overall_sentence
from tests.agent_demo.support import report


def test_a_place_better_on_every_count_is_named_with_each_reason() -> None:
    sentence = overall_sentence([
        ("Paris", report(18.0, chance=10, wind=8.0)),
        ("Berlin", report(4.0, conditions="Snow", chance=90, wind=25.0))])
    assert sentence == (
        "Overall, Paris is the nicer for being outside: it is drier (chance of precipitation "
        "10% against 90% with snow), milder (18.0 °C against 4.0 °C) and calmer (wind 8.0 km/h "
        "against 25.0 km/h).")


def test_only_the_reasons_the_figures_give_are_named() -> None:
    # the old sentence said "(drier, milder, calmer)" here: Paris is only milder
    sentence = overall_sentence([
        ("Paris", report(12.0, chance=38, wind=21.1)),
        ("Berlin", report(1.0, chance=35, wind=19.8))])
    assert sentence == ("Overall, Paris is the nicer for being outside: it is milder "
                        "(12.0 °C against 1.0 °C).")


def test_a_trade_off_is_said_with_both_sides_figures() -> None:
    sentence = overall_sentence([
        ("Valencia", report(20.2, conditions="Light drizzle", chance=81, wind=20.3)),
        ("Porto", report(10.9, conditions="Clear sky", chance=30, wind=11.8))])
    assert sentence == (
        "Overall, it is a trade-off: Porto is drier (chance of precipitation 30% against 81% "
        "with light drizzle) and calmer (wind 11.8 km/h against 20.3 km/h), while Valencia is "
        "milder (20.2 °C against 10.9 °C); on balance Porto is the nicer for being outside.")


def test_close_places_are_called_alike() -> None:
    sentence = overall_sentence([("Lyon", report(15.0, chance=12, wind=10.0)),
                                 ("Geneva", report(14.2, chance=15, wind=11.5))])
    assert sentence == ("Overall, Lyon and Geneva are about as nice as each other for being "
                        "outside: their chances of precipitation, temperatures and winds are "
                        "close.")


def test_units_other_than_celsius_and_kmh_are_compared_in_their_own_figures() -> None:
    sentence = overall_sentence([("Miami", report(75.0, unit="°F", wind=5.0, wind_unit="mph")),
                                 ("Boston", report(41.0, unit="°F", wind=6.0,
                                                   wind_unit="mph"))])
    assert sentence == ("Overall, Miami is the nicer for being outside: it is milder (75.0 °F "
                        "against 41.0 °F).")


def test_three_places_name_who_is_better_at_what() -> None:
    sentence = overall_sentence([
        ("Oslo", report(-0.4, chance=11, wind=10.3)),
        ("Stockholm", report(3.7, conditions="Sleet", chance=77, wind=11.8)),
        ("Helsinki", report(4.4, chance=15, wind=15.7))])
    assert sentence == (
        "Overall, it is a trade-off: Helsinki is drier than Stockholm (chance of precipitation "
        "15% against 77% with sleet) and milder than Oslo (4.4 °C against -0.4 °C), while Oslo "
        "is calmer (wind 10.3 km/h against 15.7 km/h) and Stockholm is calmer (wind 11.8 km/h "
        "against 15.7 km/h); on balance Helsinki is the nicest for being outside.")


def _random_report(rng: random.Random) -> dict:
    wet = rng.random() < 0.3
    return report(round(rng.uniform(-10, 38), 1), wind=round(rng.uniform(1, 45), 1),
                  conditions="Rain showers" if wet else rng.choice(["Clear sky", "Overcast"]),
                  chance=rng.randint(55, 98) if wet else rng.randint(0, 45))


def _owners(sentence: str, word: str) -> set[str]:
    """The places the sentence says are ``word`` (its clauses' subjects)."""
    clauses = re.split(r", while |; |: it is a trade-off: ", sentence)
    owners = set()
    for clause in clauses:
        for match in re.finditer(rf"\b{word}\b", clause):
            subject = re.findall(r"\b(Alpha|Beta)\b", clause[:match.start()])
            owners.add(subject[0] if subject else "?")
    return owners


@pytest.mark.parametrize("seed", range(4))
def test_no_overall_sentence_contradicts_its_figures(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(300):
        alpha, beta = _random_report(rng), _random_report(rng)
        sentence = overall_sentence([("Alpha", alpha), ("Beta", beta)])
        for reason in REASONS:
            expected = {"Alpha"} if _beats(reason, alpha, beta) else \
                {"Beta"} if _beats(reason, beta, alpha) else set()
            assert _owners(sentence, reason.better) == expected, (sentence, alpha, beta)
        named = re.search(r"(Alpha|Beta) is the nicer", sentence) or \
            re.search(r"on balance (Alpha|Beta)", sentence)
        if named:  # the nicer place is never one the other beats on every count
            nicer, other = (alpha, beta) if named.group(1) == "Alpha" else (beta, alpha)
            assert any(_beats(reason, nicer, other) for reason in REASONS), sentence


def test_the_overall_sentence_answers_an_overall_question() -> None:
    places = [("Paris", report(18.0)), ("Berlin", report(4.0))]
    lines = comparison_lines(places)
    assert lines[1] == f"Answer to the question: {overall_sentence(places)}"
    assert overall_sentence(places) in comparison_lines(places, "temperature")[2]
