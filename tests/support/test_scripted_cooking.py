"""The scripted cooking app and judge the loop test runs on: it answers every question of
the app's bank, judges by the app's own prompts (plain v1, strict v2), and labels only the
answers it wrote itself."""

from __future__ import annotations

import pytest

from agent_demo.cooking.assistant import SYSTEM_PROMPT
from agent_demo.cooking.questions import load_questions
from evaluators.labels import HELPFUL, NOT_HELPFUL
from evaluators.prompt_files import load_prompt
from tests.support import scripted_cooking as scripted


def by_name(version: str, row: scripted.Scripted) -> tuple[str, float]:
    """The scripted judge's word and P(helpful) on ``row`` rendered by the app's version."""
    prompt = load_prompt(version, scripted.APP_PROMPTS).render(row.question, row.answer, tools=[])
    reply = scripted.reply({"messages": [{"role": "user", "content": prompt}]})
    label = reply["content"].splitlines()[0]
    candidates = reply["logprobs"]["content"][0]["top_logprobs"]
    return label, next(c for c in candidates if c["token"] == "helpful")["logprob"]


def test_every_question_of_the_bank_has_one_scripted_answer() -> None:
    assert {q.text for q in load_questions()} == set(scripted.BY_QUESTION)
    assert len(scripted.BY_ANSWER) == len(scripted.SCRIPT)  # answers tell rows apart
    row = scripted.SCRIPT[0]
    asked = {"messages": [{"role": "system", "content": SYSTEM_PROMPT},
                          {"role": "user", "content": row.question}]}
    assert scripted.reply(asked) == {"content": row.answer}


def test_the_strict_prompt_catches_more_flaws_and_flags_hedged_answers() -> None:
    unsafe = next(s for s in scripted.SCRIPT if s.flaw == scripted.UNSAFE)
    hedged = next(s for s in scripted.SCRIPT if s.hedged)
    wrong = next(s for s in scripted.SCRIPT if s.flaw == scripted.AMOUNT)
    assert by_name("v1", unsafe)[0] == HELPFUL and by_name("v2", unsafe)[0] == NOT_HELPFUL
    assert by_name("v1", hedged)[0] == HELPFUL and by_name("v2", hedged)[0] == NOT_HELPFUL
    assert by_name("v1", wrong)[0] == by_name("v2", wrong)[0] == HELPFUL
    # a plain prompt's doubt shows in P(helpful): a threshold can catch what its word misses
    assert by_name("v1", unsafe)[1] < by_name("v1", hedged)[1]


def test_only_scripted_answers_are_labeled() -> None:
    rows = scripted.label_rows([("a" * 16, scripted.SCRIPT[0].answer),
                                ("b" * 16, scripted.SCRIPT[1].answer)])
    assert [(r["label"], r["explanation"]) for r in rows] == [
        (HELPFUL, "scripted: right"), (NOT_HELPFUL, "scripted: rule 6 (wrong_fact)")]
    with pytest.raises(scripted.NotScripted, match="not written by this script"):
        scripted.label_rows([("c" * 16, scripted.SCRIPT[0].answer),
                             ("d" * 16, "A real model's answer.")])
