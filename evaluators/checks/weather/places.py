"""Place names the weather checks know (``places.txt``): found in a text whatever their case,
with what each is (city, region, country, landmark) and what it lies within.

A person reads "tokyo" as Tokyo, "Nice, France" as one place and "Nice weather!" as no place
at all; so a known name counts in any case, except the few that are also common English
words (marked ``*``), which count only when capitalised inside a sentence or qualified by
their country or state. Codes (``NYC``, ``UK``, ``OR``) count only as written, in capitals;
a state or province code only after a comma ("Portland, OR")."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from evaluators.checks.text import fold, unify

COUNTRY, REGION, CITY, LANDMARK = "country", "region", "city", "landmark"
RANK = {CITY: 0, LANDMARK: 0, REGION: 1, COUNTRY: 2}
"""How wide a kind of place is: a wider one after a comma qualifies a narrower one."""


@dataclass(frozen=True)
class Place:
    """One known place: its name, kind, what it lies within, and whether its name is also a
    common English word."""

    name: str
    kind: str
    within: str = ""
    common_word: bool = False


@dataclass(frozen=True)
class Hit:
    """A known name found in a text: where (offsets into the text as given), as written,
    and every place of that name."""

    start: int
    end: int
    written: str
    places: tuple[Place, ...]
    code: bool = False

    @property
    def rank(self) -> int:
        """The widest kind the name can be (New York: a state, so 1)."""
        return max(RANK[p.kind] for p in self.places)

    @property
    def common_word(self) -> bool:
        return all(p.common_word for p in self.places)


def _is_code(alias: str) -> bool:
    """A code counted only in capitals: two letters ("OR", "LA") or dotted ("U.S."); longer
    ones ("NYC", "USA") are read in any case like names."""
    letters = alias.replace(".", "")
    return letters.isalpha() and letters.isupper() and (len(letters) <= 2 or "." in alias)


@dataclass(frozen=True)
class Gazetteer:
    """Every known place by folded name (names, then other names) and by code."""

    names: dict[str, tuple[Place, ...]]
    codes: dict[str, tuple[Place, ...]]

    @property
    def pattern(self) -> re.Pattern[str]:
        return _name_pattern(tuple(self.names))

    def places(self, name: str) -> tuple[Place, ...]:
        """The places called ``name`` (any case; a code only in capitals)."""
        return self.names.get(fold(name), ()) or self.codes.get(unify(name).strip(), ())

    def find(self, text: str) -> list[Hit]:
        """Every known name in ``text``, longest first where names overlap, in order."""
        folded = fold_in_place(text)
        hits = [Hit(m.start(), m.end(), text[m.start():m.end()], self.names[m.group(0)])
                for m in self.pattern.finditer(folded)]
        plain = unify(text)
        for m in _code_pattern(tuple(self.codes)).finditer(plain):
            hits.append(Hit(m.start(), m.end(), m.group(0), self.codes[m.group(0)], code=True))
        hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
        kept: list[Hit] = []
        for hit in hits:
            if not kept or hit.start >= kept[-1].end:
                kept.append(hit)
        return kept

    def qualifies(self, wide: Hit | str, narrow: str) -> bool:
        """Whether ``wide`` is what the place ``narrow`` lies within (its state, its
        country, or the country of its state)."""
        wide_names = ({fold(p.name) for p in wide.places} if isinstance(wide, Hit)
                      else {fold(p.name) for p in self.places(wide)})
        seen: set[str] = set()
        todo = [p.within for p in self.places(narrow) if p.within]
        while todo:
            within = todo.pop()
            if fold(within) in wide_names:
                return True
            if fold(within) not in seen:
                seen.add(fold(within))
                todo += [p.within for p in self.places(within)
                         if p.within and p.kind != CITY]
        return False

    def forms(self, name: str) -> tuple[frozenset[str], frozenset[str]]:
        """Every way of writing the place(s) called ``name``: folded names and other names,
        and codes (written in capitals)."""
        return _forms(self, unify(name).strip()) if self.places(name) else (frozenset(),
                                                                             frozenset())

    def within(self, name: str) -> str:
        """What a city, region or landmark lies within ("" for a country or unknown)."""
        return next((p.within for p in self.places(name) if p.within and p.kind != COUNTRY),
                    "")


_FORMS: dict[tuple[int, str], tuple[frozenset[str], frozenset[str]]] = {}


def _forms(gazetteer: Gazetteer, key: str) -> tuple[frozenset[str], frozenset[str]]:
    """:meth:`Gazetteer.forms`, computed once per gazetteer and name."""
    if (id(gazetteer), key) not in _FORMS:
        places = set(gazetteer.places(key))
        _FORMS[id(gazetteer), key] = (
            frozenset(k for k, v in gazetteer.names.items() if places & set(v)),
            frozenset(k for k, v in gazetteer.codes.items() if places & set(v)))
    return _FORMS[id(gazetteer), key]


@cache
def _name_pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    return re.compile(rf"(?<![\w'-])(?:{alternatives})(?![\w-])")


@cache
def _code_pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:{alternatives})(?![\w])")


def fold_in_place(text: str) -> str:
    """``text`` folded character by character (lower case, accents and typography plain),
    keeping its length, so a match's offsets are the original text's."""
    out = []
    for char in unify(text):
        plain = "".join(c for c in unicodedata.normalize("NFKD", char)
                        if not unicodedata.combining(c)).lower()
        out.append(plain if len(plain) == 1 else char)
    return "".join(out)


def parse(text: str) -> Gazetteer:
    """A gazetteer from the text of ``places.txt``."""
    names: dict[str, list[Place]] = {}
    codes: dict[str, list[Place]] = {}
    kind = CITY
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            kind = line[1:-1].strip()
            continue
        parts = [part.strip() for part in line.split("|")]
        name, within = parts[0], parts[1] if len(parts) > 1 else ""
        others = [a.strip() for a in (parts[2] if len(parts) > 2 else "").split(",")
                  if a.strip()]
        common = name.endswith("*")
        place = Place(name.rstrip("*"), kind, within, common)
        names.setdefault(fold(place.name), []).append(place)
        for alias in others:
            if _is_code(alias):
                codes.setdefault(alias, []).append(place)
            else:
                alias_place = place if not alias.endswith("*") else Place(
                    place.name, kind, within, True)
                names.setdefault(fold(alias.rstrip("*")), []).append(alias_place)
    return Gazetteer({k: tuple(v) for k, v in names.items()},
                     {k: tuple(v) for k, v in codes.items()})


@cache
def gazetteer() -> Gazetteer:
    """The known places shipped beside this module."""
    text = resources.files("evaluators.checks.weather").joinpath("places.txt").read_text(
        encoding="utf-8")
    return parse(text)


def names_place(text: str, place: str) -> bool:
    """Whether ``text`` names ``place`` (its first part, "Portland" of "Portland, OR"), by
    any of its names: "NYC" names New York, "Lisboa" Lisbon, and a landmark's city names the
    landmark; case and accents ignored, two-letter codes in capitals only."""
    first = place.split(",")[0].strip()
    if not first:
        return False
    landmark_in = {p.within for p in gazetteer().places(first) if p.kind == LANDMARK}
    if any(names_place(text, within) for within in landmark_in):
        return True  # "Central Park" is answered by New York's weather
    names, codes = gazetteer().forms(first)
    folded = fold_in_place(text)
    for name in {*names, *(() if _is_code(first) else (fold(first),))}:
        if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", folded):
            return True
    plain = unify(text)
    return any(re.search(rf"(?<![\w.]){re.escape(code)}(?![\w])", plain) for code in codes)
