"""The climate estimated for a city outside the curated table (issue 20): checked against the
curated cities it was not given and against published climate normals."""

from __future__ import annotations

import datetime as dt
import random
import statistics

import pytest

from agent_demo import climatology, gazetteer, places, weather

# Annual mean and half the annual range (°C) of monthly means, rounded from published
# 1991-2020 (or nearest available) normals; none of these cities is in the curated table.
NORMALS = {
    "Valencia, Spain": (18.3, 7.2), "Bergen, Norway": (7.8, 6.3),
    "Murmansk, Russia": (0.6, 11.5), "Novosibirsk, Russia": (1.7, 18.3),
    "Winnipeg, Canada": (3.0, 18.0), "Manaus, Brazil": (27.4, 0.7),
    "Kisangani": (25.2, 0.6), "Graz, Austria": (9.9, 10.6), "Bologna, Italy": (14.2, 11.2),
    "Tucson, Arizona": (21.1, 9.5), "Da Nang, Vietnam": (25.9, 4.0),
    "Leeds, UK": (9.8, 6.0), "Harbin, China": (4.6, 20.4), "Porto Alegre": (19.5, 5.5),
    "Durban, South Africa": (21.0, 3.5), "Mombasa, Kenya": (26.5, 2.0),
    "Kazan, Russia": (4.6, 15.0), "Omaha, Nebraska": (10.6, 15.0), "Riga, Latvia": (7.0, 11.0),
    "Khartoum, Sudan": (30.0, 5.8), "Norilsk, Russia": (-9.8, 21.4),
}


def month_of_days(city: places.City, year: int, month: int) -> list[float]:
    first = dt.date(year, month, 1)
    return [weather.daily_weather(city, first + dt.timedelta(days=i)).temperature_c
            for i in range(28)]


def test_each_curated_lowland_city_is_estimated_well_from_the_others() -> None:
    lowland = [c for c in places.cities() if not climatology._is_highland(c)]
    means, swings = [], []
    for city in lowland:
        others = [c for c in places.cities() if c is not city]
        estimate = climatology.estimate(city.lat, city.lon, others)
        means.append(abs(estimate.mean_c - city.mean_c))
        swings.append(abs(estimate.amplitude_c - city.amplitude_c))
    assert statistics.mean(means) < 2.0 and statistics.mean(swings) < 2.0
    assert sum(error > 5 for error in means) <= 3  # Lima's cold current, Caracas' hills...


@pytest.mark.parametrize("place", sorted(NORMALS))
def test_the_estimate_is_close_to_published_normals(place: str) -> None:
    city = weather.find_city(place)
    assert city.ident and city.climate in weather.CLIMATES  # estimated, not curated
    mean_c, swing_c = NORMALS[place]
    assert abs(city.mean_c - mean_c) <= 4.0, city
    assert abs(city.amplitude_c - swing_c) <= 5.0, city


def test_seasons_and_latitudes_give_plausible_days() -> None:
    valencia = weather.find_city("Valencia, Spain")
    december = month_of_days(valencia, 2026, 12)
    assert 12 <= statistics.median(december) <= 17  # mild
    assert statistics.median(month_of_days(valencia, 2026, 7)) >= 22
    arctic = [gazetteer.as_city(e) for e in gazetteer.gazetteer().entries() if e.lat > 66]
    assert len(arctic) >= 20
    assert all(statistics.median(month_of_days(c, 2026, 12)) < 0 for c in arctic)
    south = weather.find_city("Porto Alegre")
    assert statistics.median(month_of_days(south, 2026, 1)) > \
        statistics.median(month_of_days(south, 2026, 7)) + 5  # southern summer in January


def test_equatorial_lowlands_are_warm_all_year() -> None:
    equator = [gazetteer.as_city(e) for e in gazetteer.gazetteer().entries() if abs(e.lat) < 5]
    warm = [c for c in equator if c.climate != "highland"]
    assert len(warm) > 1000
    for city in random.Random(5).sample(warm, 200):
        for month in (1, 7):
            assert statistics.median(month_of_days(city, 2026, month)) > 20, city


def test_every_estimated_city_has_a_plausible_climate_and_days() -> None:
    entries = gazetteer.gazetteer().entries()
    for entry in random.Random(7).sample(entries, 800):
        city = gazetteer.as_city(entry)
        assert city.climate in weather.CLIMATES
        assert -20 < city.mean_c < 31 and 0.3 <= city.amplitude_c <= 30, city
        for month in (1, 4, 7, 10):
            day = weather.daily_weather(city, dt.date(2026, month, 15))
            assert -60 < day.temp_min_c <= day.temperature_c <= day.temp_max_c < 50, city
            assert 0 <= day.humidity <= 100 and 0 <= day.precipitation_chance <= 100
            assert 0 < day.wind_kmh < day.gust_kmh < 160


def test_continentality_grows_inland_in_the_north_only() -> None:
    assert climatology.continentality(52, -8) == 0  # Ireland
    assert climatology.continentality(55, 83) > 0.7  # Novosibirsk
    assert climatology.continentality(50, -97) > 0.6  # Winnipeg
    assert climatology.continentality(-30, 135) == 0  # the south has no such interior here
    assert climatology.zonal(0, 0)[0] > climatology.zonal(60, 0)[0] + 20
