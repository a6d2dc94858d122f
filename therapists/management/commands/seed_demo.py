import time

from django.core.management.base import BaseCommand, CommandError

from therapists.demo import DEMO_MODERATOR_EMAIL, DEMO_PASSWORD, seed_demo
from therapists.management.progress import ProgressBar
from therapists.models import Therapist


class Command(BaseCommand):
    help = "Add realistic demo therapists, credentials and reviews (bulk inserts; safe on existing data)."

    def add_arguments(self, parser):
        parser.add_argument("--therapists", type=int, default=300)
        parser.add_argument("--reviews", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data on an empty database.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database already has therapists."
        )

    def handle(self, *args, therapists, reviews, seed, if_empty, **options):
        if therapists < 0 or reviews < 0:
            raise CommandError("--therapists and --reviews must be zero or more.")
        if reviews and not therapists:
            raise CommandError("Reviews need therapists: give --therapists too.")
        if if_empty and Therapist.objects.exists():
            self.stdout.write("The database already has therapists; not seeding.")
            return
        started = time.monotonic()
        result = seed_demo(therapists=therapists, reviews=reviews, seed=seed, progress=ProgressBar())
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.therapists:,} therapists, {result.credentials:,} credentials, "
                f"{result.reviews:,} reviews by {result.clients:,} clients in {elapsed:.1f} s."
            )
        )
        self.stdout.write(f"Demo moderator: {DEMO_MODERATOR_EMAIL} / {DEMO_PASSWORD}")
        if result.demo_therapist_email:
            self.stdout.write(f"Demo therapist: {result.demo_therapist_email} / {DEMO_PASSWORD}")
        if result.demo_client_email:
            self.stdout.write(f"Demo client:    {result.demo_client_email} / {DEMO_PASSWORD}")
