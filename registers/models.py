"""Licensing registers: the boards' own lists of who holds a licence, imported from their files.

A Register is one board's list (its lookup and complaint pages, the file format it is imported
with); a RegisterEntry is one licence as the file states it. Entries are keyed by (register,
number), the number normalised the way the register writes it (see `Register.normalise_number`),
so a re-import updates in place and a licence that vanishes from the file is marked gone, not
deleted: the daily re-check must be able to say "no longer in the register".
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

# What a column mapping (Register.settings["columns"] of a CSV register) may name.
MAPPABLE_FIELDS = ("number", "name", "licence_type", "status", "expires_on", "discipline")
REQUIRED_MAPPED_FIELDS = ("number", "name")
_NUMBER_NOISE = re.compile(r"[\s\-./]+")
_DIGIT_RUN = re.compile(r"\d+")


class RegisterQuerySet(models.QuerySet):
    def imported(self):
        """Registers with at least one import: the only ones a therapist can choose."""
        return self.filter(last_imported_at__isnull=False)


class Register(models.Model):
    class Format(models.TextChoices):
        TEXAS_TDLR = "texas_tdlr", "Texas TDLR licence file (19 columns)"
        CSV = "csv", "CSV with a column mapping"

    class LeadingZeros(models.TextChoices):
        KEEP = "keep", "Keep them as written"
        STRIP = "strip", "Strip them"
        PAD = "pad", "Pad the number to a fixed width"

    slug = models.SlugField(max_length=60, unique=True, help_text="The name import_register is given.")
    name = models.CharField(max_length=160, help_text="Shown to clients: 'Checked against <name>'.")
    board = models.CharField(max_length=160, help_text="The licensing board that publishes the register.")
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. US.")
    region = models.CharField(max_length=80, blank=True, help_text="State or region, e.g. Texas.")
    lookup_url = models.URLField(
        max_length=300, blank=True, help_text="The board's public licence lookup. {number} is replaced by the number."
    )
    complaints_url = models.URLField(max_length=300, blank=True, help_text="Where the public files a complaint.")
    format = models.CharField(max_length=12, choices=Format.choices)
    leading_zeros = models.CharField(max_length=5, choices=LeadingZeros.choices, default=LeadingZeros.KEEP)
    number_width = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="With 'pad': the digits of a number are zero-padded to this width."
    )
    settings = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            'CSV registers: {"columns": {"number": "...", "name": "..." or ["First", "Last"], "licence_type": "...", '
            '"status": "...", "expires_on": "...", "discipline": "..."}, "date_format": "%Y-%m-%d", '
            '"encoding": "utf-8", "delimiter": ","}. Any register: "licence_types": [...] imports only those types.'
        ),
    )
    last_imported_at = models.DateTimeField(null=True, blank=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(format__in=["texas_tdlr", "csv"]), name="register_format_valid"),
            models.CheckConstraint(
                condition=~Q(leading_zeros="pad") | Q(number_width__gte=1), name="register_pad_needs_width"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.leading_zeros == self.LeadingZeros.PAD and not self.number_width:
            raise ValidationError({"number_width": "Padding needs the width the register writes its numbers with."})
        if not isinstance(self.settings, dict):
            raise ValidationError({"settings": "The settings must be a JSON object."})
        if self.format == self.Format.CSV:
            columns = self.settings.get("columns")
            if not isinstance(columns, dict):
                raise ValidationError({"settings": 'A CSV register needs a "columns" mapping.'})
            unknown = sorted(set(columns) - set(MAPPABLE_FIELDS))
            if unknown:
                raise ValidationError(
                    {"settings": f"Unknown fields in the column mapping: {', '.join(unknown)}. "
                     f"Allowed: {', '.join(MAPPABLE_FIELDS)}."}
                )
            missing = [field for field in REQUIRED_MAPPED_FIELDS if not columns.get(field)]
            if missing:
                raise ValidationError({"settings": f"The column mapping must name: {', '.join(missing)}."})

    def normalise_number(self, raw: str) -> str:
        """The licence number as this register writes it: upper case, no spaces or dashes, and its
        leading zeros kept, stripped or padded. The same function reads the file and the therapist's
        form, so "mt 012345" and "MT-12345" find the same entry only where the register says they are one."""
        number = _NUMBER_NOISE.sub("", (raw or "").strip().upper())
        if self.leading_zeros == self.LeadingZeros.STRIP:
            number = _DIGIT_RUN.sub(lambda digits: digits.group().lstrip("0") or "0", number, count=1)
        elif self.leading_zeros == self.LeadingZeros.PAD and self.number_width:
            number = _DIGIT_RUN.sub(lambda digits: digits.group().zfill(self.number_width), number, count=1)
        return number

    def lookup_url_for(self, number: str) -> str:
        return self.lookup_url.replace("{number}", number) if self.lookup_url else ""

    @property
    def licence_types(self) -> list[str]:
        return [str(kind) for kind in self.settings.get("licence_types") or []]


class RegisterEntryQuerySet(models.QuerySet):
    def listed(self):
        """Entries present in the register's latest import."""
        return self.filter(gone_at__isnull=True)


class RegisterEntry(models.Model):
    """One licence as the register's file states it; `raw` keeps the row exactly as it was read."""

    class Status(models.TextChoices):
        ACTIVE = "active", "active"
        EXPIRED = "expired", "expired"
        INACTIVE = "inactive", "inactive"
        SUSPENDED = "suspended", "suspended"
        REVOKED = "revoked", "revoked"
        OTHER = "other", "other"

    # No index of its own: the unique (register, number) index starts with it, and one index less is
    # one less to maintain for each of the hundreds of thousands of rows an import writes.
    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="entries", db_index=False)
    number = models.CharField(max_length=40, help_text="Normalised by Register.normalise_number.")
    name = models.CharField(max_length=200)
    licence_type = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    status_text = models.CharField(max_length=80, blank=True, help_text="The register's own word for the status.")
    expires_on = models.DateField(null=True, blank=True)
    has_discipline = models.BooleanField(default=False)
    discipline = models.TextField(blank=True, help_text="The register's wording of a disciplinary action.")
    raw = models.JSONField(default=dict, help_text="The row as read: its cells, or {column: cell} for a CSV register.")
    # A digest of the fields above: an import compares it to tell changed rows from unchanged ones in SQL.
    row_hash = models.CharField(max_length=32)
    first_seen_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)
    gone_at = models.DateTimeField(null=True, blank=True, help_text="Set when an import no longer lists it.")

    objects = RegisterEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "register entries"
        ordering = ["register", "number"]
        constraints = [
            models.UniqueConstraint(fields=["register", "number"], name="register_entry_unique_number"),
            models.CheckConstraint(
                condition=Q(status__in=["active", "expired", "inactive", "suspended", "revoked", "other"]),
                name="register_entry_status_valid",
            ),
            models.CheckConstraint(condition=~Q(number=""), name="register_entry_number_present"),
        ]

    def __str__(self):
        return f"{self.number} {self.name} ({self.register})"

    def standing(self, today: date | None = None) -> str:
        """The status as of today: an 'active' licence past its expiry date is expired, whatever the file said."""
        today = today or timezone.localdate()
        if self.status == self.Status.ACTIVE and self.expires_on and self.expires_on < today:
            return self.Status.EXPIRED
        return self.status


class RegisterImport(models.Model):
    """One run of import_register: its counts, how far it got and, if it failed, why."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed, nothing imported"
        DRY_RUN = "dry_run", "Dry run, nothing imported"

    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="imports")
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    lines_read = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    gone = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0, help_text="Rows of licence types the register does not import.")
    refused = models.PositiveIntegerField(default=0)
    refused_rows = models.JSONField(default=list, help_text="[line, reason] of the first refused rows.")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"{self.register} import of {self.started_at:%Y-%m-%d %H:%M} ({self.get_outcome_display()})"
