"""Checks and repairs of the writer's reply.

Small models sometimes write a tool call (``<tool_call>``, ``<function ...>``, a JSON call in
a fenced block) or echo a JSON payload where the answer should be. :func:`markup_in` names
what it found, so the workflow can ask again and, failing that, end the run as an error
instead of passing markup on as an answer. :func:`left_out` names the parts of a day plan
and the compared places an answer forgot. :func:`contradictions` names what an answer says
about heat, cold, wind or rain that no figure of its results supports (a 13.8 °C day called
"too hot"). :func:`trim_to_sentence` ends a reply that ran into its token limit at its last
complete sentence, and :func:`without_repeats` drops the sentences a runaway reply repeated.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from agent_demo import descriptions
from agent_demo.cues import position
from agent_demo.facts import Lookup
from agent_demo.planning import INDOOR, OUTDOOR
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


# --- what the answer concludes about the weather ---------------------------------------------

_DEGREE = r"(?:(?:too|very|quite|really|rather|so|pretty|fairly) )?"


@dataclass(frozen=True)
class Claim:
    """A way an answer calls the weather hot, cold, windy, calm, wet or dry."""

    kind: str  # which words of the figures decide it: temperature, wind or rain
    fits: frozenset[str]  # the figures' words that allow it (a neighbour on the scale too)
    pattern: re.Pattern[str]
    negatable: bool = True  # 'not too hot' is no claim; 'no rain' is one already


def _claim(kind: str, fits: str, pattern: str, negatable: bool = True) -> Claim:
    return Claim(kind, frozenset(fits.split(",")), re.compile(pattern, re.IGNORECASE),
                 negatable)


CLAIMS = (
    _claim("temperature", "warm,hot",
           rf"\b{_DEGREE}(?:hot|heat|scorching|sweltering|baking)\b(?!\s+(?:drinks?|chocolate|tea"
           r"|coffee|soup|springs?|tubs?|pot|spots?|dogs?|food|meals?|baths?|showers?|water"
           r"|sauce|air|stone|yoga|pink))"),
    _claim("temperature", "mild,warm,hot",
           rf"(?<!keep )(?<!stay )(?<!dress )(?<!something )(?<!wrap up )(?<!bundle up )"
           rf"\b{_DEGREE}(?:warm|balmy)\b(?!\s+"
           r"(?:coats?|layers?|clothes|clothing|jackets?|sweaters?|jumpers?|hats?|gloves"
           r"|socks|boots|scarf|drinks?|tea|soup|meals?|up|welcome|cafes?|indoors?))"),
    _claim("temperature", "cool,cold",
           rf"\b{_DEGREE}(?:cold|freezing|frigid|icy|chilly|frosty|wintry)\b(?!\s+(?:drinks?"
           r"|beers?|brews?|water|treats?|desserts?|snacks?|cuts|plunge))"),
    _claim("wind", "breezy,windy,very windy",
           rf"\b{_DEGREE}(?:windy|gusty|blustery|gales?|strong (?:winds?|gusts?)"
           r"|high winds?)\b"),
    _claim("wind", "calm,breezy",
           r"\b(?:windless|no wind|calm (?:day|weather|conditions|winds?|air)|winds? (?:is |are "
           r"|will be |should be |stays? |remains? )?(?:calm|still))\b"),
    _claim("rain", "showers possible,wet",
           r"\b(?:rainy|raining|downpours?|thunderstorms?|stormy|snowy|snowing|drizzly"
           r"|showery|wet (?:day|weather|morning|afternoon|evening)|(?:rain|showers|snow"
           r"|drizzle) (?:is |are )?(?:expected|likely|forecast)|expect (?:rain|showers|snow)"
           r"|it will (?:rain|snow|pour))\b"),
    _claim("rain", "dry,showers possible",
           r"\b(?:dry (?:day|weather|conditions|morning|afternoon|evening)|(?:it|the day"
           r"|the weather) (?:is|will be|stays?|should be|remains?) dry|rain-free|no rain"
           r"|no precipitation|won't rain|will not rain)\b", negatable=False),
)

_HEDGE = re.compile(r"\b(?:not|no|never|nor|neither|without|hardly|less|if|unless|whether"
                    r"|in case|might|may|could|chance of|risk of)\b|n't\b", re.IGNORECASE)


def _hedged(answer: str, start: int) -> bool:
    """Whether the words just before ``start``, in its sentence, deny or doubt what follows
    ('not too hot', 'if it gets cold'), or the sentence is a question ('Is it raining?')."""
    before = re.split(r"[.!?;:\n]", answer[max(0, start - 40):start])[-1]
    end = re.search(r"[.!?\n]", answer[start:])
    return _HEDGE.search(before) is not None or (end is not None and end.group(0) == "?")


# The catalog's own names ('Winter walk with a hot drink', 'Sledging and a snowy walk') are
# the plan's words, not the writer's conclusions.
_ACTIVITIES = re.compile("|".join(re.escape(a.name) for a in (*OUTDOOR, *INDOOR)),
                         re.IGNORECASE)


def contradictions(answer: str, lookups: list[Lookup]) -> list[str]:
    """What ``answer`` says about heat, cold, wind or rain that no figure of the found places
    supports, each with the figures; [] when there is nothing to check it against.

    Lenient on purpose: a word passes when any figure of any place (the day, its feels-like,
    low and high, its parts) earns it or its neighbour on the scale (mild for a 'warm'
    afternoon); a denied or hedged word ('not too hot', 'if it rains'), a question and the
    name of a catalog activity are no claim.
    """
    answer = _ACTIVITIES.sub(lambda match: " " * len(match.group(0)), answer)
    spans = [(lookup.place, descriptions.span(report, lookup.periods()))
             for lookup in lookups if lookup.found and (report := lookup.report()) is not None]
    found: list[str] = []
    for claim in CLAIMS if spans else ():
        words = set().union(*(getattr(span, claim.kind) for _, span in spans))
        if words & claim.fits:
            continue
        for match in claim.pattern.finditer(answer):
            if claim.negatable and _hedged(answer, match.start()):
                continue
            figures = "; ".join(f"{place}: {span.figures[claim.kind]}" for place, span in spans)
            found.append(f'"{match.group(0)}", but the figures make it '
                         f'{" or ".join(sorted(words))} ({figures})')
            break
    return found
