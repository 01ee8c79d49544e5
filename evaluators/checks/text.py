"""Generic text helpers for checks, in any domain: folding for matching (case, accents,
typographic quotes), splitting an answer into sentences and list items (markdown aware),
whether a text names something, is cut off, which language it is in, or repeats another.

Checks read what a person reads: a curly apostrophe, a markdown list or a lower-case name
must not change what they see, so every pattern is matched on folded text with word
boundaries, never on raw substrings."""

from __future__ import annotations

import re
import unicodedata

_TYPOGRAPHY = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"', "\u00ab": '"',
    "\u00bb": '"', "\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " "})
WORD = re.compile(r"[a-z0-9à-ÿ]+(?:'[a-z]+)?")


def unify(text: str) -> str:
    """Typographic quotes, apostrophes, dashes, minus signs and odd spaces as their plain
    ASCII forms (case and accents kept): a curly and a straight apostrophe read alike."""
    return text.translate(_TYPOGRAPHY)


def fold(text: str) -> str:
    """Lower case, accents removed, quotes and dashes plain, spaces collapsed: for matching
    names and phrases."""
    plain = unicodedata.normalize("NFKD", unify(text))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def word_set(text: str) -> frozenset[str]:
    """The words of a list written as one text, separated by spaces or lines."""
    return frozenset(text.split())


def words(text: str) -> list[str]:
    """The words of a text, folded (``it's`` is one word)."""
    return WORD.findall(fold(text))


# --- sentences and markdown ---------------------------------------------------------------

LIST_ITEM = re.compile(r"^\s*(?:[-*+\u2022]|\d+[.)])\s+")
HEADING = re.compile(r"^\s*#{1,6}\s+")
TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]*[A-Z0-9*_\-])")
_EMPHASIS = re.compile(r"(\*\*|__|~~)")


def strip_markdown(line: str) -> str:
    """A line without its list marker, heading marks, quote mark or emphasis."""
    line = LIST_ITEM.sub("", HEADING.sub("", line))
    line = re.sub(r"^\s*>\s?", "", line)
    return _EMPHASIS.sub("", line).strip()


BOLD_LABEL = re.compile(r"^\s*(?:\*\*|__)[^*_\n]+(?:\*\*|__)")


def is_structured(line: str) -> bool:
    """A list item, heading, table row or bold label ("**Wind:** 12 km/h"): complete
    without closing punctuation."""
    return bool(LIST_ITEM.match(line) or HEADING.match(line) or TABLE_ROW.match(line)
                or BOLD_LABEL.match(line))


def sentences(text: str) -> list[str]:
    """The sentences of a text: each line (a list item, a heading, a paragraph) split at
    sentence ends, markdown marks removed; empty pieces dropped."""
    found = []
    for line in unify(text).splitlines():
        plain = strip_markdown(line)
        found += [piece.strip() for piece in _SENTENCE_SPLIT.split(plain) if piece.strip()]
    return found


# --- cut off ------------------------------------------------------------------------------

CLOSED = re.compile(r"(?:[.!?)\]\"'%*_]|\d|[^\w\s,;:(\[/&+\-])\s*$")
"""An ending that closes something: a full stop, bracket, quote, figure, unit symbol or
emoji."""
DANGLING = re.compile(r"(?:[,;:(\[/&+\-])\s*$")
OPEN_ENDINGS = frozenset((
    "a", "an", "the", "and", "or", "but", "nor", "to", "of", "in", "on", "at", "for", "with",
    "from", "by", "into", "onto", "about", "than", "between", "like", "as", "is", "are",
    "was", "were", "will", "would", "can", "could", "should", "shall", "may", "might",
    "must", "be", "been", "being", "has", "have", "had", "your", "my", "our", "their",
    "its", "his", "her", "very", "which", "who", "whose", "if", "when", "while", "because",
    "although", "though", "whereas", "with", "around", "through", "during", "until", "it's",
    "there's", "you'll", "i'd", "you're", "we're", "they're", "also", "some", "any", "each",
    "every", "both", "either", "neither", "plus", "including", "such", "per"))
"""Words no finished sentence ends with (articles, conjunctions, prepositions, auxiliaries,
possessives)."""
MIN_UNFINISHED_WORDS = 6
"""An unpunctuated last sentence this long, after a closed sentence on its line, was cut off
(a writer who closes sentences and then stops mid-way); shorter ones are sign-offs."""
LONG_UNFINISHED_WORDS = 12
"""An unpunctuated last sentence this long was cut off wherever it starts."""


def looks_cut_off(text: str) -> bool:
    """Ends mid-sentence: on a word no sentence ends with or a dangling comma, colon or
    bracket; or, in prose whose earlier sentences were closed, on a long unclosed sentence
    (a sign-off on its own line, "Stay warm", is no such sentence). A list item, heading,
    table row or bold label needs no closing punctuation (markdown), nor does a terse answer
    of one unpunctuated line."""
    lines = [line for line in unify(text).splitlines() if line.strip()]
    if not lines:
        return False
    last = lines[-1]
    plain = strip_markdown(last).rstrip()
    if not plain or DANGLING.search(plain) or _odd_markup(text):
        return True
    if CLOSED.search(plain):
        return False
    tail = words(plain)
    if tail and tail[-1] in OPEN_ENDINGS:
        return True
    if is_structured(last):
        return False
    on_line = [s for s in _SENTENCE_SPLIT.split(plain) if s.strip()]
    before = [s for line in lines[:-1] if not is_structured(line)
              for s in _SENTENCE_SPLIT.split(strip_markdown(line)) if s.strip()]
    unfinished = len(words(on_line[-1]))
    if any(CLOSED.search(s.rstrip()) for s in on_line[:-1]):
        return unfinished >= MIN_UNFINISHED_WORDS
    return unfinished >= LONG_UNFINISHED_WORDS and any(CLOSED.search(s.rstrip())
                                                        for s in before)


def _odd_markup(text: str) -> bool:
    """Bold or code opened and never closed (a stream cut inside markup)."""
    return text.count("**") % 2 == 1 or text.count("```") % 2 == 1


# --- language -----------------------------------------------------------------------------

STOPWORDS = {
    "en": word_set("the a an and is are was it it's this that you your with for of to in "
                    "on at will be there today tomorrow weather not but or can should would "
                    "could do does feels like high low from by as so very"),
    "es": word_set("el la los las del que y es esta con para por hoy manana hace muy un "
                    "una lluvia grados tiempo pero como mas se su al hay"),
    "fr": word_set("le la les des du et est il fait avec pour aujourd'hui demain un une "
                    "pluie degres vous au aux ce sur pas tres temps il y"),
    "de": word_set("der die das und ist es mit fur heute morgen ein eine nicht zu im "
                    "regen grad sie sehr wetter auch bei den dem"),
    "it": word_set("il lo gli di e con per oggi domani un una che pioggia gradi molto "
                    "della tempo sono del alla"),
    "pt": word_set("o os do da e com para hoje amanha um uma que chuva graus esta muito "
                    "tempo em no na"),
    "nl": word_set("de het en een met voor vandaag morgen niet regen graden van te "
                    "weer ook zijn"),
}
MIN_SIGNS = 3
"""Stop words a language needs before a text is said to be in it."""


def language(text: str) -> str | None:
    """The language a text is written in, by its common words (``en``, ``es``, ``fr``,
    ``de``, ``it``, ``pt``, ``nl``), or ``other-script`` for mostly non-Latin letters; None
    when the text is too short or terse to tell (figures and names only)."""
    letters = [c for c in text if c.isalpha()]
    if letters and sum(not ("a" <= c.lower() <= "z" or "\u00c0" <= c <= "\u024f")
                       for c in letters) > len(letters) / 2:
        return "other-script"
    found = words(text)
    counts = {lang: sum(w in stop for w in found) for lang, stop in STOPWORDS.items()}
    best = max(counts, key=lambda lang: counts[lang])
    others = max(count for lang, count in counts.items() if lang != best)
    if counts[best] < MIN_SIGNS or counts[best] <= others * 1.5:
        return None
    return best


def other_language(question: str, answer: str) -> bool:
    """The answer is clearly in another language than the question (a question too short to
    tell is taken as English)."""
    said = language(answer)
    return said is not None and said != (language(question) or "en")


# --- names and overlap --------------------------------------------------------------------

def mentions(text: str, place: str) -> bool:
    """Whether ``text`` names ``place`` (its first part, e.g. "Portland" of "Portland, OR";
    case, accents and typography ignored; whole words only)."""
    name = fold(place.split(",")[0]).strip()
    return bool(name) and re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])",
                                    fold(text)) is not None


def similar(a: str, b: str) -> float:
    """Word overlap (Jaccard) of two texts."""
    left, right = set(words(a)), set(words(b))
    return len(left & right) / len(left | right) if left | right else 1.0
