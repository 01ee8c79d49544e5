"""The cooking question bank (``data/questions.json``, ``{category: [questions]}``) and the
seeded sample a run asks."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from agent_demo.cooking.errors import CookingError


@dataclass(frozen=True)
class Question:
    text: str
    category: str


def parse_questions(text: str, source: str) -> list[Question]:
    """The questions of a ``{category: [questions]}`` JSON text, in file order."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CookingError(f"{source} is not JSON ({error.msg}, line {error.lineno})") from None
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise CookingError(f"{source} must be a JSON object {{category: [questions]}}")
    questions = []
    for category, items in data.items():
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                raise CookingError(f"{source}: '{category}' item {i + 1} is not a question")
            questions.append(Question(item.strip(), category))
    if not questions:
        raise CookingError(f"{source} holds no questions")
    return questions


def load_questions(path: Path | None = None) -> list[Question]:
    """The questions in ``path``, or the built-in bank when ``path`` is None."""
    if path is None:
        bank = resources.files("agent_demo.cooking").joinpath("data/questions.json")
        return parse_questions(bank.read_text("utf-8"), "the built-in question bank")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CookingError(f"cannot read {path}: {error}") from None
    return parse_questions(text, str(path))


def sample_questions(questions: list[Question], n: int, seed: int = 0) -> list[Question]:
    """``n`` distinct questions drawn reproducibly (at most the whole bank, shuffled)."""
    if n < 1:
        raise CookingError(f"--n must be at least 1 (got {n})")
    return random.Random(seed).sample(questions, min(n, len(questions)))
