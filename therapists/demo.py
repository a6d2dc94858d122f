"""Realistic demo data, written with bulk inserts so 100,000 therapists take minutes, not hours.

Deterministic for a seed on an empty database; on a database with data it adds rows under new
e-mail addresses and slugs, so it can run again without clashing.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from reviews.models import Review
from therapists.models import Credential, Language, Modality, Need, Therapist
from therapists.scores import recompute_scores

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for demo logins on purpose
DEMO_MODERATOR_EMAIL = "moderator@demo.example"
DEMO_DOCUMENT = "credentials/demo/sample-credential.pdf"

FIRST_NAMES = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elena",
    "Felix",
    "Greta",
    "Hannah",
    "Ivan",
    "Julia",
    "Karim",
    "Lena",
    "Marco",
    "Nina",
    "Oskar",
    "Paula",
    "Quentin",
    "Rosa",
    "Samir",
    "Tara",
    "Umut",
    "Vera",
    "Willem",
    "Yara",
    "Zofia",
    "Amir",
    "Birgit",
    "Chloé",
    "Dario",
    "Eva",
    "Farah",
    "Gustav",
    "Hugo",
    "Ines",
    "Jonas",
    "Kasia",
    "Lucas",
    "Mei",
    "Noah",
    "Olga",
    "Pablo",
    "Ruth",
    "Sofia",
    "Tomás",
    "Ulla",
    "Viktor",
    "Wen",
    "Yusuf",
]
LAST_NAMES = [
    "Schmidt",
    "Müller",
    "Rossi",
    "García",
    "Nowak",
    "Jansen",
    "Dubois",
    "Silva",
    "Kowalski",
    "Novák",
    "Andersson",
    "Hansen",
    "Papadopoulos",
    "Nagy",
    "Yilmaz",
    "Costa",
    "Fischer",
    "Weber",
    "Moreau",
    "Bianchi",
    "Fernández",
    "Lindqvist",
    "Horvat",
    "Petrov",
    "Santos",
    "Keller",
    "Bauer",
    "Ricci",
    "Laurent",
    "de Vries",
]
# name, ISO country, latitude, longitude, local language
CITIES = [
    ("Berlin", "DE", 52.5200, 13.4050, "de"),
    ("Hamburg", "DE", 53.5511, 9.9937, "de"),
    ("Munich", "DE", 48.1351, 11.5820, "de"),
    ("Cologne", "DE", 50.9375, 6.9603, "de"),
    ("Vienna", "AT", 48.2082, 16.3738, "de"),
    ("Zurich", "CH", 47.3769, 8.5417, "de"),
    ("Paris", "FR", 48.8566, 2.3522, "fr"),
    ("Lyon", "FR", 45.7640, 4.8357, "fr"),
    ("Madrid", "ES", 40.4168, -3.7038, "es"),
    ("Barcelona", "ES", 41.3874, 2.1686, "es"),
    ("Rome", "IT", 41.9028, 12.4964, "it"),
    ("Milan", "IT", 45.4642, 9.1900, "it"),
    ("Amsterdam", "NL", 52.3676, 4.9041, "nl"),
    ("Rotterdam", "NL", 51.9244, 4.4777, "nl"),
    ("Lisbon", "PT", 38.7223, -9.1393, "pt"),
    ("Warsaw", "PL", 52.2297, 21.0122, "pl"),
    ("Krakow", "PL", 50.0647, 19.9450, "pl"),
    ("Prague", "CZ", 50.0755, 14.4378, "cs"),
    ("Budapest", "HU", 47.4979, 19.0402, "hu"),
    ("Stockholm", "SE", 59.3293, 18.0686, "sv"),
    ("Copenhagen", "DK", 55.6761, 12.5683, "da"),
    ("Athens", "GR", 37.9838, 23.7275, "el"),
    ("London", "GB", 51.5074, -0.1278, "en"),
    ("Manchester", "GB", 53.4808, -2.2426, "en"),
    ("Dublin", "IE", 53.3498, -6.2603, "en"),
    ("Brussels", "BE", 50.8503, 4.3517, "fr"),
    ("Istanbul", "TR", 41.0082, 28.9784, "tr"),
    ("Kyiv", "UA", 50.4501, 30.5234, "uk"),
]
HEADLINES = [
    "{m} for {n}",
    "Certified {m} therapist",
    "{m} with a careful consultation first",
    "Calm, thorough {m}",
    "{m} and aftercare you can follow at home",
    "Experienced {m} practitioner",
]
ISSUERS = [
    "National Board of Massage Therapy",
    "Chamber of Health Professions",
    "European Massage Association",
    "School of Manual Therapy",
    "Institute for Sports Therapy",
    "Academy of Lymphology",
]
REVIEW_TITLES = {
    5: ["Exactly what I needed", "Best massage in years", "Careful and effective", "Highly recommended"],
    4: ["Very good session", "Helpful and professional", "Good technique", "Would go again"],
    3: ["Decent, nothing special", "Mixed feelings", "OK but rushed", "Average experience"],
    2: ["Not for me", "Too much pressure", "Disappointing", "Expected more"],
    1: ["Would not return", "Left with bruises", "No consultation at all", "Poor experience"],
}
REVIEW_SENTENCES = [
    "We talked about my back pain and an old shoulder injury before we started.",
    "The pressure was adjusted every time I asked.",
    "I felt much looser the next day and slept well.",
    "The room was quiet and warm, and the session started on time.",
    "I got a few stretches to do at home and advice to drink water and rest.",
    "There was no real conversation about my health beforehand.",
    "I had some soreness for two days afterwards.",
    "Clear explanation of what the technique does and what to expect.",
    "Booking was easy and the price was as listed.",
    "My neck tension is noticeably better after three sessions.",
]


CREDENTIAL_FIELDS = [
    "therapist", "kind", "title", "issuer", "number", "modality", "issued_on", "expires_on", "document", "status",
    "decided_by", "decided_at", "decision_reason", "submitted_at", "updated_at",
]


@dataclass
class SeedResult:
    therapists: int
    reviews: int
    credentials: int
    clients: int
    demo_therapist_email: str | None
    demo_client_email: str | None


def _progress_noop(label: str, done: int, total: int) -> None:
    pass


def _aware(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randrange(8, 20), rng.randrange(60)), tzinfo=UTC)


def _ensure_demo_document() -> None:
    storage = storages["private"]
    if not storage.exists(DEMO_DOCUMENT):
        # A minimal valid one-page PDF, so moderators have a document to open in the demo.
        pdf = (
            b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]/Contents 4 0 R"
            b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
            b"4 0 obj<</Length 58>>stream\nBT /F1 18 Tf 20 70 Td (Demo credential document) Tj ET\nendstream endobj\n"
            b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
        )
        storage.save(DEMO_DOCUMENT, ContentFile(pdf))


def insert_rows(model, field_names: list[str], rows: list[tuple]) -> None:
    """Insert plain tuples without building model instances: COPY on PostgreSQL, executemany elsewhere.

    For a million reviews, bulk_create spent most of its time preparing each value of each
    instance; this path skips that, so the caller must give values of the column's type.
    """
    fields = [model._meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapters = [
            connection.ops.adapt_datetimefield_value
            if isinstance(field, models.DateTimeField)
            else connection.ops.adapt_datefield_value
            if isinstance(field, models.DateField)
            else None
            for field in fields
        ]
        prepared = [
            tuple(adapt(value) if adapt else value for adapt, value in zip(adapters, row, strict=True)) for row in rows
        ]
        placeholders = ", ".join(["%s"] * len(fields))
        # Identifiers come from the model's metadata; every value is a bound parameter.
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", prepared)  # noqa: S608  # nosec B608


def _review_counts(rng: random.Random, therapists: int, reviews: int, cap: int) -> list[int]:
    """Split `reviews` over therapists with a long tail: a few popular ones, many with a handful."""
    if therapists == 0:
        return []
    weights = [rng.paretovariate(1.6) for _ in range(therapists)]
    total_weight = sum(weights)
    counts = [min(cap, int(reviews * w / total_weight)) for w in weights]
    missing = reviews - sum(counts)
    index = 0
    while missing > 0 and index < 10 * therapists:
        i = rng.randrange(therapists)
        if counts[i] < cap:
            counts[i] += 1
            missing -= 1
        index += 1
    return counts


def seed_demo(
    *, therapists: int, reviews: int, seed: int = 1, progress: Callable[[str, int, int], None] = _progress_noop
) -> SeedResult:
    rng = random.Random(seed)
    User = get_user_model()
    password_hash = make_password(DEMO_PASSWORD)
    modalities = list(Modality.objects.order_by("slug"))
    needs = list(Need.objects.order_by("slug"))
    languages = {language.code: language for language in Language.objects.all()}
    today = date.today()
    # New rows get numbers past everything already there, so a second run adds instead of clashing.
    start = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    client_count = min(max(50, reviews // 15), max(50, reviews)) if reviews else 0
    batch = 2000

    _ensure_demo_document()
    moderators = Group.objects.get(name="moderators")
    moderator, created = User.objects.get_or_create(
        email=DEMO_MODERATOR_EMAIL, defaults={"name": "Demo Moderator", "password": password_hash}
    )
    moderator.groups.add(moderators)
    EmailAddress.objects.get_or_create(
        user=moderator, email=moderator.email, defaults={"verified": True, "primary": True}
    )

    # Users: therapists first, then clients. One password hash for all, computed once.
    def make_users(prefix: str, count: int, offset: int) -> list[int]:
        ids = []
        for i in range(0, count, batch):
            emails = [f"{prefix}{offset + j}@demo.example" for j in range(i, min(i + batch, count))]
            users = User.objects.bulk_create(
                [User(email=e, password=password_hash, name=e.split("@")[0].title()) for e in emails]
            )
            insert_rows(
                EmailAddress, ["user", "email", "verified", "primary"], [(u.pk, u.email, True, True) for u in users]
            )
            ids.extend(u.pk for u in users)
            progress(f"{prefix} accounts", min(i + batch, count), count)
        return ids

    with transaction.atomic():
        therapist_user_ids = make_users("therapist", therapists, start) if therapists else []
        client_ids = make_users("client", client_count, start) if client_count else []

        # Therapists, with a hidden "quality" that shapes their credentials and reviews.
        quality: dict[int, float] = {}
        therapist_ids: list[int] = []
        for i in range(0, therapists, batch):
            rows = []
            for user_id in therapist_user_ids[i : i + batch]:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                city, country, lat, lon, _ = rng.choice(CITIES)
                main = rng.choice(modalities) if modalities else None
                price_from = rng.randrange(35, 95, 5)
                status = rng.choices(
                    [Therapist.Status.PUBLISHED, Therapist.Status.DRAFT, Therapist.Status.SUSPENDED], [90, 7, 3]
                )[0]
                rows.append(
                    Therapist(
                        user_id=user_id,
                        slug=f"{slugify(f'{first} {last}')}-{user_id}",
                        display_name=f"{first} {last}",
                        headline=rng.choice(HEADLINES).format(
                            m=main.name if main else "Massage", n=rng.choice(needs).name.lower() if needs else "you"
                        ),
                        bio=(
                            f"I have worked as a massage therapist in {city} for years. Every first session starts "
                            "with a conversation about your needs, your health and anything that rules a technique "
                            "out. I adapt the pressure to you and give you simple advice for the days after."
                        ),
                        city=city,
                        country=country,
                        postcode=f"{rng.randrange(10000, 99999)}",
                        # Within about 10 km of the centre.
                        latitude=round(lat + rng.uniform(-0.09, 0.09), 6),
                        longitude=round(lon + rng.uniform(-0.13, 0.13), 6),
                        practising_since=today.year - min(40, int(rng.expovariate(1 / 9))),
                        price_from=price_from,
                        price_to=price_from + rng.randrange(10, 60, 5),
                        accepts_new_clients=rng.random() < 0.8,
                        phone=f"+49 30 {rng.randrange(1000000, 9999999)}",
                        contact_email=f"practice{user_id}@demo.example",
                        status=status,
                        suspended_reason="Demo: suspended after repeated complaints." if status == "suspended" else "",
                    )
                )
            created_rows = Therapist.objects.bulk_create(rows, batch_size=batch)
            therapist_ids.extend(row.pk for row in created_rows)
            for row in created_rows:
                quality[row.pk] = rng.betavariate(5, 2)
            progress("therapists", min(i + batch, therapists), therapists)

        # Modalities, needs and languages through the M2M tables directly.
        modality_rows, need_rows, language_rows = [], [], []
        city_language = {c[0]: c[4] for c in CITIES}
        cities = dict(Therapist.objects.filter(pk__in=therapist_ids).values_list("pk", "city")) if therapist_ids else {}
        for therapist_id in therapist_ids:
            for modality in rng.sample(modalities, k=min(len(modalities), rng.randint(1, 4))):
                modality_rows.append((therapist_id, modality.pk))
            for need in rng.sample(needs, k=min(len(needs), rng.randint(1, 3))):
                need_rows.append((therapist_id, need.pk))
            spoken = {city_language.get(cities.get(therapist_id), "en")}
            if rng.random() < 0.7:
                spoken.add("en")
            if rng.random() < 0.2:
                spoken.add(rng.choice(sorted(languages)))
            for code in sorted(spoken):
                if code in languages:
                    language_rows.append((therapist_id, languages[code].pk))
        insert_rows(Therapist.modalities.through, ["therapist", "modality"], modality_rows)
        insert_rows(Therapist.needs.through, ["therapist", "need"], need_rows)
        insert_rows(Therapist.languages.through, ["therapist", "language"], language_rows)

        # Credentials in every status; better therapists hold more verified ones.
        credentials: list[tuple] = []
        now = timezone.now()
        statuses = [
            Credential.Status.VERIFIED,
            Credential.Status.PENDING,
            Credential.Status.REJECTED,
            Credential.Status.EXPIRED,
        ]
        for therapist_id in therapist_ids:
            q = quality[therapist_id]
            wanted = [Credential.Kind.LICENCE] if rng.random() < 0.4 + 0.5 * q else []
            wanted += [Credential.Kind.CERTIFICATE] * rng.randint(0, 1 + int(3 * q))
            for kind in wanted:
                status = rng.choices(statuses, [60 + 30 * q, 20, 8, 7])[0]
                issued = today - timedelta(days=rng.randrange(60, 3650))
                if status == Credential.Status.EXPIRED:
                    expires = today - timedelta(days=rng.randrange(1, 300))
                    issued = min(issued, expires - timedelta(days=365))
                else:
                    expires = today + timedelta(days=rng.randrange(90, 1500)) if rng.random() < 0.6 else None
                modality = rng.choice(modalities) if modalities else None
                decided = status != Credential.Status.PENDING
                credentials.append((
                    therapist_id,
                    kind.value,
                    f"{modality.name if modality else 'Massage'} {kind}",
                    rng.choice(ISSUERS),
                    f"{kind[:3].upper()}-{rng.randrange(100000, 999999)}",
                    modality.pk if modality else None,
                    issued,
                    expires,
                    DEMO_DOCUMENT,
                    status.value,
                    moderator.pk if decided else None,
                    _aware(today - timedelta(days=rng.randrange(1, 60)), rng) if decided else None,
                    "The document is not legible; please upload a clearer scan."
                    if status == Credential.Status.REJECTED
                    else "",
                    _aware(today - timedelta(days=rng.randrange(1, 90)), rng),
                    now,
                ))
        insert_rows(Credential, CREDENTIAL_FIELDS, credentials)
        progress("credentials", len(credentials), len(credentials))

        # Reviews: distinct authors per therapist; answers and ratings follow the hidden quality.
        counts = _review_counts(rng, len(therapist_ids), reviews, cap=len(client_ids))
        offered = {}
        for row in (
            Therapist.modalities.through.objects.filter(therapist_id__in=therapist_ids)
            .values_list("therapist_id", "modality_id")
            .iterator(chunk_size=10000)
            if therapist_ids
            else []
        ):
            offered.setdefault(row[0], []).append(row[1])
        review_fields = [
            "therapist", "author", "rating", "title", "body", "modality", "visit_date", "consultation_given",
            "unwanted_effects", "aftercare_given", "status", "hidden_reason", "author_display_name", "removed_at",
            "created_at", "updated_at",
        ]
        pending: list[tuple] = []
        written = 0
        total_reviews = sum(counts)
        for therapist_id, count in zip(therapist_ids, counts, strict=True):
            if not count:
                continue
            q = quality[therapist_id]
            for author_id in rng.sample(client_ids, count):
                rating = max(1, min(5, round(rng.gauss(1.5 + 3.6 * q, 0.8))))
                visit = today - timedelta(days=rng.randrange(1, 700))
                created = _aware(visit + timedelta(days=rng.randrange(0, 14)), rng)
                created = min(created, _aware(today, rng))
                status = Review.Status.HIDDEN.value if rng.random() < 0.01 else Review.Status.PUBLISHED.value
                pending.append((
                    therapist_id,
                    author_id,
                    rating,
                    rng.choice(REVIEW_TITLES[rating]),
                    " ".join(rng.sample(REVIEW_SENTENCES, k=rng.randint(2, 4))),
                    rng.choice(offered[therapist_id]) if offered.get(therapist_id) else None,
                    visit,
                    rng.random() < 0.3 + 0.65 * q,
                    rng.random() < 0.35 - 0.3 * q,
                    rng.random() < 0.2 + 0.7 * q,
                    status,
                    "Demo: hidden by a moderator." if status == Review.Status.HIDDEN else "",
                    f"{rng.choice(FIRST_NAMES)} {rng.choice('ABCDEFGHJKLMNPRSTVW')}.",
                    created if status == Review.Status.HIDDEN else None,
                    created,
                    created,
                ))
            if len(pending) >= 20000:
                insert_rows(Review, review_fields, pending)
                written += len(pending)
                pending = []
                progress("reviews", written, total_reviews)
        if pending:
            insert_rows(Review, review_fields, pending)
            written += len(pending)
            progress("reviews", written, total_reviews)

    recompute_scores(progress=lambda done, total: progress("scores", done, total))
    demo_therapist = (
        Therapist.objects.published()
        .filter(pk__in=therapist_ids[:200])
        .order_by("-score")
        .select_related("user")
        .first()
    )
    return SeedResult(
        therapists=len(therapist_ids),
        reviews=written,
        credentials=len(credentials),
        clients=len(client_ids),
        demo_therapist_email=demo_therapist.user.email if demo_therapist else None,
        demo_client_email=f"client{start}@demo.example" if client_ids else None,
    )
