"""Generic text helpers for checks, in any domain: folding for matching, whether a text
names something, is cut off, is in English, or repeats another."""

from __future__ import annotations

import re
import unicodedata

SENTENCE_END = re.compile(r"[.!?)\]\"'\u201d\u2019\u00bb:*`]\s*$|\d\s*%?\s*$")
WORD = re.compile(r"[a-zà-ÿ']+")

ENGLISH_WORDS = frozenset((
    "the", "a", "an", "is", "are", "was", "be", "to", "of", "and", "in", "on", "at", "for",
    "with", "it", "this", "that", "you", "your", "it's", "there", "here", "today", "tomorrow",
    "weather", "temperature", "wind", "rain", "not", "or", "but", "will", "can", "should",
    "would", "could", "do", "does", "feels", "like", "high", "low", "from", "by", "as"))


def fold(text: str) -> str:
    """Lower case, accents removed, spaces collapsed: for matching names and phrases."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def looks_cut_off(text: str) -> bool:
    """Ends mid-sentence: no closing punctuation, bracket, quote or figure."""
    stripped = text.strip()
    return bool(stripped) and not SENTENCE_END.search(stripped)


def english_share(text: str) -> float:
    """The share of words that are common English words (1.0 for no words)."""
    words = WORD.findall(fold(text))
    if not words:
        return 1.0
    return sum(word in ENGLISH_WORDS for word in words) / len(words)


def mentions(text: str, place: str) -> bool:
    """Whether ``text`` names ``place`` (its first part, e.g. "Portland" of "Portland, OR";
    accents and case ignored)."""
    name = fold(place.split(",")[0]).strip()
    return bool(name) and re.search(rf"\b{re.escape(name)}\b", fold(text)) is not None


def similar(a: str, b: str) -> float:
    """Word overlap (Jaccard) of two texts."""
    left, right = set(WORD.findall(fold(a))), set(WORD.findall(fold(b)))
    return len(left & right) / len(left | right) if left | right else 1.0
