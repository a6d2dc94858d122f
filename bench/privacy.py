"""Time a therapist's data archive and account erasure (issue 23).

    DATABASE_URL=sqlite:////tmp/privacy-bench.sqlite3 python manage.py migrate -v0
    DATABASE_URL=sqlite:////tmp/privacy-bench.sqlite3 python manage.py shell -c "import bench.privacy as b; b.main(200)"

A therapist with REVIEWS published reviews (each with a reply), 5 credentials with a 1 MB document
each, a week of opening hours and 50 appointment requests; prints the archive's build time and size,
then the erasure's time, the reviewers rescored elsewhere included (every reviewer also reviewed one
other therapist, who is rescored when the reviewer is erased: timed once for one client).
"""

import time

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction

from privacy import export
from privacy.erasure import erase_account
from privacy.models import DataExport
from tests.factories import (
    AppointmentRequestFactory,
    CredentialFactory,
    ReviewFactory,
    ReviewReplyFactory,
    TherapistFactory,
)


def main(reviews: int = 200) -> None:
    therapist = TherapistFactory(bookable=True)
    other = TherapistFactory()
    for n in range(reviews):
        review = ReviewFactory(therapist=therapist, rescored=False, title=f"Review {n}")
        ReviewReplyFactory(review=review)
        ReviewFactory(therapist=other, author=review.author, rescored=False)
    for _ in range(5):
        CredentialFactory(therapist=therapist, document=ContentFile(b"%PDF-1.4\n" + b"x" * 1_000_000, name="d.pdf"))
    for _ in range(50):
        AppointmentRequestFactory(therapist=therapist, state="declined", decline_reason="Away.")

    request = DataExport.objects.create(user=therapist.user)
    started = time.perf_counter()
    built = export.build_export(export_id=request.pk)
    build_seconds = time.perf_counter() - started
    size = storages["private"].size(built.archive)
    print(f"archive: {reviews} reviews, 5 x 1 MB documents, 50 requests: {build_seconds:.2f} s, {size / 1e6:.1f} MB")

    client = other.reviews.first().author
    started = time.perf_counter()
    with transaction.atomic():
        erase_account(user=client, keep_reviews=True)
    print(f"erase a client (2 reviews kept anonymised, 2 therapists rescored): {time.perf_counter() - started:.2f} s")

    started = time.perf_counter()
    with transaction.atomic():
        erase_account(user=therapist.user, keep_reviews=False)
    print(f"erase the therapist ({reviews} reviews of the profile, replies, credentials): "
          f"{time.perf_counter() - started:.2f} s")  # fmt: skip
