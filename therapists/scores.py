"""The score pipeline: SQL aggregates of the source rows -> scoring.compute_score -> the stored fields.

Scores are always aggregated in SQL from the source rows, never read, changed in Python and
written back, so two reviews landing at once cannot lose each other's update.
"""

from collections.abc import Callable
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from directory.lib.cache import invalidate_public_pages
from reviews.models import Review, score_input_expressions
from therapists.models import Credential, Therapist
from therapists.scoring import ScoreInputs, compute_score

SCORE_FIELDS = ["score", "score_breakdown", "rating_avg", "rating_weighted", "review_count", "has_verified_licence"]
CREDENTIAL_COUNTS = {
    "licences": Count("pk", filter=Q(kind=Credential.Kind.LICENCE)),
    "certificates": Count("pk", filter=Q(kind=Credential.Kind.CERTIFICATE)),
}


def _score_values(practising_since: int | None, reviews: dict, credentials: dict, today: date) -> dict:
    """The denormalised field values for one therapist, from its SQL aggregates."""
    inputs = ScoreInputs(
        has_licence=bool(credentials.get("licences")),
        certificate_count=credentials.get("certificates") or 0,
        years_of_experience=max(0, today.year - practising_since) if practising_since else 0,
        review_count=reviews.get("review_count") or 0,
        rating_sum=reviews.get("rating_sum") or 0,
        consultation_yes=reviews.get("consultation_yes") or 0,
        no_unwanted_effects=reviews.get("no_unwanted_effects") or 0,
        aftercare_yes=reviews.get("aftercare_yes") or 0,
    )
    breakdown = compute_score(inputs)
    return {
        "score": breakdown.score,
        "score_breakdown": breakdown.as_json(),
        "rating_avg": breakdown.rating_avg,
        "rating_weighted": breakdown.rating_weighted,
        "review_count": breakdown.review_count,
        "has_verified_licence": inputs.has_licence,
    }


@transaction.atomic
def recompute_score(*, therapist_id: int, today: date | None = None) -> Therapist:
    """Recompute one therapist's score from its published reviews and current credentials.

    Locks the therapist row first, so concurrent callers queue, and each one aggregates every
    row committed before it got the lock: no update is lost.
    """
    today = today or timezone.localdate()
    therapist = Therapist.objects.select_for_update().get(pk=therapist_id)
    reviews = Review.objects.published().filter(therapist_id=therapist_id).score_inputs()
    credentials = Credential.objects.current(today).filter(therapist_id=therapist_id).aggregate(**CREDENTIAL_COUNTS)
    for field, value in _score_values(therapist.practising_since, reviews, credentials, today).items():
        setattr(therapist, field, value)
    therapist.save(update_fields=[*SCORE_FIELDS, "updated_at"])
    return therapist


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
        reviews = {
            row.pop("therapist_id"): row
            for row in Review.objects.published()
            .filter(therapist_id__gte=low, therapist_id__lte=high)
            .values("therapist_id")
            .annotate(**score_input_expressions())
            .order_by()
        }
        credentials = {
            row.pop("therapist_id"): row
            for row in Credential.objects.current(today)
            .filter(therapist_id__gte=low, therapist_id__lte=high)
            .values("therapist_id")
            .annotate(**CREDENTIAL_COUNTS)
            .order_by()
        }
        dirty = []
        for pk, practising_since, *stored in batch:
            values = _score_values(practising_since, reviews.get(pk, {}), credentials.get(pk, {}), today)
            if [values[field] for field in SCORE_FIELDS] != stored:
                dirty.append((pk, values))
        _write_scores(dirty)
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
