"""Query count and render time of the pages issue 16 changed: the profile, and the requests inbox at 200 pending.

    python bench/appointments_pages.py                 # a scratch SQLite file, seeded with seed_demo 300/3000
    DATABASE_URL=postgres://… python bench/appointments_pages.py

Renders through Django's test client (no network, no page cache: the client is logged in, as a
visitor's cached page would measure the cache), 50 times after 5 warm-up renders, and prints the
median. The profile is the published demo therapist with the most reviews, with opening hours
(given them when the demo did not), so "before" (main without issue 16) and "after" measure the same page.
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RUNS, WARM_UP = 50, 5


def main() -> None:
    if not os.environ.get("DATABASE_URL"):
        scratch = Path(tempfile.mkdtemp(prefix="appointments-bench-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from therapists.models import Therapist

    call_command("migrate", verbosity=0)
    if not Therapist.objects.exists():
        call_command("seed_demo", therapists=300, reviews=3000, seed=1, verbosity=0)
    therapist = Therapist.objects.published().order_by("-review_count", "pk").first()
    has_hours = hasattr(Therapist, "opening_hours")
    if has_hours and not therapist.opening_hours.exists():
        from therapists.models import OpeningHours

        OpeningHours.objects.bulk_create(
            OpeningHours(therapist=therapist, weekday=day, opens_at="09:00", closes_at="18:00") for day in range(6)
        )
    if has_hours:
        Therapist.objects.filter(pk=therapist.pk).update(accepts_appointment_requests=True)
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.exclude(therapist__isnull=False).order_by("pk").first())

    def measure(path: str) -> tuple[int, float]:
        for _ in range(WARM_UP):
            client.get(path)
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        return len(queries), statistics.median(timings)

    rows = [("profile " + therapist.get_absolute_url(), *measure(therapist.get_absolute_url()))]
    if has_hours:
        rows.append(inbox_at_200_pending(client, measure))
    print(f"{'page':60} {'queries':>8} {'median ms':>10}")
    for name, queries, median in rows:
        print(f"{name:60} {queries:8d} {median:10.1f}")


def inbox_at_200_pending(client, measure) -> tuple[str, int, float]:
    from django.utils import timezone

    from appointments.models import AppointmentRequest, HealthAnswers, ProposedTime
    from tests.factories import TherapistFactory, UserFactory, in_days

    therapist = TherapistFactory(bookable=True, slug="bench-inbox")
    clients = UserFactory.create_batch(200)
    requests = AppointmentRequest.objects.bulk_create(
        AppointmentRequest(
            client=user, therapist=therapist, modality=therapist.modalities.first(), message="Tense shoulders.",
            created_at=timezone.now() - timedelta(minutes=index),
        )
        for index, user in enumerate(clients)
    )
    ProposedTime.objects.bulk_create(
        ProposedTime(request=request, starts_at=in_days(2 + index % 50, 9 + times), proposed_by="client")
        for index, request in enumerate(requests)
        for times in range(1 + index % 3)
    )
    HealthAnswers.objects.bulk_create(
        HealthAnswers(
            request=request, spine_tumour=False, skin_condition=index % 7 == 0, acute_back_pain=index % 5 == 0,
            chronic_illness=False,
        )
        for index, request in enumerate(requests)
    )
    client.force_login(therapist.user)
    return ("inbox /dashboard/requests/ (200 pending, 20 a page)", *measure("/dashboard/requests/"))


if __name__ == "__main__":
    main()
