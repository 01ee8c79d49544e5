"""What a place is to the weather source, the names it goes by, and the curated city table.

A :class:`City` carries what the weather of a place is made from: its coordinates, a climate
type, an annual mean temperature and a seasonal amplitude. The ~160 cities of
``data/cities.csv`` are curated by hand (climate, aliases, setting); every other city comes
from the gazetteer (:mod:`agent_demo.gazetteer`) with a climate estimated from its coordinates
(:mod:`agent_demo.climatology`).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

# Other names a qualifier may use for a country ("Portland, USA", "Leeds, UK").
COUNTRY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "US": ("USA", "U.S.", "U.S.A.", "United States of America", "America"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain", "United Kingdom", "England", "Scotland",
           "Wales", "Northern Ireland"),
}


@dataclass(frozen=True)
class City:
    name: str
    regions: tuple[str, ...]  # state, province or nation names and codes a qualifier may use
    country: str
    cc: str
    lat: float
    lon: float
    climate: str
    mean_c: float
    amplitude_c: float
    setting: str  # "city", "coast" or "mountain"
    aliases: tuple[str, ...]
    area: str = ""  # the state or province shown in the label (gazetteer cities of a few lands)
    ident: str = ""  # the gazetteer's id: two towns of one name and country differ by it

    @property
    def label(self) -> str:
        """'Paris, France', 'Portland, Maine, United States'."""
        return ", ".join(part for part in (self.name, self.area, self.country) if part)

    @property
    def seed(self) -> str:
        """What the day's random weather is seeded with (curated cities: name and country)."""
        return "|".join(part for part in (self.name, self.cc, self.ident) if part)


_NOT_WORD = re.compile(r"[^a-z0-9]+")
# Latin letters that no accent takes off ('Tromsø', 'Łódź', 'Þórshöfn').
_LETTERS = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe",
                          "ß": "ss", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ł": "l",
                          "Ł": "L", "þ": "th", "Þ": "Th", "\u0131": "i"})


def normalize(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: 'São Paulo!' -> 'sao paulo',
    'Tromsø' -> 'tromso'."""
    ascii_text = text if text.isascii() else unicodedata.normalize(
        "NFKD", text.translate(_LETTERS)).encode("ascii", "ignore").decode()
    return " ".join(_NOT_WORD.sub(" ", ascii_text.casefold()).split())



@cache
def cities() -> tuple[City, ...]:
    """The curated city table shipped in ``agent_demo/data/cities.csv``."""
    text = resources.files("agent_demo").joinpath("data/cities.csv").read_text(encoding="utf-8")
    return tuple(
        City(name=row["name"], regions=tuple(r for r in row["region"].split("|") if r),
             country=row["country"], cc=row["cc"], lat=float(row["lat"]),
             lon=float(row["lon"]), climate=row["climate"], mean_c=float(row["mean_c"]),
             amplitude_c=float(row["amplitude_c"]), setting=row["setting"],
             aliases=tuple(a for a in row["aliases"].split("|") if a))
        for row in csv.DictReader(text.splitlines())
    )


@cache
def curated_index() -> dict[str, City]:
    """Every name and alias of the curated table, normalized, to its city."""
    index: dict[str, City] = {}
    for city in cities():
        for key in (city.name, *city.aliases):
            index.setdefault(normalize(key), city)
    return index


def qualifier_names(country: str, cc: str, regions: tuple[str, ...]) -> set[str]:
    """Every name (normalized) a qualifier may give a place of that country and region."""
    return {normalize(name) for name in (country, cc, *regions, *COUNTRY_SYNONYMS.get(cc, ()))}


def qualifies(city: City, qualifier: str) -> bool:
    """Whether ``qualifier`` (normalized: 'oregon', 'or', 'spain', 'uk') names the country,
    state or region of ``city``."""
    return qualifier in qualifier_names(city.country, city.cc, city.regions)
