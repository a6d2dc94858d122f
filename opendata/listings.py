"""Reads for the HSDS output: published therapists as hsds.Listing rows, five queries per batch.

Plain value rows, not model instances: the export reads 100,000 therapists and their 300,000
massage types, and building model instances and prefetch caches for them would cost most of its
time budget (bench/RESULTS.md).
"""

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db.models import Max
from django.urls import reverse

from opendata.hsds import Credential as PublicCredential
from opendata.hsds import Listing, Term, Vocabulary
from therapists.models import Credential, Language, Modality, Need, Therapist

LISTING_FIELDS = (
    "pk", "slug", "display_name", "headline", "bio", "city", "postcode", "country", "latitude", "longitude",
    "phone", "contact_email", "website", "price_from", "price_to", "currency", "updated_at",
)  # fmt: skip
SLUG_PLACEHOLDER = "slug-placeholder"


def vocabulary() -> Vocabulary:
    modalities = {
        pk: Term("modality", pk, slug, name, description)
        for pk, slug, name, description in Modality.objects.values_list("pk", "slug", "name", "description")
    }
    needs = {
        pk: Term("need", pk, slug, name, description)
        for pk, slug, name, description in Need.objects.values_list("pk", "slug", "name", "description")
    }
    languages = {pk: (code, name) for pk, code, name in Language.objects.values_list("pk", "code", "name")}
    profile_path = reverse("therapists:profile", kwargs={"slug": SLUG_PLACEHOLDER})
    return Vocabulary(
        modalities=modalities,
        needs=needs,
        languages=languages,
        site_url=settings.SITE_URL,
        profile_path=profile_path.replace(SLUG_PLACEHOLDER, "{slug}"),
        search_path=reverse("therapists:search"),
        open_data_path=reverse("opendata:page"),
    )


def listings(therapist_ids: list[int], today: date | None = None) -> dict[int, Listing]:
    """The published therapists among `therapist_ids`, by pk. Drafts and suspended profiles are not
    there, whatever the caller passes."""
    rows = Therapist.objects.published().filter(pk__in=therapist_ids).values_list(*LISTING_FIELDS)
    found = {row[0]: Listing(*row) for row in rows}
    if not found:
        return found
    ids = list(found)
    # Ordered, so the services of a practice come in the same order in every answer and export.
    for therapist_id, modality_id in (
        Therapist.modalities.through.objects.filter(therapist_id__in=ids)
        .order_by("therapist_id", "modality_id")
        .values_list("therapist_id", "modality_id")
    ):
        found[therapist_id].modality_ids.append(modality_id)
    for therapist_id, need_id in (
        Therapist.needs.through.objects.filter(therapist_id__in=ids)
        .order_by("therapist_id", "need_id")
        .values_list("therapist_id", "need_id")
    ):
        found[therapist_id].need_ids.append(need_id)
    for therapist_id, language_id in (
        Therapist.languages.through.objects.filter(therapist_id__in=ids)
        .order_by("therapist_id", "language_id")
        .values_list("therapist_id", "language_id")
    ):
        found[therapist_id].language_ids.append(language_id)
    current = defaultdict(list)
    # Only verified, unexpired credentials are facts we vouch for; their documents never leave us.
    for therapist_id, *values in (
        Credential.objects.current(today)
        .filter(therapist_id__in=ids)
        .order_by("therapist_id", "kind", "-issued_on", "pk")
        .values_list("therapist_id", "kind", "title", "issuer", "number", "expires_on", "decided_at")
    ):
        current[therapist_id].append(PublicCredential(*values))
    for therapist_id, credentials in current.items():
        found[therapist_id].credentials = credentials
    for therapist_id, changed_at in (
        Credential.objects.filter(therapist_id__in=ids)
        .exclude(status=Credential.Status.PENDING)
        .order_by()
        .values("therapist_id")
        .annotate(changed_at=Max("updated_at"))
        .values_list("therapist_id", "changed_at")
    ):
        found[therapist_id].credentials_changed_at = changed_at
    return found
