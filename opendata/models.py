"""The way back from a published HSDS id to our rows.

HSDS ids are uuid5 hashes of our primary keys (opendata/hsds.py), which cannot be reversed, so
`/api/hsds/services/{id}` needs a table. Every id is recorded when it is first published (by the
API page that shows it, or by the export), so every id a consumer has seen resolves.
"""

from collections.abc import Iterable

from django.db import models

from therapists.models import Modality, Therapist


class PublishedIdentifierQuerySet(models.QuerySet):
    def remember(self, identifiers: Iterable["PublishedIdentifier"]) -> None:
        """Record ids not recorded yet. Two requests recording the same id at once are harmless:
        the id is the primary key and derived from the row, so the second insert is the same row."""
        self.bulk_create(identifiers, ignore_conflicts=True, batch_size=2000)


class PublishedIdentifier(models.Model):
    class Kind(models.TextChoices):
        ORGANIZATION = "organization", "Organization"
        SERVICE = "service", "Service"
        SERVICE_AT_LOCATION = "service_at_location", "Service at location"

    uuid = models.UUIDField(primary_key=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="+")
    # The massage type of a service; none for an organization.
    modality = models.ForeignKey(Modality, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    objects = PublishedIdentifierQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["therapist", "kind"], name="published_id_therapist_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["organization", "service", "service_at_location"]),
                name="published_id_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="organization", modality__isnull=True)
                | (~models.Q(kind="organization") & models.Q(modality__isnull=False)),
                name="published_id_modality_iff_service",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.uuid}"
