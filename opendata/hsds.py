"""Our published, verified directory as Open Referral's HSDS 3.0 objects (pure: no ORM, no HTTP).

The official schemas in ../shared/hsds-3.0/ are the judge; tests/opendata validates every object
built here against them, unchanged. The mapping:

- A therapist is an ``organization`` (the practice): ``name`` is the display name, ``description``
  the headline and bio, ``website``, ``uri`` the public profile, ``email`` only the contact email the
  therapist chose to show on their public profile (never the account's login address), ``phones``
  the public practice phone.
- It has one ``location`` (``location_type`` physical) at the profile's point (``latitude``,
  ``longitude``) with one physical ``address``. We do not collect street addresses, so the schema's
  required ``address_1`` and ``state_province`` are present and empty; ``city``, ``postal_code`` and
  ``country`` (ISO 3166-1 alpha-2) are ours.
- Each massage type the therapist offers is a ``service`` (``status`` active) with:
  ``accreditations``: their *verified, unexpired* licences and certificates in words, with issuer and
  number (pending, rejected, expired and withdrawn ones never appear, DESIGN.md "honest");
  ``assured_date``: the day a moderator last verified one of them; ``languages``; one
  ``cost_option`` (and ``fees_description``) from the price range; ``last_modified``: the later of
  the profile's last change and its credentials' last change; a ``service_at_location`` joining it
  to the location; ``attributes`` linking it to its massage type and to the therapist's needs.
- ``schedules`` is empty: opening hours do not exist yet (issue 16). Once they do, each weekly
  opening period becomes one schedule on the ``service_at_location`` with ``freq`` "WEEKLY",
  ``byday`` the iCalendar day codes ("MO,TU"), ``opens_at``/``closes_at`` as local "HH:MM" times,
  ``timezone`` the practice's zone name and ``valid_from``/``valid_to`` for seasonal hours; its id
  ``hsds_id("schedule", opening_hours.pk)``.
- Massage types and needs are two ``taxonomy`` objects (our own taxonomy; the ``uri`` is the list
  on /open-data/) and their ``taxonomy_term`` objects (``code`` the slug, ``term_uri`` the search
  page for that term).

Ids are UUIDs: ``uuid5(NAMESPACE, "<kind>:<primary keys>")``, so the same row has the same id in
every export and API answer, and a consumer can diff two exports.

Not published, on purpose: reviews and anything about their authors, draft and suspended
profiles, credential documents, and the qualification score and rating. HSDS ``attributes``
classify an object with a taxonomy term; a 0-100 number our ranking computes from reviews is not a
classification, it changes every day for most listings (every diff would be noise), and shown
without its breakdown and our review rules it says less than the ``accreditations`` and
``assured_date`` that HSDS defines for exactly this. ``uri`` links each listing to its profile,
where the score is shown with its breakdown.
"""

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

HSDS_VERSION = "3.0"
# Fixed forever: changing it changes every id we have ever published.
NAMESPACE = uuid.UUID("6f0c3b8e-2f4e-5a52-9c1d-8d1a3e0f7b21")
_NAMESPACE_BYTES = NAMESPACE.bytes


def hsds_id(kind: str, *keys: object) -> str:
    """The stable HSDS id of one of our rows: hsds_id("service", therapist_pk, modality_pk).

    Exactly str(uuid.uuid5(NAMESPACE, "service:12:3")) (a test holds it to that), written out
    because the export makes two million of them and uuid.UUID() is most of uuid5's cost.
    """
    name = kind + ":" + ":".join(map(str, keys))
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name.encode(), usedforsecurity=False).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    hexed = digest.hex()
    return f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}"


@dataclass(frozen=True, slots=True)
class Term:
    """A massage type or a need, as a term of one of our two taxonomies."""

    taxonomy: str  # "modality" or "need"
    pk: int
    slug: str
    name: str
    description: str
    id: str = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "id", hsds_id("taxonomy_term", self.taxonomy, self.pk))


@dataclass(frozen=True, slots=True)
class Taxonomy:
    key: str  # "modality" or "need"
    name: str
    description: str
    anchor: str

    @property
    def id(self) -> str:
        return hsds_id("taxonomy", self.key)


TAXONOMIES = {
    "modality": Taxonomy(
        "modality",
        "Qualified Touch massage types",
        "The types of massage and manual therapy a practice offers. Each is one service of the practice.",
        "massage-types",
    ),
    "need": Taxonomy(
        "need",
        "Qualified Touch needs",
        "The benefits clients look for (muscle tension and pain, stress and sleep, ...) that a practice helps with.",
        "needs",
    ),
}


@dataclass(slots=True)
class Vocabulary:
    """What every object refers to: the two taxonomies' terms, the languages and our public URLs."""

    modalities: dict[int, Term]
    needs: dict[int, Term]
    languages: dict[int, tuple[str, str]]  # pk -> (ISO 639-1 code, name)
    site_url: str  # "https://directory.example", no trailing slash
    profile_path: str  # "/therapists/{slug}/"
    search_path: str  # "/therapists/"
    open_data_path: str  # "/open-data/"

    def terms(self) -> list[Term]:
        return [*self.modalities.values(), *self.needs.values()]

    def term_by_id(self) -> dict[str, Term]:
        return {term.id: term for term in self.terms()}


@dataclass(slots=True)
class Credential:
    kind: str  # "licence" or "certificate"
    title: str
    issuer: str
    number: str
    expires_on: date | None
    decided_at: datetime | None


@dataclass(slots=True)
class Listing:
    """One published therapist, with only the public, verified facts HSDS carries."""

    pk: int
    slug: str
    display_name: str
    headline: str
    bio: str
    city: str
    postcode: str
    country: str
    latitude: float | None
    longitude: float | None
    phone: str
    contact_email: str
    website: str
    price_from: int | None
    price_to: int | None
    currency: str
    updated_at: datetime
    modality_ids: list[int] = field(default_factory=list)
    need_ids: list[int] = field(default_factory=list)
    language_ids: list[int] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)  # verified and unexpired only
    credentials_changed_at: datetime | None = None
    # What every service of the practice repeats, worked out once (see _once).
    memo: dict = field(default_factory=dict)

    @property
    def organization_id(self) -> str:
        return _once(self, "organization_id", lambda: hsds_id("organization", self.pk))

    @property
    def location_id(self) -> str:
        return _once(self, "location_id", lambda: hsds_id("location", self.pk))

    def service_id(self, modality_id: int) -> str:
        return _once(self, ("service", modality_id), lambda: hsds_id("service", self.pk, modality_id))

    def service_at_location_id(self, modality_id: int) -> str:
        return _once(
            self, ("service_at_location", modality_id), lambda: hsds_id("service_at_location", self.pk, modality_id)
        )

    @property
    def last_modified(self) -> datetime:
        if self.credentials_changed_at and self.credentials_changed_at > self.updated_at:
            return self.credentials_changed_at
        return self.updated_at


def _once(listing: Listing, key, compute):
    value = listing.memo.get(key, _MISSING)
    if value is _MISSING:
        value = listing.memo[key] = compute()
    return value


_MISSING = object()


def _timestamp(moment: datetime) -> str:
    # Millisecond accuracy in UTC, as the schema's example: 2023-03-15T10:30:45.123Z.
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _profile_url(listing: Listing, vocabulary: Vocabulary) -> str:
    return vocabulary.site_url + vocabulary.profile_path.format(slug=listing.slug)


def _fees(listing: Listing) -> str | None:
    if listing.price_from is None:
        return None
    if listing.price_to is not None and listing.price_to != listing.price_from:
        return f"{listing.price_from}–{listing.price_to} {listing.currency} per session"
    return f"From {listing.price_from} {listing.currency} per session"


def _accreditations(listing: Listing) -> str | None:
    described = []
    for credential in listing.credentials:
        words = f"{credential.kind.capitalize()}: {credential.title}, issued by {credential.issuer}"
        if credential.number:
            words += f", no. {credential.number}"
        if credential.expires_on:
            words += f", valid until {credential.expires_on.isoformat()}"
        described.append(words + " (verified by a moderator)")
    return "; ".join(described) or None


def _assured_date(listing: Listing) -> str | None:
    decided = [credential.decided_at for credential in listing.credentials if credential.decided_at]
    return max(decided).date().isoformat() if decided else None


def _drop_empty(values: dict) -> dict:
    # The schemas allow no nulls: an unknown value is left out, never sent as null.
    return {key: value for key, value in values.items() if value is not None and value != ""}


def organization_summary(listing: Listing, vocabulary: Vocabulary) -> dict:
    """The organization's one-to-one fields (compiled/organization_list.json)."""
    description = "\n\n".join(part for part in (listing.headline.strip(), listing.bio.strip()) if part)
    return _drop_empty(
        {
            "id": listing.organization_id,
            "name": listing.display_name,
            "description": description or f"{listing.display_name}, massage therapist in {listing.city}.",
            "email": listing.contact_email,
            "website": listing.website,
            "uri": _profile_url(listing, vocabulary),
        }
    )


def phones(listing: Listing) -> list[dict]:
    if not listing.phone:
        return []
    return [
        {
            "id": hsds_id("phone", listing.pk),
            "organization_id": listing.organization_id,
            "number": listing.phone,
            "type": "voice",
        }
    ]


def location_summary(listing: Listing) -> dict:
    return _drop_empty(
        {
            "id": listing.location_id,
            "location_type": "physical",
            "organization_id": listing.organization_id,
            "name": f"{listing.display_name}, {listing.city}" if listing.city else listing.display_name,
            "latitude": listing.latitude,
            "longitude": listing.longitude,
        }
    )


def location(listing: Listing) -> dict:
    return {**_once(listing, "location", lambda: _location(listing))}


def _location(listing: Listing) -> dict:
    address = {
        "id": hsds_id("address", listing.pk),
        "location_id": listing.location_id,
        # Required by the schema; we never ask for the street, so they are known to be unknown.
        "address_1": "",
        "city": listing.city,
        "state_province": "",
        "postal_code": listing.postcode,
        "country": listing.country,
        "address_type": "physical",
    }
    return {**location_summary(listing), "addresses": [address], "schedules": []}


def service_summary(listing: Listing, modality_id: int, vocabulary: Vocabulary) -> dict:
    """A service's one-to-one fields (what compiled/service_list.json lists, without `organization`)."""
    modality = vocabulary.modalities[modality_id]
    return _drop_empty(
        {
            "id": listing.service_id(modality_id),
            "organization_id": listing.organization_id,
            "name": modality.name,
            "description": modality.description or modality.name,
            "url": _once(listing, "url", lambda: _profile_url(listing, vocabulary)),
            "email": listing.contact_email,
            "status": "active",
            "fees_description": _once(listing, "fees", lambda: _fees(listing)),
            "accreditations": _once(listing, "accreditations", lambda: _accreditations(listing)),
            "assured_date": _once(listing, "assured_date", lambda: _assured_date(listing)),
            "last_modified": _once(listing, "last_modified", lambda: _timestamp(listing.last_modified)),
        }
    )


def service_list_item(listing: Listing, modality_id: int, vocabulary: Vocabulary) -> dict:
    return {
        **service_summary(listing, modality_id, vocabulary),
        "organization": organization_summary(listing, vocabulary),
    }


def taxonomy(key: str, vocabulary: Vocabulary) -> dict:
    described = TAXONOMIES[key]
    return {
        "id": described.id,
        "name": described.name,
        "description": described.description,
        "uri": f"{vocabulary.site_url}{vocabulary.open_data_path}#{described.anchor}",
        "version": "1",
    }


def taxonomy_term(term: Term, vocabulary: Vocabulary, *, with_taxonomy: bool = False) -> dict:
    described = TAXONOMIES[term.taxonomy]
    values = {
        "id": term.id,
        "code": term.slug,
        "name": term.name,
        "description": term.description or term.name,
        "taxonomy": described.name,
        "taxonomy_id": described.id,
        "language": "en",
        "term_uri": f"{vocabulary.site_url}{vocabulary.search_path}?{term.taxonomy}={term.slug}",
    }
    if with_taxonomy:
        values["taxonomy_detail"] = taxonomy(term.taxonomy, vocabulary)
    return values


def _attribute(link_id: str, link_type: str, term: Term, vocabulary: Vocabulary, *, with_term: bool) -> dict:
    values = {
        "id": hsds_id("attribute", link_id, term.id),
        "link_id": link_id,
        "link_type": link_type,
        "link_entity": "service",
        "taxonomy_term_id": term.id,
    }
    if with_term:
        values["taxonomy_term"] = taxonomy_term(term, vocabulary)
    return values


def service_at_location_summary(listing: Listing, modality_id: int) -> dict:
    return {
        "id": listing.service_at_location_id(modality_id),
        "service_id": listing.service_id(modality_id),
        "location_id": listing.location_id,
    }


def service(listing: Listing, modality_id: int, vocabulary: Vocabulary, *, inside_organization: bool = False) -> dict:
    """The fully nested service (compiled/service.json).

    Inside an organization (the export, /organizations/{id}) it leaves out what the organization
    already carries once: its parent, the location, and the terms (taxonomy_terms.json), which it
    names by id. At 100,000 practices that halves the export.
    """
    service_id = listing.service_id(modality_id)
    values = service_summary(listing, modality_id, vocabulary)
    values["languages"] = [
        {
            "id": hsds_id("language", listing.pk, modality_id, language_id),
            "service_id": service_id,
            "name": vocabulary.languages[language_id][1],
            "code": vocabulary.languages[language_id][0],
        }
        for language_id in listing.language_ids
    ]
    values["cost_options"] = []
    if listing.price_from is not None:
        values["cost_options"].append(
            _drop_empty(
                {
                    "id": hsds_id("cost_option", listing.pk, modality_id),
                    "service_id": service_id,
                    "option": "One session",
                    "currency": listing.currency,
                    "amount": listing.price_from,
                    "amount_description": _once(listing, "fees", lambda: _fees(listing)),
                }
            )
        )
    values["schedules"] = []  # Opening hours do not exist yet (issue 16); see the module docstring.
    at_location = {**service_at_location_summary(listing, modality_id), "schedules": []}
    if not inside_organization:
        at_location["location"] = location(listing)
    values["service_at_locations"] = [at_location]
    classified = [("service_type", vocabulary.modalities[modality_id])]
    classified += [("need", vocabulary.needs[need_id]) for need_id in listing.need_ids]
    values["attributes"] = [
        _attribute(service_id, link_type, term, vocabulary, with_term=not inside_organization)
        for link_type, term in classified
    ]
    if not inside_organization:
        values["organization"] = organization_summary(listing, vocabulary)
    return values


def service_at_location_list_item(listing: Listing, modality_id: int, vocabulary: Vocabulary) -> dict:
    return {
        **service_at_location_summary(listing, modality_id),
        "location": location_summary(listing),
        "service": service_list_item(listing, modality_id, vocabulary),
    }


def service_at_location(listing: Listing, modality_id: int, vocabulary: Vocabulary) -> dict:
    """The fully nested service_at_location (compiled/service_at_location.json)."""
    return {
        **service_at_location_summary(listing, modality_id),
        "schedules": [],
        "location": location(listing),
        "service": service(listing, modality_id, vocabulary),
    }


def organization(listing: Listing, vocabulary: Vocabulary) -> dict:
    """The fully nested organization with its services (compiled/organization.json): one export record."""
    return {
        **organization_summary(listing, vocabulary),
        "phones": phones(listing),
        "locations": [location(listing)],
        "services": [
            service(listing, modality_id, vocabulary, inside_organization=True) for modality_id in listing.modality_ids
        ],
    }
