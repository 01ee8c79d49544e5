"""Ask the assistant a list of questions, one after the other, and time each answer.

Each question is asked inside OpenInference's ``using_attributes``, which adds no span: it
puts ``session.id`` (one per question, so a question's calls are one session in Phoenix's
Sessions view) and ``metadata`` (the bank's category) on the LLM spans the instrumentor
makes. A question the endpoint fails on is recorded with its error and the run goes on; an
endpoint that cannot be reached at all ends the run with :class:`CookingError`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import openai
from openinference.instrumentation import using_attributes

from agent_demo.cooking.assistant import CookingAssistant, Reply
from agent_demo.cooking.errors import CookingError
from agent_demo.cooking.questions import Question


@dataclass(frozen=True)
class Answer:
    """A question, the assistant's reply (None when the call failed) and the time it took."""

    question: Question
    session_id: str
    seconds: float
    reply: Reply | None = None
    error: str | None = None


def ask_all(assistant: CookingAssistant, questions: list[Question], *,
            on_answer: Callable[[int, Answer], None] = lambda index, answer: None,
            unreachable: str = "cannot reach the model endpoint") -> list[Answer]:
    """Every question's answer, in order; ``on_answer(i, answer)`` hears each as it comes
    (``i`` counts from 1). ``unreachable`` is the message of the :class:`CookingError` raised
    when the endpoint cannot be reached at all."""
    run_id = uuid.uuid4().hex[:8]
    answers = []
    for i, question in enumerate(questions, 1):
        session_id = f"cooking-{run_id}-{i}"
        start = time.perf_counter()
        reply, error = None, None
        with using_attributes(session_id=session_id, metadata={"category": question.category}):
            try:
                reply = assistant.answer(question.text)
            except openai.APITimeoutError:
                error = "no answer within the timeout"
            except openai.APIConnectionError:
                raise CookingError(unreachable) from None
            except openai.APIError as failure:
                error = f"{type(failure).__name__}: {failure}".splitlines()[0][:300]
        answer = Answer(question, session_id, time.perf_counter() - start, reply, error)
        answers.append(answer)
        on_answer(i, answer)
    return answers
