"""A climate for any place from its coordinates: climate type, annual mean, seasonal amplitude.

For a city outside the curated table the weather source needs what the table gives by hand.
It is estimated in three steps, all deterministic:

1. a zonal value from the latitude: the annual mean falls and the seasonal swing grows away
   from the equator (less so south of it, where the ocean evens out the seasons);
2. continentality from the coordinates: the interiors of North America and Eurasia, far
   downwind of the westerlies' ocean, have colder years and larger swings;
3. what the zonal and continental estimate misses (the Gulf Stream, monsoons, deserts, cold
   currents) is read from the curated cities nearby: each one's departure from its own
   estimate is carried over, weighted by distance (a highland city only to its own
   surroundings, as its height says nothing about the plains around it), fading to none far
   from any. The climate type is the nearest curated cities' (a vote weighted steeply by
   distance), else a rule of thumb on the estimated figures.

The gazetteer holds no elevation, so a highland city far from a curated one is estimated as if
it were at sea level.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from agent_demo.places import City

MEAN_BY_LATITUDE = ((0, 27.0), (10, 27.0), (20, 25.5), (30, 21.0), (40, 14.5), (50, 8.0),
                    (60, 2.0), (70, -6.0), (80, -15.0), (90, -20.0))
SWING_NORTH = ((0, 0.8), (10, 1.5), (20, 4.0), (30, 7.5), (40, 11.0), (50, 13.0), (60, 14.0),
               (70, 15.0), (90, 16.0))
SWING_SOUTH = ((0, 0.8), (10, 1.5), (20, 3.5), (30, 5.5), (40, 5.5), (50, 4.5), (90, 4.0))
CONTINENTAL_COOLING_C = 8.0  # how much colder the far interior's year is
CONTINENTAL_SWING_C = 10.0  # how much larger its seasonal amplitude
REACH_KM = 900.0  # how far a curated lowland city's departure carries
HIGHLAND_REACH_KM = 80.0  # ...and a highland or mountain one's
PRIOR_WEIGHT = 0.1  # the weight of "no departure": it wins far from every curated city
VOTE_QUORUM = 0.3  # the nearby cities' weight a climate type needs to be taken over


@dataclass(frozen=True)
class Estimate:
    """What the weather of a place is made from (see :class:`~agent_demo.places.City`)."""

    climate: str
    mean_c: float
    amplitude_c: float


def _along(table: tuple[tuple[float, float], ...], x: float) -> float:
    """``table`` (ascending x) read at ``x`` by linear interpolation."""
    for (x0, y0), (x1, y1) in pairwise(table):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return table[-1][1]


def continentality(lat: float, lon: float) -> float:
    """0 (oceanic) .. 1 (far interior): north of 30°, the distance east of the Atlantic
    shore across Eurasia and east of the Pacific shore across North America."""
    if lat <= 30:
        return 0.0
    if -10 <= lon <= 180:
        inland = lon / 110
    elif -140 <= lon <= -55:
        inland = (lon + 122) / 30
    else:
        return 0.0
    return min(1.0, max(0.0, inland)) * min(1.0, (lat - 30) / 25)


def zonal(lat: float, lon: float) -> tuple[float, float]:
    """The annual mean (°C) and seasonal amplitude from latitude and continentality alone."""
    inland = continentality(lat, lon)
    swing = SWING_NORTH if lat >= 0 else SWING_SOUTH
    return (_along(MEAN_BY_LATITUDE, abs(lat)) - CONTINENTAL_COOLING_C * inland,
            _along(swing, abs(lat)) + CONTINENTAL_SWING_C * inland)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    cosine = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0 * math.acos(max(-1.0, min(1.0, cosine)))


def _is_highland(city: City) -> bool:
    return city.climate == "highland" or city.setting == "mountain"


def _rule_of_thumb(lat: float, mean_c: float, amplitude_c: float) -> str:
    if mean_c >= 22 and abs(lat) <= 8:
        return "tropical_rainforest"
    if mean_c >= 22 and amplitude_c <= 5:
        return "tropical_monsoon"
    if mean_c >= 16:
        return "humid_subtropical"
    if mean_c < 3 or abs(lat) >= 62:
        return "subpolar" if amplitude_c < 12 else "continental"
    return "continental" if amplitude_c >= 11 else "oceanic"


def estimate(lat: float, lon: float, references: Iterable[City]) -> Estimate:
    """The climate of the place at (``lat``, ``lon``), from the curated ``references``."""
    mean_c, amplitude_c = zonal(lat, lon)
    weight = mean_shift = swing_shift = 0.0
    votes: Counter[str] = Counter()
    for city in references:
        reach = HIGHLAND_REACH_KM if _is_highland(city) else REACH_KM
        w = math.exp(-(distance_km(lat, lon, city.lat, city.lon) / reach) ** 2)
        if w < 1e-4:
            continue
        own_mean, own_swing = zonal(city.lat, city.lon)
        weight += w
        mean_shift += w * (city.mean_c - own_mean)
        swing_shift += w * (city.amplitude_c - own_swing)
        votes[city.climate] += w ** 4  # the nearest cities decide the type
    mean_c += mean_shift / (weight + PRIOR_WEIGHT)
    amplitude_c = max(0.3, amplitude_c + swing_shift / (weight + PRIOR_WEIGHT))
    climate, support = votes.most_common(1)[0] if votes else ("", 0.0)
    if support < VOTE_QUORUM:
        climate = _rule_of_thumb(lat, mean_c, amplitude_c)
    return Estimate(climate, round(mean_c, 1), round(amplitude_c, 1))
