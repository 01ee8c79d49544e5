"""Reading a judge's reply: the label first (leniently: case, spaces, quotes, markdown, a
``Label:`` prefix, a JSON object), then the reason; and the probability of ``helpful`` from
the label token's log-probabilities."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from evaluators.labels import INVALID, normalize_label

REASON_CHARS = 300

# Markdown, quotes (straight and curly), bullets and dashes around the label.
_QUOTES = "\"'`\u201c\u201d\u2018\u2019"
_LEADING_NOISE = " \t*_#>-\u2022:.([" + _QUOTES
_TRAILING_NOISE = " \t*_.:,;!-\u2013\u2014)]" + _QUOTES
_PREFIX = re.compile(r"^(?:final\s+)?(?:label|verdict|answer|judg(?:e)?ment|grade|"
                     r"classification|rating|result)\s*[:=\-]\s*", re.IGNORECASE)
_LABEL = re.compile(r"^(not[\s_\-]*helpful|unhelpful|helpful)(?![A-Za-z])", re.IGNORECASE)
_ECHOED_CHOICES = re.compile(r"^\s*(?:/|\||,|or\b)\s*[\"'`*]*\s*(?:not[\s_\-]*helpful|"
                             r"unhelpful|helpful)", re.IGNORECASE)
_REASON_PREFIX = re.compile(r"^(?:reason|because|explanation|why)\s*[:\-]\s*", re.IGNORECASE)
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "…"


def _parse_json(text: str) -> tuple[str, str] | None:
    body = _FENCE.sub("", text.strip())
    if not body.startswith("{"):
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    label = normalize_label(data.get("label", data.get("verdict")))
    reason = data.get("reason", data.get("explanation", ""))
    return (label, _clip(str(reason))) if label else None


def parse_reply(text: str | None) -> tuple[str, str]:
    """``(label, reason)`` from a judge reply; label ``invalid`` when none can be read.

    The label must come first (after optional markdown, quotes or a ``Label:`` prefix);
    the reason is the rest of that line and the lines after it. A reply that merely echoes
    the choices (``helpful or not_helpful``) is invalid.
    """
    if not text or not text.strip():
        return INVALID, ""
    if (from_json := _parse_json(text)) is not None:
        return from_json
    lines = [line for line in text.strip().splitlines() if line.strip()]
    first = _PREFIX.sub("", lines[0].strip().lstrip(_LEADING_NOISE)).lstrip(_LEADING_NOISE)
    match = _LABEL.match(first)
    if match is None or _ECHOED_CHOICES.match(first[match.end():]):
        return INVALID, _clip(text)
    label = normalize_label(match.group(1))
    assert label is not None  # the pattern only matches the two labels
    rest = [first[match.end():].lstrip(_TRAILING_NOISE), *lines[1:]]
    reason = " ".join(filter(None, (_reason_part(part) for part in rest)))
    return label, _clip(reason)


def _reason_part(line: str) -> str:
    line = _REASON_PREFIX.sub("", line.strip().lstrip(_LEADING_NOISE)).lstrip(_LEADING_NOISE)
    return line.rstrip(" *_`")


_HELPFUL_TOKEN = re.compile(r"^\W*help", re.IGNORECASE)
_NOT_HELPFUL_TOKEN = re.compile(r"^\W*(?:not|un)", re.IGNORECASE)


def helpful_probability(logprobs: Any) -> float | None:
    """P(helpful) at the label's first token, normalised over the two labels: the summed
    probability of the candidate tokens that start ``helpful`` against those that start
    ``not_helpful`` / ``unhelpful`` (from ``top_logprobs``, or the chosen token alone).
    None when the endpoint gave no log-probabilities or neither label was a candidate."""
    for token in getattr(logprobs, "content", None) or []:
        text = getattr(token, "token", "") or ""
        if not re.search(r"[A-Za-z]", text):
            continue
        candidates = [(text, getattr(token, "logprob", None))]
        candidates += [(getattr(c, "token", "") or "", getattr(c, "logprob", None))
                       for c in getattr(token, "top_logprobs", None) or []]
        seen: dict[str, float] = {}
        for name, logprob in candidates:
            if isinstance(logprob, int | float):
                seen.setdefault(name, math.exp(logprob))
        helpful = sum(p for name, p in seen.items() if _HELPFUL_TOKEN.match(name))
        not_helpful = sum(p for name, p in seen.items() if _NOT_HELPFUL_TOKEN.match(name))
        if helpful + not_helpful == 0:
            return None
        return helpful / (helpful + not_helpful)
    return None
