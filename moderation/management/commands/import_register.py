import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from moderation.services import recheck_licences
from registers.adapters import RegisterFileError
from registers.importing import import_register
from registers.models import Register


class Command(BaseCommand):
    # Here, not in the registers app: after the import it re-checks the verified licences of that
    # register, which is moderation's work (registers sits below therapists and knows no credential).
    help = (
        "Import a licensing board's register file (all or nothing), print what changed, then re-check the "
        "verified licences in that register: import_register REGISTER FILE, REGISTER being the register's slug."
    )

    def add_arguments(self, parser):
        parser.add_argument("register", help="The register's slug (see the admin's Registers page).")
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Read and count everything, then roll back.")
        parser.add_argument("--no-recheck", action="store_true", help="Do not re-check the licences afterwards.")

    def handle(self, *args, register, file, dry_run, no_recheck, **options):
        found = Register.objects.filter(slug=register).first()
        if found is None:
            known = ", ".join(Register.objects.values_list("slug", flat=True)) or "none yet (add one in the admin)"
            raise CommandError(f"Unknown register {register!r}. Known registers: {known}.")
        started = time.monotonic()
        try:
            record = import_register(register=found, path=file, progress=self.progress, dry_run=dry_run)
        except RegisterFileError as error:
            raise CommandError(str(error)) from None
        seconds = time.monotonic() - started
        heading = "Dry run, nothing was changed" if dry_run else "Imported"
        self.stdout.write(
            f"{heading}: {found.name}, {record.lines_read:,} lines of {record.file_name} in {seconds:,.1f} s"
        )
        for label, value, note in (
            ("added", record.added, ""),
            ("changed", record.changed, ""),
            ("unchanged", record.unchanged, ""),
            ("gone", record.gone, " (no longer in the file)"),
            ("skipped", record.skipped, " (licence types this register does not import)"),
            ("refused", record.refused, ""),
        ):
            self.stdout.write(f"  {label:<10}{value:>10,}{note}")
        for line, reason in record.refused_rows:
            self.stdout.write(f"    line {line}: {reason}")
        if record.refused > len(record.refused_rows):
            self.stdout.write(f"    … and {record.refused - len(record.refused_rows):,} more")
        if not dry_run and not no_recheck:
            write_recheck(self.stdout, recheck_licences(register=found))

    def progress(self, done: int, total: int) -> None:
        # Bytes, not rows: the row count of a streamed file is unknown until its end.
        if not sys.stderr.isatty():
            return
        percent = 100 * done // total if total else 100
        bar = "#" * (percent // 4)
        sys.stderr.write(f"\rReading [{bar:<25}] {percent:>3}% of {total / 2**20:,.0f} MB")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def write_recheck(stdout, outcomes: dict[str, int]) -> None:
    labels = {
        "confirmed": "confirmed",
        "expiry_updated": "expiry date updated",
        "requeued": "back to the moderators' queue",
        "revoked": "revoked (the register says so)",
        "changed_meanwhile": "decided by a moderator meanwhile",
    }
    stdout.write(f"Verified licences re-checked: {sum(outcomes.values()):,}")
    for key, label in labels.items():
        stdout.write(f"  {outcomes[key]:>8,} {label}")
