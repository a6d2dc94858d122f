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

from appointments import demo as appointments_demo
from registers.models import Register, RegisterEntry
from reviews.models import Review
from therapists import demo_content
from therapists.models import Credential, Language, Modality, Need, Therapist
from therapists.scores import recompute_scores

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for demo logins on purpose
DEMO_MODERATOR_EMAIL = "moderator@demo.example"
DEMO_DOCUMENT = "credentials/demo/sample-credential.pdf"

# Verified visits need an appointment row each; the benchmark's million reviews get this many.
MAX_VERIFIED_VISITS = 20000
ISSUERS = [
    "National Board of Massage Therapy",
    "Chamber of Health Professions",
    "European Massage Association",
    "School of Manual Therapy",
    "Institute for Sports Therapy",
    "Academy of Lymphology",
]
CREDENTIAL_FIELDS = [
    "therapist", "kind", "title", "issuer", "number", "modality", "issued_on", "expires_on", "document", "status",
    "decided_by", "decided_at", "decision_reason", "submitted_at", "updated_at", "register_answer",
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


DEMO_REGISTERS = [
    {
        "slug": "texas-tdlr",
        "name": "Texas TDLR licence register",
        "board": "Texas Department of Licensing and Regulation",
        "country": "US",
        "region": "Texas",
        "lookup_url": "https://www.tdlr.texas.gov/LicenseSearch/",
        "complaints_url": "https://www.tdlr.texas.gov/complaints/",
        "format": Register.Format.TEXAS_TDLR,
        "settings": {"licence_types": ["Massage Therapist"]},
    },
    {
        "slug": "wa-doh",
        "name": "Washington State credential register",
        "board": "Washington State Department of Health",
        "country": "US",
        "region": "Washington",
        "lookup_url": "https://fortress.wa.gov/doh/providercredentialsearch/",
        "complaints_url": "https://doh.wa.gov/licenses-permits-and-certificates/file-complaint-about-provider-or-facility",
        "format": Register.Format.CSV,
        "settings": {
            "columns": {"number": "Credential Number", "name": ["First Name", "Last Name"], "licence_type": "Type",
                        "status": "Status", "expires_on": "Expiration Date", "discipline": "Enforcement Action"},
        },
    },
]
# At most this many demo licences are put in a register, so seeding 100,000 therapists stays fast.
DEMO_REGISTER_LICENCES = 400


def _register_name(display_name: str) -> str:
    """'Ivan Nowak' the way boards write it: 'NOWAK, IVAN'."""
    *first, last = display_name.split() or ["?"]
    return f"{last}, {' '.join(first)}".upper().strip(", ")


def seed_demo_registers(*, therapist_ids: list[int], rng: random.Random, today: date) -> int:
    """Two demo registers whose entries match some demo licences, so the register's answer, the
    profile's "Checked against" line and the complaint link show. Returns how many licences got one.

    Verified licences are listed as active (a few with a disciplinary note); pending ones are listed,
    listed under another name, revoked, or missing, so the moderators' queue shows every answer.
    """
    now = timezone.now()
    registers = []
    for fields in DEMO_REGISTERS:
        register, _ = Register.objects.update_or_create(
            slug=fields["slug"], defaults={**fields, "last_imported_at": now}
        )
        registers.append(register)
    licences = list(
        Credential.objects.licences()
        .filter(therapist_id__in=therapist_ids, status__in=[Credential.Status.VERIFIED, Credential.Status.PENDING])
        .select_related("therapist__user")
        .order_by("pk")[:DEMO_REGISTER_LICENCES]
    )
    entries = []
    for credential in licences:
        register = registers[0] if rng.random() < 0.7 else registers[1]
        credential.register = register
        verified = credential.status == Credential.Status.VERIFIED
        roll = rng.random()
        if not verified and roll < 0.15:
            continue  # not in the register
        name = _register_name(credential.therapist.display_name)
        if not verified and roll < 0.3:
            name = _register_name(f"{rng.choice(demo_content.FIRST_NAMES)} {rng.choice(demo_content.LAST_NAMES)}")
        revoked = not verified and register.format == Register.Format.CSV and roll > 0.85
        discipline = ""
        if verified and register.format == Register.Format.CSV and roll < 0.1:
            discipline = "Reprimand 2024-05-14: incomplete client records; conditions met 2024-11-01"
        entries.append(RegisterEntry(
            register=register,
            number=register.normalise_number(credential.number),
            name=name,
            licence_type="Massage Therapist",
            status=RegisterEntry.Status.REVOKED if revoked else RegisterEntry.Status.ACTIVE,
            status_text=("REVOKED" if revoked else "ACTIVE") if register.format == Register.Format.CSV else "",
            expires_on=credential.expires_on or today + timedelta(days=rng.randrange(200, 900)),
            has_discipline=bool(discipline) or revoked,
            discipline=discipline or ("Revoked 2026-06-02: practising while suspended" if revoked else ""),
            raw={"source": "demo"},
            row_hash=f"demo{credential.pk:028d}",
        ))
    RegisterEntry.objects.bulk_create(entries, ignore_conflicts=True)
    for credential in licences:
        answer = credential.ask_register(today)
        credential.register_answer = answer.as_dict()
        credential.register_checked_at = now
    Credential.objects.bulk_update(licences, ["register", "register_answer", "register_checked_at"], batch_size=500)
    return len(licences)


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
    # Login emails stay numbered (the command prints them); the names are people's names.
    def make_users(prefix: str, names: list[str], offset: int) -> list[int]:
        ids, count = [], len(names)
        for i in range(0, count, batch):
            users = User.objects.bulk_create(
                [
                    User(email=f"{prefix}{offset + j}@demo.example", password=password_hash, name=names[j])
                    for j in range(i, min(i + batch, count))
                ]
            )
            insert_rows(
                EmailAddress, ["user", "email", "verified", "primary"], [(u.pk, u.email, True, True) for u in users]
            )
            ids.extend(u.pk for u in users)
            progress(f"{prefix} accounts", min(i + batch, count), count)
        return ids

    with transaction.atomic():
        therapist_names = [demo_content.person_name(rng) for _ in range(therapists)]
        therapist_user_ids = make_users("therapist", therapist_names, start) if therapists else []
        client_names = [demo_content.person_name(rng) for _ in range(client_count)]
        client_ids = make_users("client", client_names, start) if client_count else []
        modality_by_slug = {modality.slug: modality for modality in modalities}
        need_by_slug = {need.slug: need for need in needs}
        offers: list[tuple[list[str], list[str]]] = []
        city_of: list[demo_content.City] = []

        # Therapists, with a hidden "quality" that shapes their credentials and reviews.
        quality: dict[int, float] = {}
        therapist_ids: list[int] = []
        for i in range(0, therapists, batch):
            rows = []
            for index, user_id in enumerate(therapist_user_ids[i : i + batch], start=i):
                name = therapist_names[index]
                city = demo_content.pick_city(rng)
                offered_slugs, need_slugs = demo_content.pick_offer(rng, list(modality_by_slug), list(need_by_slug))
                offers.append((offered_slugs, need_slugs))
                city_of.append(city)
                offered_names = [modality_by_slug[slug].name for slug in offered_slugs] or ["Massage"]
                years = min(40, int(rng.expovariate(1 / 9)))
                low, high = demo_content.price_from(rng, city)
                status = rng.choices(
                    [Therapist.Status.PUBLISHED, Therapist.Status.DRAFT, Therapist.Status.SUSPENDED], [90, 7, 3]
                )[0]
                rows.append(
                    Therapist(
                        user_id=user_id,
                        slug=f"{slugify(name)}-{user_id}",
                        display_name=name,
                        headline=demo_content.headline(
                            rng,
                            offered_names,
                            [need_by_slug[slug].name for slug in need_slugs],
                            years,
                        ),
                        bio=(
                            f"I have practised in {city.name} since {today.year - years}, mostly "
                            f"{' and '.join(demo_content.in_sentence(name) for name in offered_names[:2])}. "
                            "A first session starts with a conversation about your needs, your health and anything "
                            "that rules a technique out, and I adapt the pressure to you."
                        ),
                        city=city.name,
                        country=city.country,
                        postcode=demo_content.postcode(rng, city),
                        # Within about 10 km of the centre.
                        latitude=round(city.latitude + rng.uniform(-0.09, 0.09), 6),
                        longitude=round(city.longitude + rng.uniform(-0.13, 0.13), 6),
                        practising_since=today.year - years,
                        price_from=low,
                        price_to=high,
                        currency=city.currency,
                        accepts_new_clients=rng.random() < 0.8,
                        phone=demo_content.phone_number(rng, city),
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
        for therapist_id, (offered_slugs, need_slugs), city in zip(therapist_ids, offers, city_of, strict=True):
            modality_rows.extend((therapist_id, modality_by_slug[slug].pk) for slug in offered_slugs)
            need_rows.extend((therapist_id, need_by_slug[slug].pk) for slug in need_slugs)
            spoken = {city.language}
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
        # Its own generator, so the hours do not shift the rest of a seed's data.
        visits_rng = random.Random(seed + 16)
        appointments_demo.seed_opening_hours(therapist_ids=therapist_ids, rng=visits_rng)

        # Credentials in every status; better therapists hold more verified ones.
        credentials: list[tuple] = []
        now = timezone.now()
        statuses = [
            Credential.Status.VERIFIED,
            Credential.Status.PENDING,
            Credential.Status.REJECTED,
            Credential.Status.EXPIRED,
        ]
        offered_by = {therapist_id: offer[0] for therapist_id, offer in zip(therapist_ids, offers, strict=True)}
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
                # A credential is for a massage type the therapist offers.
                offered_slugs = offered_by[therapist_id]
                modality = modality_by_slug[rng.choice(offered_slugs)] if offered_slugs else None
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
                    "{}",  # no register asked yet: raw JSON, as insert_rows writes column values as given
                ))
        insert_rows(Credential, CREDENTIAL_FIELDS, credentials)
        progress("credentials", len(credentials), len(credentials))
        seed_demo_registers(therapist_ids=therapist_ids, rng=rng, today=today)

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
                text = demo_content.review_text(rng, q)
                visit = today - timedelta(days=rng.randrange(1, 700))
                created = _aware(visit + timedelta(days=rng.randrange(0, 14)), rng)
                created = min(created, _aware(today, rng))
                status = Review.Status.HIDDEN.value if rng.random() < 0.01 else Review.Status.PUBLISHED.value
                pending.append((
                    therapist_id,
                    author_id,
                    text.rating,
                    text.title,
                    text.body,
                    rng.choice(offered[therapist_id]) if offered.get(therapist_id) else None,
                    visit,
                    text.consultation_given,
                    text.unwanted_effects,
                    text.aftercare_given,
                    status,
                    "Demo: hidden by a moderator." if status == Review.Status.HIDDEN else "",
                    f"{rng.choice(demo_content.FIRST_NAMES)} {rng.choice('ABCDEFGHJKLMNPRSTVW')}.",
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

        # About two in five reviews follow an attended appointment: "Verified visit".
        reviewed = [
            row
            for row in Review.objects.filter(therapist_id__in=therapist_ids, modality__isnull=False)
            .order_by("pk")
            .values_list("pk", "therapist_id", "author_id", "modality_id", "visit_date", "created_at")
            .iterator(chunk_size=10000)
            if visits_rng.random() < 0.4
        ][:MAX_VERIFIED_VISITS]
        appointment_ids = appointments_demo.seed_attended_visits([row[1:] for row in reviewed])
        Review.objects.bulk_update(
            [
                Review(pk=row[0], appointment_id=appointment_id)
                for row, appointment_id in zip(reviewed, appointment_ids, strict=True)
                if appointment_id
            ],
            ["appointment"],
            batch_size=2000,
        )
        progress("verified visits", len(reviewed), len(reviewed))

    recompute_scores(progress=lambda done, total: progress("scores", done, total))
    demo_therapist = (
        Therapist.objects.published()
        .filter(pk__in=therapist_ids[:200])
        # One who takes appointment requests, so the demo shows the inbox too.
        .order_by("-accepts_appointment_requests", "-score")
        .select_related("user")
        .first()
    )
    if demo_therapist is not None:
        appointments_demo.seed_open_requests(therapist=demo_therapist, client_ids=client_ids, now=timezone.now())
    return SeedResult(
        therapists=len(therapist_ids),
        reviews=written,
        credentials=len(credentials),
        clients=len(client_ids),
        demo_therapist_email=demo_therapist.user.email if demo_therapist else None,
        demo_client_email=f"client{start}@demo.example" if client_ids else None,
    )
