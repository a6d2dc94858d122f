"""Writes a therapist makes to their own profile and photo (the dashboard's services).

Credentials have their own state machine in therapists/credentials.py.

Each locks the row it changes, so a double click or two open tabs queue instead of interleaving,
calls recompute_score in the same transaction whenever what counts toward the score changed, and
drops the cached visitor pages after commit whenever what visitors see changed.
"""

import itertools
import uuid
import zoneinfo
from datetime import time

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.text import get_text_list, slugify

from directory.lib.cache import invalidate_public_pages_on_commit, invalidate_therapist_pages_on_commit
from therapists.images import ProcessedPhoto
from therapists.models import OpeningHours, Therapist
from therapists.scores import recompute_score

# What a therapist edits, in the order the form shows it: ProfileForm.Meta.fields is this list.
PROFILE_FIELDS = [
    "display_name",
    "headline",
    "bio",
    "city",
    "postcode",
    "country",
    "practising_since",
    "modalities",
    "needs",
    "languages",
    "price_from",
    "price_to",
    "currency",
    "accepts_new_clients",
    "phone",
    "contact_email",
    "website",
]
PROFILE_RELATIONS = ["modalities", "needs", "languages"]
# Set by the form from the city and country, never typed in (the time zone can be changed on the
# opening hours page, set_opening_hours).
GEOCODED_FIELDS = ["latitude", "longitude", "time_zone"]


def _unique_slug(display_name: str) -> str:
    base = slugify(display_name)[:70].strip("-") or "therapist"
    slug, suffix = base, 2
    while Therapist.objects.filter(slug=slug).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


def delete_files_after_commit(storage, names: list[str]) -> None:
    """Delete replaced files only once the new names are committed: a rollback keeps the old ones."""
    names = [name for name in names if name]
    if not names:
        return

    def delete():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


@transaction.atomic
def create_profile(*, user, display_name: str) -> Therapist:
    """Create the user's one therapist profile, as a draft."""
    if not user.has_confirmed_address():
        raise ValidationError("Confirm your email address before you create a therapist profile.")
    if Therapist.objects.owned_by(user).exists():
        raise ValidationError("You already have a therapist profile.")
    try:
        # A savepoint, so a lost race (a second tab, or a slug taken a moment ago) is a message, not a 500.
        with transaction.atomic():
            therapist = Therapist.objects.create(
                user=user, slug=_unique_slug(display_name), display_name=display_name, status=Therapist.Status.DRAFT
            )
    except IntegrityError:
        raise ValidationError("Your profile could not be created just now; please try again.") from None
    return recompute_score(therapist_id=therapist.pk)


@transaction.atomic
def update_profile(*, therapist: Therapist, data: dict) -> Therapist:
    """Save the profile fields present in `data`; a published profile must stay complete."""
    therapist = Therapist.objects.select_for_update().get(pk=therapist.pk)
    for field in [*PROFILE_FIELDS, *GEOCODED_FIELDS]:
        if field in data and field not in PROFILE_RELATIONS:
            setattr(therapist, field, data[field])
    therapist.save()
    for relation in PROFILE_RELATIONS:
        if relation in data:
            getattr(therapist, relation).set(data[relation])
    missing = therapist.list_missing_for_publication()
    if therapist.is_published and missing:
        raise ValidationError(
            f"A published profile needs {get_text_list(missing, 'and')}. Add it back, or unpublish the profile first."
        )
    invalidate_therapist_pages_on_commit(therapist.slug)
    return recompute_score(therapist_id=therapist.pk)


@transaction.atomic
def set_opening_hours(
    *,
    therapist: Therapist,
    rows: list[tuple[int, time, time]],
    accepts_appointment_requests: bool,
    appointment_minutes: int,
    time_zone: str,
) -> Therapist:
    """Replace the week's opening hours and the request settings in one go.

    rows are (weekday, opens_at, closes_at) in the therapist's local time; ranges of one day must not
    overlap. Already booked appointments keep their times: hours only bound new requests.
    """
    therapist = Therapist.objects.select_for_update().get(pk=therapist.pk)
    if time_zone and time_zone not in zoneinfo.available_timezones():
        raise ValidationError("Choose a time zone from the list.")
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, opens_at, closes_at in rows:
        if closes_at <= opens_at:
            raise ValidationError("Each closing time must be after its opening time.")
        by_day.setdefault(weekday, []).append((opens_at, closes_at))
    for ranges in by_day.values():
        ranges.sort()
        if any(later[0] < earlier[1] for earlier, later in itertools.pairwise(ranges)):
            raise ValidationError("Two opening ranges of one day overlap.")
    if accepts_appointment_requests and not rows:
        raise ValidationError("Add your opening hours before you take requests.")
    therapist.opening_hours.all().delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(therapist=therapist, weekday=weekday, opens_at=opens_at, closes_at=closes_at)
        for weekday, opens_at, closes_at in rows
    )
    therapist.accepts_appointment_requests = accepts_appointment_requests
    therapist.appointment_minutes = appointment_minutes
    therapist.time_zone = time_zone
    therapist.save(update_fields=["accepts_appointment_requests", "appointment_minutes", "time_zone", "updated_at"])
    # The profile and the API detail show the hours (the search card is cached by its content).
    invalidate_therapist_pages_on_commit(therapist.slug)
    return therapist


@transaction.atomic
def publish_profile(*, therapist: Therapist) -> Therapist:
    therapist = Therapist.objects.select_for_update().select_related("user").get(pk=therapist.pk)
    if therapist.status == Therapist.Status.SUSPENDED:
        reason = f" Reason: {therapist.suspended_reason}" if therapist.suspended_reason else ""
        raise ValidationError(
            f"Your profile is suspended by our moderators and cannot be published.{reason} "
            "Contact us if you think this is a mistake."
        )
    if not therapist.user.has_confirmed_address():
        raise ValidationError("Confirm your email address before you publish your profile.")
    missing = therapist.list_missing_for_publication()
    if missing:
        raise ValidationError(f"Before publishing, add {get_text_list(missing, 'and')}.")
    if therapist.status == Therapist.Status.PUBLISHED:
        return therapist
    therapist.status = Therapist.Status.PUBLISHED
    therapist.save(update_fields=["status", "updated_at"])
    invalidate_public_pages_on_commit()
    return therapist


@transaction.atomic
def unpublish_profile(*, therapist: Therapist) -> Therapist:
    therapist = Therapist.objects.select_for_update().get(pk=therapist.pk)
    if therapist.status != Therapist.Status.PUBLISHED:
        raise ValidationError("Only a published profile can be unpublished.")
    therapist.status = Therapist.Status.DRAFT
    therapist.save(update_fields=["status", "updated_at"])
    invalidate_public_pages_on_commit()
    return therapist


@transaction.atomic
def replace_photo(*, therapist: Therapist, photo: ProcessedPhoto) -> Therapist:
    """Store the re-encoded photo under new server-made names; the old files go after commit."""
    therapist = Therapist.objects.select_for_update().get(pk=therapist.pk)
    old_names = [therapist.photo.name, therapist.photo_thumbnail.name]
    token = uuid.uuid4().hex
    try:
        therapist.photo.save(f"{token}.jpg", ContentFile(photo.profile), save=False)
        therapist.photo_thumbnail.save(f"{token}-thumb.jpg", ContentFile(photo.thumbnail), save=False)
        therapist.save(update_fields=["photo", "photo_thumbnail", "updated_at"])
    except Exception:
        # Nothing half-saved: the row still names the old files, so drop whichever new file was written.
        for field in (therapist.photo, therapist.photo_thumbnail):
            if field.name and field.name not in old_names:
                field.storage.delete(field.name)
        raise
    delete_files_after_commit(therapist.photo.storage, old_names)
    invalidate_therapist_pages_on_commit(therapist.slug)
    return therapist
