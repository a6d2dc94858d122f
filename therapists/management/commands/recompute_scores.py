import time

from django.core.management.base import BaseCommand

from therapists.management.progress import ProgressBar
from therapists.scores import recompute_scores


class Command(BaseCommand):
    help = "Recompute every therapist's score set-wise; repairs denormalised fields that drifted."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, batch_size, **options):
        bar = ProgressBar()
        started = time.monotonic()
        changed = recompute_scores(batch_size=batch_size, progress=lambda done, total: bar("scores", done, total))
        self.stdout.write(f"{changed} scores changed in {time.monotonic() - started:.1f} s.")
