"""The question bank and user question files, and the seeded sample a run asks.

A file may be a JSON list (of strings or ``{"question", "category"}`` objects), JSONL (one
such item a line), a ``{category: [questions]}`` JSON object, or plain text with one question
per line (blank lines and ``#`` comments skipped).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from agent_demo.errors import AgentDemoError

DEFAULT_CATEGORY = "custom"
SHAPES = "a JSON list, JSONL, {category: [questions]} JSON, or one question per line"


@dataclass(frozen=True)
class Question:
    text: str
    category: str = DEFAULT_CATEGORY


def _item(item: Any, where: str, source: str, category: str = DEFAULT_CATEGORY) -> Question:
    if isinstance(item, str):
        text = item
    elif isinstance(item, dict):
        text = item.get("question", item.get("text", item.get("input")))
        category = item.get("category") or category
    else:
        text, category = None, None
    if not isinstance(text, str) or not text.strip() or not isinstance(category, str):
        raise AgentDemoError(f"{source}: {where} is not a question: give a string or an object "
                        'like {"question": "...", "category": "..."}')
    return Question(text.strip(), category.strip())


def _from_json(data: Any, source: str) -> list[Question]:
    if isinstance(data, str) or (isinstance(data, dict) and "question" in data):
        return [_item(data, "the only item", source)]  # a one-line JSONL file
    if isinstance(data, list):
        return [_item(item, f"item {i + 1}", source) for i, item in enumerate(data)]
    if isinstance(data, dict) and all(isinstance(v, list) for v in data.values()):
        return [_item(q, f"'{cat}' item {i + 1}", source, cat)
                for cat, items in data.items() for i, q in enumerate(items)]
    raise AgentDemoError(f"{source}: the JSON is neither a list nor {{category: [questions]}}: "
                    f"use {SHAPES}")


def _from_jsonl(lines: list[str], source: str) -> list[Question] | None:
    items = []
    for line in lines:
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError:
            return None
    if not all(isinstance(item, str | dict) for item in items):
        return None
    return [_item(item, f"line {i + 1}", source) for i, item in enumerate(items)]


def parse_questions(text: str, source: str = "questions") -> list[Question]:
    """Questions from the text of a file in any of the accepted shapes."""
    stripped = text.strip()
    if not stripped:
        return []
    try:
        return _from_json(json.loads(stripped), source)
    except json.JSONDecodeError:
        pass
    lines = [line.strip() for line in stripped.splitlines()
             if line.strip() and not line.strip().startswith("#")]
    parsed = _from_jsonl(lines, source) if lines and lines[0][:1] in "{\"" else None
    return parsed if parsed is not None else [Question(line) for line in lines]


def load_questions(path: Path | None = None) -> list[Question]:
    """The questions in ``path``, or the built-in bank when ``path`` is None."""
    if path is None:
        text = resources.files("agent_demo").joinpath("data/questions.json").read_text("utf-8")
        return parse_questions(text, "built-in question bank")
    path = Path(path)
    if not path.is_file():
        raise AgentDemoError(f"no questions file at {path}: give a file with {SHAPES}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise AgentDemoError(f"cannot read {path} ({error}): give a UTF-8 text file") from None
    questions = parse_questions(text, str(path))
    if not questions:
        raise AgentDemoError(f"{path} holds no questions: add {SHAPES}")
    return questions


def sample_questions(questions: list[Question], n: int, seed: int = 0) -> list[Question]:
    """``n`` questions drawn reproducibly; with more than the bank holds, it is reshuffled."""
    if n < 1:
        raise AgentDemoError(f"--n must be at least 1 (got {n})")
    if not questions:
        raise AgentDemoError("there are no questions to ask")
    rng = random.Random(seed)
    picked: list[Question] = []
    while len(picked) < n:
        picked += rng.sample(questions, min(len(questions), n - len(picked)))
    return picked
