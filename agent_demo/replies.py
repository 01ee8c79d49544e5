"""Checks and repairs of the writer's reply.

Small models sometimes write a tool call (``<tool_call>``, ``<function ...>``, a JSON call in
a fenced block) or echo a JSON payload where the answer should be. :func:`markup_in` names
what it found, so the workflow can ask again and, failing that, end the run as an error
instead of passing markup on as an answer. :func:`left_out` names the parts of a day plan
and the compared places an answer forgot. :func:`trim_to_sentence` ends a reply that ran
into its token limit at its last complete sentence, and :func:`without_repeats` drops the
sentences a runaway reply repeated.
"""

from __future__ import annotations

import json
import re

from agent_demo.cues import position
from agent_demo.tools import TOOL_NAMES

_CHECKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("tool-call tags", re.compile(r"</?\s*(?:tool_call|tool_response|tools?|function)\b[^>]*>",
                                  re.IGNORECASE)),
    ("a tool name", re.compile(r"\b(?:" + "|".join(sorted(TOOL_NAMES)) + r")\b")),
    ("a code block", re.compile(r"```")),
    ("a JSON object", re.compile(r"[{\[]\s*\"[^\"\n]{1,80}\"\s*:")),
)


def markup_in(answer: str) -> str | None:
    """What kind of markup ``answer`` holds, or None when it reads as prose."""
    for name, pattern in _CHECKS:
        if pattern.search(answer):
            return name
    stripped = answer.strip()
    if stripped[:1] in "{[":
        try:
            json.loads(stripped)
        except json.JSONDecodeError:
            return None
        return "a JSON payload"
    return None


def left_out(answer: str, periods: list[str], places: list[str]) -> list[str]:
    """The parts of the day and the places that ``answer`` never names."""
    lower = answer.lower()
    return ([period for period in periods if period not in lower]
            + [place for place in places if position(answer, place) is None])


_SENTENCE_END = re.compile(r"[.!?)](?=\s|$)|\n")


def trim_to_sentence(text: str) -> str:
    """``text`` cut after its last complete sentence or line (for a reply that hit its token
    limit); the text itself when no sentence ends in it."""
    ends = [match.end() for match in _SENTENCE_END.finditer(text)]
    return text[:ends[-1]].rstrip() if ends else text


def without_repeats(text: str) -> str:
    """``text`` with each sentence of 40 or more characters kept only the first time it comes
    (line breaks kept); shorter ones, such as a note repeated per period, are left alone."""
    seen: set[str] = set()
    lines = []
    for line in text.split("\n"):
        kept = []
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            key = " ".join(sentence.split()).casefold()
            if len(key) >= 40 and key in seen:
                continue
            seen.add(key)
            kept.append(sentence)
        if kept:
            lines.append(" ".join(kept))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
