import json
import zoneinfo
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Count, Exists, F, FloatField, IntegerField, OuterRef, Q, Value
from django.db.models.functions import ASin, Cast, Cos, Floor, Least, Power, Radians, Sin, Sqrt
from django.urls import reverse
from django.utils import timezone

from registers.matching import RegisterAnswer, check_licence
from registers.models import Register
from therapists.geo import EARTH_RADIUS_KM, bounding_box
from therapists.scoring import CARD_COMPONENTS

# Nobody practising today started before this; guards against typos such as 198.
EARLIEST_PRACTISING_YEAR = 1940


def private_storage():
    return storages["private"]


class FilterIdsField(ArrayField):
    """The ids of one many-to-many family (massage types, needs, languages) on the therapist row.

    PostgreSQL: an integer[] that triggers keep from the link table (migration 0010), GIN-indexed,
    so a search filter is `modality_ids && '{3,5}'` instead of an EXISTS per candidate row. Never
    written by the application: whatever a save() sends, the row trigger puts the link table's ids.
    SQLite: a text column left empty; the filters use EXISTS there (TherapistQuerySet.offering()).
    """

    def __init__(self, **kwargs):
        kwargs["base_field"] = models.IntegerField()
        super().__init__(**kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("base_field", None)
        return name, path, args, kwargs

    def db_type(self, connection):
        return super().db_type(connection) if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor != "postgresql":
            return json.dumps(list(value or []))
        return super().get_db_prep_value(value, connection, prepared)

    def get_placeholder(self, value, compiler, connection):
        return super().get_placeholder(value, compiler, connection) if connection.vendor == "postgresql" else "%s"

    def from_db_value(self, value, expression, connection):
        return json.loads(value) if isinstance(value, str) else value


class Modality(models.Model):
    """A type of massage or manual therapy (Swedish, deep tissue, lymphatic drainage, …)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "modalities"

    def __str__(self):
        return self.name


class Need(models.Model):
    """A benefit a client looks for (muscle tension and pain, stress and sleep, …)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Language(models.Model):
    """A language a therapist speaks with clients, keyed by its ISO 639-1 code."""

    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CredentialQuerySet(models.QuerySet):
    def current(self, today: date | None = None):
        """Verified and not expired: the only credentials that count (DESIGN.md, 'honest')."""
        today = today or timezone.localdate()
        return self.filter(status=Credential.Status.VERIFIED).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=today)
        )

    def licences(self):
        return self.filter(kind=Credential.Kind.LICENCE)

    def certificates(self):
        return self.filter(kind=Credential.Kind.CERTIFICATE)

    def pending(self):
        return self.filter(status=Credential.Status.PENDING)

    def decidable_by(self, moderator):
        """Without the moderator's own credentials: nobody verifies their own licence."""
        return self.exclude(therapist__user=moderator)

    def past_expiry(self, today: date | None = None):
        today = today or timezone.localdate()
        return self.filter(status=Credential.Status.VERIFIED, expires_on__lt=today)


SEARCH_CONFIG = "english"
SORT_ORDERS = {
    "score": ["-score", "-review_count", "pk"],
    # rating_weighted, not rating_avg: one 5★ review must not top the list (DESIGN.md).
    "rating": ["-rating_weighted", "-review_count", "pk"],
    "experience": [F("practising_since").asc(nulls_last=True), "-score", "pk"],
    "reviews": ["-review_count", "-score", "pk"],
    "distance": ["distance_km", "-score", "pk"],
}


def therapist_search_vector():
    """The document migration 0003 indexed; since 0004 a trigger stores a richer one in search_document."""
    return (
        SearchVector("display_name", weight="A", config=SEARCH_CONFIG)
        + SearchVector("headline", "city", weight="B", config=SEARCH_CONFIG)
        + SearchVector("bio", weight="C", config=SEARCH_CONFIG)
    )


def shown_credentials():
    """What the public sees: credentials a moderator checked (verified, and later expired ones).

    A pending credential is only the therapist's claim until a moderator looks at the document, so
    it is shown to its owner and the moderators only (therapists.views.profile); rejected and
    withdrawn ones stay private.
    """
    public = [Credential.Status.VERIFIED, Credential.Status.EXPIRED]
    return Credential.objects.filter(status__in=public).select_related("register").order_by("kind", "-issued_on", "pk")


# Columns no listing (search page, home page, API list) shows.
UNLISTED_FIELDS = ("bio", "search_document", "suspended_reason", "modality_ids", "need_ids", "language_ids")


class TherapistQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Therapist.Status.PUBLISHED)

    def with_verified_licence(self, today: date | None = None):
        current_licence = Credential.objects.current(today).licences().filter(therapist=OuterRef("pk"))
        return self.filter(Exists(current_licence))

    def score_distribution(self, buckets: int = 10) -> list[int]:
        """How many therapists score in each equal slice of 0–100 (the last slice includes 100)."""
        size = 100 // buckets
        counts = dict(
            self.annotate(bucket=Least(Cast(Floor(F("score") / size), IntegerField()), Value(buckets - 1)))
            .values_list("bucket")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return [counts.get(bucket, 0) for bucket in range(buckets)]

    def ranked(self):
        return self.sorted_by("score")

    def owned_by(self, user):
        return self.filter(user=user)

    def decidable_by(self, moderator):
        """Without the moderator's own profile: nobody suspends or reinstates themselves."""
        return self.exclude(user=moderator)

    def changed_since(self, moment):
        """Profiles whose public facts changed at or after `moment`: the row itself, or a credential
        decision (a pending submission changes nothing anyone else sees)."""
        decided = Credential.objects.filter(therapist=OuterRef("pk"), updated_at__gte=moment).exclude(
            status=Credential.Status.PENDING
        )
        return self.filter(Q(updated_at__gte=moment) | Exists(decided))

    # Search (therapists.filters.TherapistFilter chains these; the API and the HTML page share them).

    # With `ids` (the slugs' primary keys, therapists.choices.choice_ids) PostgreSQL tests the
    # denormalised arrays of migration 0010 through their GIN indexes; otherwise, and on SQLite, an
    # EXISTS on the link table (not a join, so no duplicates and no DISTINCT).

    def offering(self, modality_slugs, ids: list[int] | None = None):
        """Any of the given massage types."""
        if ids is not None and connection.vendor == "postgresql":
            return self.filter(modality_ids__overlap=ids)
        through = Therapist.modalities.through.objects.filter(
            therapist=OuterRef("pk"), modality__slug__in=modality_slugs
        )
        return self.filter(Exists(through))

    def helping_with(self, need_slugs, ids: list[int] | None = None):
        if ids is not None and connection.vendor == "postgresql":
            return self.filter(need_ids__overlap=ids)
        through = Therapist.needs.through.objects.filter(therapist=OuterRef("pk"), need__slug__in=need_slugs)
        return self.filter(Exists(through))

    def speaking(self, language_code: str, ids: list[int] | None = None):
        if ids is not None and connection.vendor == "postgresql":
            return self.filter(language_ids__contains=ids)
        through = Therapist.languages.through.objects.filter(therapist=OuterRef("pk"), language__code=language_code)
        return self.filter(Exists(through))

    def with_experience(self, min_years: int, today: date | None = None):
        today = today or timezone.localdate()
        return self.filter(practising_since__lte=today.year - min_years)

    def near(self, latitude: float, longitude: float, radius_km: float):
        """Within radius_km of the point, annotated with the great-circle `distance_km`.

        The bounding box is a plain range test the (latitude, longitude) index answers; the exact
        haversine distance then runs only on the rows inside it.
        """
        min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, longitude, radius_km)
        lat1, lon1 = Radians(Value(latitude, FloatField())), Radians(Value(longitude, FloatField()))
        lat2, lon2 = Radians(F("latitude")), Radians(F("longitude"))
        half_chord = Power(Sin((lat2 - lat1) / 2), 2) + Cos(lat1) * Cos(lat2) * Power(Sin((lon2 - lon1) / 2), 2)
        # Least() guards asin against rounding just above 1 for antipodal points.
        distance = 2 * EARTH_RADIUS_KM * ASin(Least(Sqrt(half_chord), Value(1.0, FloatField())))
        return (
            self.filter(latitude__range=(min_lat, max_lat), longitude__range=(min_lon, max_lon))
            .annotate(distance_km=distance)
            .filter(distance_km__lte=radius_km)
        )

    def matching(self, text: str):
        """Free text over name, headline, bio, city and massage types.

        PostgreSQL: full-text search (the stored document of migration 0004) ranked with SearchRank, plus
        trigram similarity on the name so "Clara Webr" still finds Clara Weber. SQLite: every word
        must appear in one of the fields, case-insensitively; slower, but the same answers for
        ordinary queries.
        """
        text = text.strip()
        if not text:
            return self
        if connection.vendor == "postgresql":
            # search_document (migration 0004) already holds the massage type names, so both
            # branches of the OR are indexed and the rank reads the stored vector.
            query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
            return self.annotate(search_rank=SearchRank(F("search_document"), query)).filter(
                Q(search_document=query) | Q(display_name__trigram_similar=text)
            )
        matches = self
        for word in text.split()[:8]:
            modality_hit = Modality.objects.filter(therapists=OuterRef("pk"), name__icontains=word)
            matches = matches.filter(
                Q(display_name__icontains=word)
                | Q(headline__icontains=word)
                | Q(bio__icontains=word)
                | Q(city__icontains=word)
                | Exists(modality_hit)
            )
        return matches

    def for_listing(self):
        """What a search result card shows, in a constant number of queries.

        Without the long text nobody lists: a bio is up to 5,000 characters, the search document more.
        """
        return self.defer(*UNLISTED_FIELDS).prefetch_related("modalities", "opening_hours")

    def for_profile(self):
        return self.defer("search_document").prefetch_related(
            "modalities",
            "needs",
            "languages",
            "opening_hours",
            models.Prefetch("credentials", queryset=shown_credentials()),
        )

    def for_profile_page(self):
        """for_profile() for the HTML page, which reads the names of massage types, needs and languages
        through Therapist.offered_names() in one query instead of three prefetches."""
        shown = models.Prefetch("credentials", queryset=shown_credentials())
        return self.defer("search_document").prefetch_related(shown, "opening_hours")

    def sorted_by(self, key: str):
        """One of SORT_ORDERS, each ending in pk so equal values paginate in a stable order.

        After a text query (matching()), equal scores are ordered by how well the text matched.
        """
        order = SORT_ORDERS[key]
        if key == "score" and "search_rank" in self.query.annotations:
            order = [order[0], "-search_rank", *order[1:]]
        return self.order_by(*order)


# The choices sit at module level so each model's Meta.constraints can name their values (Status.values):
# a nested class is not visible from Meta.
class TherapistStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    SUSPENDED = "suspended", "Suspended"


class Therapist(models.Model):
    Status = TherapistStatus

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="therapist")
    slug = models.SlugField(max_length=80, unique=True)
    display_name = models.CharField(max_length=120)
    headline = models.CharField(max_length=160, blank=True)
    bio = models.TextField(blank=True, max_length=5000)
    photo = models.ImageField(upload_to="photos/", blank=True)
    photo_thumbnail = models.ImageField(upload_to="photos/", blank=True)

    city = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code, e.g. DE.")
    latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )

    # A year, not a duration, so experience grows by itself every January.
    practising_since = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(EARLIEST_PRACTISING_YEAR)]
    )
    modalities = models.ManyToManyField(Modality, blank=True, related_name="therapists")
    needs = models.ManyToManyField(Need, blank=True, related_name="therapists")
    languages = models.ManyToManyField(Language, blank=True, related_name="therapists")

    price_from = models.PositiveIntegerField(null=True, blank=True, help_text="Lowest session price.")
    price_to = models.PositiveIntegerField(null=True, blank=True, help_text="Highest session price.")
    currency = models.CharField(max_length=3, default="EUR")
    accepts_new_clients = models.BooleanField(default=True)
    # Appointment requests (issue 16): off until the therapist opens their hours for requests.
    accepts_appointment_requests = models.BooleanField(default=False)
    appointment_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(15), MaxValueValidator(240)]
    )
    # An IANA zone name; the opening hours and every appointment time are read in it.
    # Derived from the city through the gazetteer (therapists.geo), and editable.
    time_zone = models.CharField(max_length=64, blank=True)

    phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(blank=True)
    website = models.URLField(blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    suspended_reason = models.TextField(blank=True)

    # Denormalised by therapists.scores.recompute_score; never edited by hand.
    score = models.FloatField(default=0)
    score_breakdown = models.JSONField(default=list, blank=True)
    rating_avg = models.FloatField(null=True, blank=True)
    rating_weighted = models.FloatField(default=0)
    review_count = models.PositiveIntegerField(default=0)
    has_verified_licence = models.BooleanField(default=False)
    # Kept by PostgreSQL triggers (migration 0004) from the text columns and massage types; empty on SQLite.
    search_document = SearchVectorField(null=True, editable=False)
    # Kept by PostgreSQL triggers (migration 0010) from the link tables, for indexed search filters.
    modality_ids = FilterIdsField(default=list, blank=True, editable=False)
    need_ids = FilterIdsField(default=list, blank=True, editable=False)
    language_ids = FilterIdsField(default=list, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TherapistQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "-review_count", "pk"]
        indexes = [
            models.Index(fields=["status", "-score", "-review_count", "id"], name="therapist_ranked_idx"),
            models.Index(fields=["status", "-rating_weighted", "id"], name="therapist_rating_idx"),
            models.Index(fields=["status", "-review_count", "id"], name="therapist_reviews_idx"),
            models.Index(fields=["status", "practising_since", "id"], name="therapist_experience_idx"),
            models.Index(fields=["status", "city"], name="therapist_city_idx"),
            models.Index(fields=["latitude", "longitude"], name="therapist_point_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="therapist_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="therapist_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(practising_since__isnull=True) | Q(practising_since__gte=EARLIEST_PRACTISING_YEAR),
                name="therapist_practising_since_plausible",
            ),
            models.CheckConstraint(
                condition=Q(price_from__isnull=True)
                | Q(price_to__isnull=True)
                | Q(price_from__lte=models.F("price_to")),
                name="therapist_price_range_ordered",
            ),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="therapist_score_range"),
            models.CheckConstraint(
                condition=Q(status__in=TherapistStatus.values), name="therapist_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(appointment_minutes__gte=15, appointment_minutes__lte=240),
                name="therapist_appointment_minutes_range",
            ),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("therapists:profile", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def years_of_experience(self) -> int | None:
        if self.practising_since is None:
            return None
        return max(0, timezone.localdate().year - self.practising_since)

    @property
    def initials(self) -> str:
        """Shown in place of a photo: "Clara Weber" -> "CW"."""
        return "".join(word[0] for word in self.display_name.split()[:2]).upper() or "?"

    @property
    def card_score_components(self) -> list[dict]:
        """The stored components every result card shows, always the same ones in the same order."""
        by_key = {component["key"]: component for component in self.score_breakdown or []}
        return [by_key[key] for key in CARD_COMPONENTS if key in by_key]

    def offered_names(self) -> dict[str, list[str]]:
        """{"modality_names", "need_names", "language_names"}: sorted names, in one UNION query."""
        kinds = {"modality": Modality, "need": Need, "language": Language}
        first, *others = [
            model.objects.filter(therapists=self).annotate(kind=Value(kind)).values_list("kind", "name").order_by()
            for kind, model in kinds.items()
        ]
        names: dict[str, list[str]] = {f"{kind}_names": [] for kind in kinds}
        for kind, name in sorted(first.union(*others, all=True), key=lambda row: row[1]):
            names[f"{kind}_names"].append(name)
        return names

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The therapist's time zone; UTC until one is known (no city yet)."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    def local_now(self, now: datetime | None = None) -> datetime:
        return (now or timezone.now()).astimezone(self.zone)

    def hours_on(self, day: date) -> list["OpeningHours"]:
        """The opening hours of that weekday, from the prefetched rows (for_profile_page prefetches them)."""
        return [hours for hours in self.opening_hours.all() if hours.weekday == day.weekday()]

    def hours_today(self, now: datetime | None = None) -> list["OpeningHours"]:
        return self.hours_on(self.local_now(now).date())

    def weekly_hours(self) -> list[dict]:
        """[{"weekday": "Monday", "ranges": [OpeningHours, …]}, …] for Monday to Sunday, closed days included."""
        return [
            {"weekday": label, "ranges": [h for h in self.opening_hours.all() if h.weekday == value]}
            for value, label in OpeningHours.Weekday.choices
        ]

    def is_within_opening_hours(self, starts_at: datetime) -> bool:
        """Whether an appointment of appointment_minutes starting then lies inside one opening range.

        Compared in the therapist's local wall-clock time, so 9:00 stays 9:00 across a DST change.
        """
        local = starts_at.astimezone(self.zone)
        ends = local + timedelta(minutes=self.appointment_minutes)
        if ends.date() != local.date():
            return False
        return any(
            hours.opens_at <= local.time() and ends.time() <= hours.closes_at for hours in self.hours_on(local.date())
        )

    @property
    def takes_appointment_requests(self) -> bool:
        """Published, switched on and with opening hours to book within (reads the prefetched hours)."""
        return self.is_published and self.accepts_appointment_requests and bool(self.opening_hours.all())

    def list_missing_for_publication(self) -> list[str]:
        """What the owner must still fill in before the profile can be published (one query: the types)."""
        missing = []
        if not self.display_name:
            missing.append("your name")
        if not self.city or self.latitude is None or self.longitude is None:
            missing.append("a city with its location")
        if not self.pk or not self.modalities.exists():
            missing.append("at least one massage type")
        if self.practising_since is None:
            missing.append("the year you started practising")
        return missing


def expiry_error(issued_on: date | None, expires_on: date | None) -> str | None:
    """The credential_expires_after_issue constraint in words, for the forms and the services; None if it holds."""
    if issued_on and expires_on and expires_on < issued_on:
        return f"The expiry date cannot be before the issue date ({issued_on:%d %b %Y})."
    return None


class CredentialKind(models.TextChoices):
    LICENCE = "licence", "Licence"
    CERTIFICATE = "certificate", "Certificate"


class CredentialStatus(models.TextChoices):
    PENDING = "pending", "Pending review"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Credential(models.Model):
    """A licence or certificate a therapist submits; it counts only once a moderator verifies it."""

    Kind = CredentialKind
    Status = CredentialStatus

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=160)
    issuer = models.CharField(max_length=160)
    number = models.CharField(max_length=80, blank=True)
    modality = models.ForeignKey(
        Modality, on_delete=models.SET_NULL, null=True, blank=True, related_name="credentials"
    )
    issued_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    document = models.FileField(upload_to="credentials/%Y/%m/", storage=private_storage, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    # The licensing board's register the therapist says the licence is in (licences only), and what it
    # answered when last asked: registers.matching.RegisterAnswer.as_dict(), kept as it was then.
    register = models.ForeignKey(
        Register, on_delete=models.PROTECT, null=True, blank=True, related_name="credentials"
    )
    register_answer = models.JSONField(default=dict, blank=True)
    register_checked_at = models.DateTimeField(null=True, blank=True)

    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CredentialQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "pk"]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="credential_queue_idx"),
            models.Index(fields=["therapist", "kind", "status"], name="credential_counting_idx"),
            models.Index(fields=["status", "expires_on"], name="credential_expiry_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("issued_on")),
                name="credential_expires_after_issue",
            ),
            models.CheckConstraint(condition=Q(kind__in=CredentialKind.values), name="credential_kind_valid"),
            models.CheckConstraint(
                condition=Q(register__isnull=True) | Q(kind="licence"), name="credential_register_only_for_licences"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CredentialStatus.values),
                name="credential_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title} ({self.therapist})"

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.VERIFIED and (
            self.expires_on is None or self.expires_on >= timezone.localdate()
        )

    def ask_register(self, today: date | None = None) -> RegisterAnswer | None:
        """What the chosen register says now about this licence's number and the therapist's names;
        None when no register was chosen. One query (plus the therapist's user, if not selected)."""
        if self.register_id is None:
            return None
        names = [self.therapist.display_name, self.therapist.user.name]
        return check_licence(register=self.register, number=self.number, names=names, today=today)

    @property
    def register_lookup_url(self) -> str:
        return self.register.lookup_url_for(self.register_answer.get("number") or self.number) if self.register else ""


class OpeningHours(models.Model):
    """One opening range on one weekday, in the therapist's local time (several ranges a day allowed)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens_at = models.TimeField()
    closes_at = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens_at"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="opening_hours_weekday_valid"),
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="opening_hours_closes_after_opening"),
            models.UniqueConstraint(fields=["therapist", "weekday", "opens_at"], name="opening_hours_unique_start"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    @property
    def label(self) -> str:
        """"9:00–17:00": hours without a leading zero, as people write them."""
        return f"{_clock(self.opens_at)}–{_clock(self.closes_at)}"


def _clock(value: time) -> str:
    return f"{value.hour}:{value.minute:02d}"


class ScoreSnapshot(models.Model):
    """A therapist's score on a day it changed: the history the dashboard charts.

    Written by the score pipeline (therapists.scores) only when the score or a component's points
    moved, so a therapist has one row per day of change, not one per day.
    """

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="score_history")
    day = models.DateField()
    score = models.FloatField()
    points = models.JSONField(default=dict)  # component key -> points, as in score_breakdown

    class Meta:
        ordering = ["therapist", "day"]
        constraints = [
            models.UniqueConstraint(fields=["therapist", "day"], name="score_snapshot_one_per_day"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="score_snapshot_score_0_to_100"),
        ]

    def __str__(self):
        return f"{self.therapist_id} on {self.day}: {self.score}"


class PhotoUploadStatus(models.TextChoices):
    PENDING = "pending", "Being prepared"
    FAILED = "failed", "Could not be used"


class PhotoUpload(models.Model):
    """A photo the form accepted, waiting for a worker to resize it (therapists.photos).

    One per therapist: a newer upload takes the row over, so only the latest is ever applied. The
    original stays in private storage until it is resized or refused; either way it is then
    deleted. A refused upload's row keeps the reason until the next upload, for the dashboard.
    """

    Status = PhotoUploadStatus

    therapist = models.OneToOneField(Therapist, on_delete=models.CASCADE, related_name="photo_upload")
    original = models.FileField(upload_to="photo-uploads/", storage=private_storage)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.CharField(max_length=300, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PhotoUploadStatus.values), name="photo_upload_status_valid"),
            models.CheckConstraint(
                condition=Q(status=PhotoUploadStatus.PENDING, error="")
                | (Q(status=PhotoUploadStatus.FAILED) & ~Q(error="")),
                name="photo_upload_failed_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.therapist_id}: {self.status}"
