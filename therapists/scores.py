"""The score pipeline: SQL aggregates of the source rows -> scoring.compute_score -> the stored fields.

Scores are always aggregated in SQL from the source rows, never read, changed in Python and
written back, so two reviews landing at once cannot lose each other's update.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from directory.lib.cache import invalidate_public_pages
from reviews.models import Review
from therapists.models import Credential, ScoreSnapshot, Therapist
from therapists.scoring import ReviewGroup, ScoreInputs, compute_score

SCORE_FIELDS = ["score", "score_breakdown", "rating_avg", "rating_weighted", "review_count", "has_verified_licence"]


def _credential_evidence(today: date) -> dict:
    """Aggregates over a therapist's verified and expired credentials.

    Only current ones (verified, unexpired) earn the licence and certificate points; an expired
    licence still proves the years since it was issued.
    """
    current = Q(status=Credential.Status.VERIFIED) & (Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    return {
        "licences": Count("pk", filter=current & Q(kind=Credential.Kind.LICENCE)),
        "certificates": Count("pk", filter=current & Q(kind=Credential.Kind.CERTIFICATE)),
        "licensed_since": Min("issued_on", filter=Q(kind=Credential.Kind.LICENCE)),
    }


def _evidence_credentials():
    return Credential.objects.filter(status__in=[Credential.Status.VERIFIED, Credential.Status.EXPIRED])


def _review_groups(rows: Iterable[dict]) -> dict[int, list[ReviewGroup]]:
    groups = defaultdict(list)
    for row in rows:
        groups[row["therapist_id"]].append(
            ReviewGroup(
                verified=bool(row["verified"]),
                age_years=row["age_years"],
                count=row["review_count"],
                rating_sum=row["rating_sum"] or 0,
                consultation_yes=row["consultation_yes"],
                no_unwanted_effects=row["no_unwanted_effects"],
                aftercare_yes=row["aftercare_yes"],
            )
        )
    return groups


def _inputs(practising_since: int | None, reviews: list[ReviewGroup], credentials: dict, today: date) -> ScoreInputs:
    licensed_since = credentials.get("licensed_since")
    return ScoreInputs(
        has_licence=bool(credentials.get("licences")),
        certificate_count=credentials.get("certificates") or 0,
        years_of_experience=max(0, today.year - practising_since) if practising_since else 0,
        verified_years=max(0, today.year - licensed_since.year) if licensed_since else 0,
        reviews=tuple(reviews),
    )


def _score_values(inputs: ScoreInputs) -> dict:
    """The denormalised field values for one therapist."""
    breakdown = compute_score(inputs)
    return {
        "score": breakdown.score,
        "score_breakdown": breakdown.as_json(),
        "rating_avg": breakdown.rating_avg,
        "rating_weighted": breakdown.rating_weighted,
        "review_count": breakdown.review_count,
        "has_verified_licence": inputs.has_licence,
    }


def score_inputs(*, therapist: Therapist, today: date | None = None) -> ScoreInputs:
    """One therapist's score inputs from the source rows (two queries); the dashboard's what-ifs use them."""
    today = today or timezone.localdate()
    groups = _review_groups(Review.objects.published().filter(therapist_id=therapist.pk).score_groups(today))
    credentials = _evidence_credentials().filter(therapist_id=therapist.pk).aggregate(**_credential_evidence(today))
    return _inputs(therapist.practising_since, groups.get(therapist.pk, []), credentials, today)


@transaction.atomic
def recompute_score(*, therapist_id: int, today: date | None = None) -> Therapist:
    """Recompute one therapist's score from its published reviews and verified credentials.

    Locks the therapist row first, so concurrent callers queue, and each one aggregates every
    row committed before it got the lock: no update is lost. A changed score is also written to
    the day's ScoreSnapshot.
    """
    today = today or timezone.localdate()
    therapist = Therapist.objects.select_for_update().get(pk=therapist_id)
    before = (therapist.score, _points(therapist.score_breakdown))
    values = _score_values(score_inputs(therapist=therapist, today=today))
    for field, value in values.items():
        setattr(therapist, field, value)
    therapist.save(update_fields=[*SCORE_FIELDS, "updated_at"])
    if (values["score"], _points(values["score_breakdown"])) != before:
        _snapshot([(therapist_id, values)], today)
    return therapist


def _points(breakdown: list[dict]) -> dict[str, float]:
    return {component["key"]: component["points"] for component in breakdown or []}


def _snapshot(changes: list[tuple[int, dict]], today: date) -> None:
    """Record the day's score of each changed therapist: one row per therapist per day it changed."""
    ScoreSnapshot.objects.bulk_create(
        [
            ScoreSnapshot(therapist_id=pk, day=today, score=values["score"], points=_points(values["score_breakdown"]))
            for pk, values in changes
        ],
        update_conflicts=True,
        unique_fields=["therapist", "day"],
        update_fields=["score", "points"],
        batch_size=1000,
    )


def recompute_scores(
    *, batch_size: int = 5000, today: date | None = None, progress: Callable[[int, int], None] | None = None
) -> int:
    """Rebuild every therapist's score set-wise; returns how many rows changed.

    Per batch of therapists (a primary-key range): one grouped aggregate over reviews, one over
    credentials, then one batched UPDATE of the rows whose values differ. Also the repair tool
    when the denormalised fields have drifted.
    """
    today = today or timezone.localdate()
    total = Therapist.objects.count()
    done = changed = 0
    last_pk = 0
    while True:
        # Plain tuples, not model instances: building 100,000 instances cost more than the SQL.
        batch = list(
            Therapist.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "practising_since", *SCORE_FIELDS)[:batch_size]
        )
        if not batch:
            break
        low, high = batch[0][0], batch[-1][0]
        in_batch = {"therapist_id__gte": low, "therapist_id__lte": high}
        reviews = _review_groups(Review.objects.published().filter(**in_batch).score_groups(today))
        credentials = {
            row.pop("therapist_id"): row
            for row in _evidence_credentials()
            .filter(**in_batch)
            .values("therapist_id")
            .annotate(**_credential_evidence(today))
            .order_by()
        }
        dirty, moved = [], []
        for pk, practising_since, *stored in batch:
            inputs = _inputs(practising_since, reviews.get(pk, []), credentials.get(pk, {}), today)
            values = _score_values(inputs)
            if [values[field] for field in SCORE_FIELDS] != stored:
                dirty.append((pk, values))
                stored_score, stored_breakdown = stored[0], stored[1]
                if (values["score"], _points(values["score_breakdown"])) != (stored_score, _points(stored_breakdown)):
                    moved.append((pk, values))
        with transaction.atomic():
            _write_scores(dirty)
            _snapshot(moved, today)
        changed += len(dirty)
        done += len(batch)
        last_pk = high
        if progress:
            progress(done, total)
    if changed:
        # The batched UPDATE sends no post_save signal; scores are on every visitor page.
        invalidate_public_pages()
    return changed


@transaction.atomic
def _write_scores(changes: list[tuple[int, dict]]) -> None:
    """Write (primary key, score field values) pairs in a few statements.

    Django's bulk_update builds a CASE WHEN per field and row, which took 28 s for 100,000 rows
    on SQLite. PostgreSQL gets one UPDATE … FROM (VALUES …) per 1,000 rows; SQLite, which has
    no network round trip, a parametrised UPDATE by primary key run through executemany.
    """
    if not changes:
        return
    quote = connection.ops.quote_name
    table = quote(Therapist._meta.db_table)
    fields = [Therapist._meta.get_field(name) for name in SCORE_FIELDS]
    rows = [
        [pk] + [field.get_db_prep_save(values[field.name], connection) for field in fields] for pk, values in changes
    ]
    # Identifiers and casts come from the model's own metadata; every value is a bound parameter.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            assignments = ", ".join(
                f"{quote(field.column)} = v.{quote(field.column)}::{field.db_type(connection)}" for field in fields
            )
            columns = ", ".join(["id", *(quote(field.column) for field in fields)])
            row_placeholder = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
            for start in range(0, len(rows), 1000):
                chunk = rows[start : start + 1000]
                cursor.execute(
                    f"UPDATE {table} AS t SET {assignments} "  # noqa: S608  # nosec B608
                    f"FROM (VALUES {', '.join([row_placeholder] * len(chunk))}) AS v({columns}) "
                    "WHERE t.id = v.id::bigint",
                    [value for row in chunk for value in row],
                )
        else:
            assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE {quote('id')} = %s",  # noqa: S608  # nosec B608
                [row[1:] + row[:1] for row in rows],
            )
