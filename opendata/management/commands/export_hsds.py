import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opendata.export import publish_export, write_export
from therapists.management.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Write the published directory as HSDS 3.0 JSON to OUTPUT (a directory, or a .zip archive), "
        "or with --publish as the daily download on /open-data/."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", nargs="?", type=Path, help="A directory, or a file ending in .zip.")
        parser.add_argument(
            "--publish", action="store_true", help="Publish to the open-data storage (the daily scheduled export)."
        )

    def handle(self, *args, output, publish, **options):
        if publish == (output is not None):
            raise CommandError("Give either OUTPUT or --publish.")
        if output is not None and output.exists() and output.suffix != ".zip" and not output.is_dir():
            raise CommandError(f"{output} exists and is not a directory; give a directory or a .zip path.")
        started = time.monotonic()
        progress = ProgressBar()
        summary = publish_export(progress=progress) if publish else write_export(output, progress=progress)
        where = f"the open-data storage as {summary.archive}" if publish else str(output)
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {summary.organizations:,} organizations, {summary.services:,} services and "
                f"{summary.taxonomy_terms} taxonomy terms to {where} in {time.monotonic() - started:.1f} s."
            )
        )
