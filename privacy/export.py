"""What a person's archive holds: data.json, a readable summary.html, and their files (documents/, photo).

Every row is read *through the person* (their account, the reviews they wrote, the profile they own,
the requests they sent or received), never by a bare id, and of a row that involves someone else
only the person's own side: a client sees the therapist's public name, not their account; a
therapist sees what their request inbox shows (the client's name, message and safety answers, which
the client sent to them), never the client's email address or other requests; no moderator is
named, and nobody else's review, flag or document is read at all.
"""

import json
import logging
import secrets
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from appointments.models import Appointment, AppointmentRequest, HealthAnswers
from moderation.models import Decision
from outbox.models import Email
from outbox.services import queue_email
from privacy.models import EXPORT_LINK_VALID, DataExport
from reviews.models import Review, ReviewFlag, ReviewReply, ReviewReplyFlag
from therapists.models import Credential, Therapist
from therapists.services import delete_files_after_commit

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
# Inside the private storage; every archive there is named in a DataExport row (or is swept away).
ARCHIVE_FOLDER = "exports"
# A pending request older than this is given up as failed rather than built again and again.
EXPORT_GIVE_UP_AFTER = timedelta(days=1)

README = """This archive holds the data Qualified Touch keeps about your account, as of {generated_at}.

data.json     everything, machine-readable (UTF-8 JSON; dates in ISO 8601, UTC)
summary.html  the same, to read in a browser (it loads nothing from the internet)
documents/    the documents you uploaded with your credentials, as you sent them
photo/        your profile photo, if you have one

Questions: see {privacy_url}
"""


def _when(value):
    return value.isoformat() if value else None


def _health_answers(answers: HealthAnswers | None) -> dict | None:
    if answers is None:
        return None
    return {question: getattr(answers, field) for field, question in HealthAnswers.QUESTIONS.items()}


def _account(user: User) -> dict:
    return {
        "email": user.email,
        "name": user.name,
        "name_shown_with_reviews_by_default": user.public_name,
        "joined_at": _when(user.date_joined),
        "last_login_at": _when(user.last_login),
        "is_moderator": user.is_moderator,
    }


def _addresses(user: User) -> list[dict]:
    return [
        {"email": address.email, "confirmed": address.verified, "primary": address.primary}
        for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    ]


def _reviews_written(user: User) -> list[dict]:
    reviews = Review.objects.filter(author=user).select_related("therapist", "modality").order_by("created_at", "pk")
    return [
        {
            "id": review.pk,
            "therapist": review.therapist.display_name,
            "therapist_profile": review.therapist.get_absolute_url(),
            "status": review.status,
            "rating": review.rating,
            "title": review.title,
            "body": review.body,
            "shown_as": review.author_display_name,
            "massage_type": review.modality.name if review.modality else None,
            "visit_date": _when(review.visit_date),
            "consultation_given": review.consultation_given,
            "unwanted_effects": review.unwanted_effects,
            "aftercare_given": review.aftercare_given,
            "verified_visit": review.is_verified_visit,
            "hidden_reason": review.hidden_reason,
            "written_at": _when(review.created_at),
            "edited_at": _when(review.edited_at),
            "removed_at": _when(review.removed_at),
        }
        for review in reviews
    ]


def _flags(user: User) -> list[dict]:
    flags = ReviewFlag.objects.filter(user=user).select_related("review__therapist").order_by("created_at", "pk")
    return [
        {
            # The flagged review is someone else's: only which one, never its words or author.
            "review_id": flag.review_id,
            "therapist": flag.review.therapist.display_name,
            "reason": flag.get_reason_display(),
            "note": flag.note,
            "resolution": flag.get_resolution_display(),
            "flagged_at": _when(flag.created_at),
            "resolved_at": _when(flag.resolved_at),
        }
        for flag in flags
    ]


def _reply_flags(user: User) -> list[dict]:
    flags = ReviewReplyFlag.objects.filter(user=user).select_related("reply__review__therapist")
    flags = flags.order_by("created_at", "pk")
    return [
        {
            # The reported reply is the therapist's: which one, never its words.
            "review_id": flag.reply.review_id,
            "therapist": flag.reply.review.therapist.display_name,
            "reason": flag.get_reason_display(),
            "note": flag.note,
            "resolution": flag.get_resolution_display(),
            "flagged_at": _when(flag.created_at),
            "resolved_at": _when(flag.resolved_at),
        }
        for flag in flags
    ]


def _request(request: AppointmentRequest, *, side: str) -> dict:
    row = {
        "id": request.pk,
        "massage_type": request.modality.name,
        "message": request.message,
        "state": request.get_state_display(),
        "proposed_times": [
            {"starts_at": _when(time.starts_at), "proposed_by": time.proposed_by}
            for time in request.proposed_times.all()
        ],
        "decline_reason": request.decline_reason,
        "sent_at": _when(request.created_at),
        "closed_at": _when(request.closed_at),
        # Erased HEALTH_ANSWERS_KEPT after the visit; None once gone (or never given).
        "safety_answers": _health_answers(getattr(request, "health_answers", None)),
    }
    if side == "client":
        row["therapist"] = request.therapist.display_name
    else:
        row["client"] = request.client.name or "A client"
    return row


def _appointment(appointment: Appointment, *, side: str) -> dict:
    row = {
        "id": appointment.pk,
        "request_id": appointment.request_id,
        "massage_type": appointment.modality.name,
        "starts_at": _when(appointment.starts_at),
        "ends_at": _when(appointment.ends_at),
        "state": appointment.get_state_display(),
        "cancel_reason": appointment.cancel_reason,
        "review_invitation_sent_at": _when(appointment.invited_at),
    }
    if side == "client":
        row["therapist"] = appointment.therapist.display_name
    else:
        row["client"] = appointment.client.name or "A client"
    return row


def _decisions(decisions) -> list[dict]:
    return [
        {
            "action": decision.get_action_display(),
            "object": decision.target_type,
            "object_id": decision.target_id,
            "reason": decision.reason,
            "before": decision.before,
            "after": decision.after,
            "at": _when(decision.created_at),
        }
        for decision in decisions.order_by("created_at", "pk")
    ]


def _emails(user: User, addresses: list[str]) -> list[dict]:
    to_person = Q(pk__in=[])
    for address in addresses:
        to_person |= Q(to__iexact=address)
    return [
        {
            "to": email.to,
            "subject": email.subject,
            "about": email.kind,
            "status": email.get_status_display(),
            "queued_at": _when(email.created_at),
            "sent_at": _when(email.sent_at),
        }
        for email in Email.objects.filter(to_person).order_by("created_at", "pk")
    ]


def _profile(therapist: Therapist) -> dict:
    fields = [
        "slug", "display_name", "headline", "bio", "city", "postcode", "country", "latitude", "longitude",
        "practising_since", "price_from", "price_to", "currency", "accepts_new_clients",
        "accepts_appointment_requests", "appointment_minutes", "time_zone", "phone", "contact_email", "website",
        "status", "suspended_reason", "score", "score_breakdown", "rating_avg", "rating_weighted", "review_count",
        "has_verified_licence", "created_at", "updated_at",
    ]  # fmt: skip
    profile = {field: getattr(therapist, field) for field in fields}
    profile["profile_url"] = therapist.get_absolute_url()
    profile.update(therapist.offered_names())
    profile["opening_hours"] = [
        {"weekday": hours.get_weekday_display(), "opens_at": _when(hours.opens_at), "closes_at": _when(hours.closes_at)}
        for hours in therapist.opening_hours.all()
    ]
    profile["score_history"] = [
        {"day": _when(snapshot.day), "score": snapshot.score, "points": snapshot.points}
        for snapshot in therapist.score_history.order_by("day")
    ]
    return profile


def _document_path(credential: Credential) -> str:
    suffix = PurePosixPath(credential.document.name).suffix.lower()
    return f"documents/credential-{credential.pk}{suffix}"


def _credentials(therapist: Therapist) -> list[dict]:
    return [
        {
            "id": credential.pk,
            "kind": credential.get_kind_display(),
            "title": credential.title,
            "issuer": credential.issuer,
            "number": credential.number,
            "massage_type": credential.modality.name if credential.modality else None,
            "issued_on": _when(credential.issued_on),
            "expires_on": _when(credential.expires_on),
            "status": credential.get_status_display(),
            "decision_reason": credential.decision_reason,
            "decided_at": _when(credential.decided_at),
            "register": credential.register.name if credential.register else None,
            "register_answer": credential.register_answer,
            "submitted_at": _when(credential.submitted_at),
            "document": _document_path(credential) if credential.document else None,
        }
        for credential in therapist.credentials.select_related("modality", "register").order_by("submitted_at", "pk")
    ]


def _replies(therapist: Therapist) -> list[dict]:
    replies = ReviewReply.objects.filter(review__therapist=therapist, author=therapist.user).order_by("created_at")
    return [
        {"review_id": reply.review_id, "body": reply.body, "written_at": _when(reply.created_at)} for reply in replies
    ]


@dataclass(frozen=True)
class Contents:
    data: dict
    # (path inside the archive, storage file) of every file that goes in beside data.json.
    files: list[tuple[str, object]]


def collect(user: User) -> Contents:
    """Everything the site holds about `user`, their side of every row that involves someone else."""
    addresses = _addresses(user)
    sent = AppointmentRequest.objects.sent_by(user).select_related("therapist", "modality", "health_answers")
    data = {
        "format_version": FORMAT_VERSION,
        "generated_at": _when(timezone.now()),
        "account": _account(user),
        "email_addresses": addresses,
        "reviews_written": _reviews_written(user),
        "flags_sent": _flags(user),
        "reply_flags_sent": _reply_flags(user),
        "appointment_requests_sent": [
            _request(request, side="client") for request in sent.prefetch_related("proposed_times")
        ],
        "appointments_booked": [
            _appointment(appointment, side="client")
            for appointment in Appointment.objects.of_client(user).select_related("therapist", "modality")
        ],
        "decisions_about_your_reviews": _decisions(
            Decision.objects.filter(
                target_type="reviews.review", target_id__in=Review.objects.filter(author=user).values("pk")
            )
        ),
        "emails_sent_to_you": _emails(user, sorted({user.email, *(row["email"] for row in addresses)})),
    }
    files: list[tuple[str, object]] = []
    therapist = Therapist.objects.filter(user=user).prefetch_related("opening_hours").first()
    if therapist is not None:
        credentials = list(therapist.credentials.all())
        received = AppointmentRequest.objects.sent_to(therapist).select_related("client", "modality", "health_answers")
        profile_targets = (
            Q(target_type="therapists.therapist", target_id=therapist.pk)
            | Q(target_type="therapists.credential", target_id__in=[credential.pk for credential in credentials])
            | Q(target_type="reviews.reviewreply", target_id__in=ReviewReply.objects.filter(author=user).values("pk"))
        )
        data["therapist_profile"] = {
            **_profile(therapist),
            "credentials": _credentials(therapist),
            "replies_to_reviews": _replies(therapist),
            "appointment_requests_received": [
                _request(request, side="therapist") for request in received.prefetch_related("proposed_times")
            ],
            "appointments": [
                _appointment(appointment, side="therapist")
                for appointment in Appointment.objects.of_therapist(therapist).select_related("client", "modality")
            ],
            "decisions_about_your_profile": _decisions(Decision.objects.filter(profile_targets)),
        }
        files += [
            (_document_path(credential), credential.document) for credential in credentials if credential.document
        ]
        if therapist.photo:
            files.append((f"photo/photo{PurePosixPath(therapist.photo.name).suffix.lower()}", therapist.photo))
    if user.is_moderator or Decision.objects.filter(actor=user).exists():
        # What they decided; which object by type and id only, since its description names other people.
        data["decisions_you_made"] = _decisions(Decision.objects.filter(actor=user))
    return Contents(data=data, files=files)


# Files that are already compressed (PDF, JPEG, PNG, WebP) are stored as they are: deflating them
# again costs time and saves nothing.
STORED_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic"}


def write_archive(contents: Contents, target, *, privacy_url: str) -> None:
    """Write the zip to `target` (a binary file object): data.json, summary.html, README.txt and the files.

    A file that has vanished from storage is listed in data.json's "missing_files" instead of failing
    the whole archive.
    """
    missing = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, field in contents.files:
            try:
                with field.open("rb") as handle:
                    info = zipfile.ZipInfo(path, date_time=_zip_time())
                    info.external_attr = 0o644 << 16
                    stored = PurePosixPath(path).suffix in STORED_SUFFIXES
                    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
                    with archive.open(info, "w") as entry:
                        while chunk := handle.read(1024 * 1024):
                            entry.write(chunk)
            except FileNotFoundError:
                missing.append(path)
        data = {**contents.data, "missing_files": missing}
        archive.writestr("data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        archive.writestr("summary.html", render_to_string("privacy/export_summary.html", {"data": data}))
        archive.writestr("README.txt", README.format(generated_at=data["generated_at"], privacy_url=privacy_url))


def _zip_time():
    return timezone.now().timetuple()[:6]


def build_export(*, export_id: int, now: datetime | None = None) -> DataExport | None:
    """Build a pending export's archive, store it privately and email its owner that it is ready.

    Safe to run twice (a redelivered task): only the run that moves the row from pending to ready
    keeps its file; any other deletes its own. None when there was nothing to build.
    """
    export = DataExport.objects.pending().select_related("user").filter(pk=export_id).first()
    if export is None:
        return None
    storage = storages["private"]
    # The public id is in the owner's link; the file name adds a secret of its own.
    name = f"{ARCHIVE_FOLDER}/{export.public_id}-{secrets.token_hex(8)}.zip"
    try:
        with tempfile.TemporaryFile() as scratch:
            write_archive(collect(export.user), scratch, privacy_url=settings.SITE_URL + reverse("privacy:policy"))
            size = scratch.tell()
            scratch.seek(0)
            saved = storage.save(name, File(scratch, name=name))
    except Exception:
        # The id only: a traceback of this job must not carry the person's data.
        logger.exception("Data export %s could not be built", export.pk)
        now = now or timezone.now()
        DataExport.objects.pending().filter(pk=export.pk).update(
            status=DataExport.Status.FAILED, expires_at=now + EXPORT_LINK_VALID
        )
        return None
    now = now or timezone.now()
    with transaction.atomic():
        ready = (
            DataExport.objects.pending()
            .filter(pk=export.pk)
            .update(
                status=DataExport.Status.READY,
                archive=saved,
                size=size,
                ready_at=now,
                expires_at=now + EXPORT_LINK_VALID,
            )
        )
        if ready:
            export.refresh_from_db()
            body = render_to_string(
                "privacy/email/export_ready.txt",
                {"export": export, "data_url": settings.SITE_URL + reverse("privacy:data")},
            )
            queue_email(
                to=export.user.email,
                subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + "Your data is ready to download",
                body=body,
                kind="privacy.export_ready",
            )
    if not ready:
        storage.delete(saved)
        return None
    return export


@transaction.atomic
def purge_expired_exports(*, now: datetime | None = None) -> int:
    """Delete every export past its link's life, with its archive (after commit); returns how many.

    Also gives up requests pending for EXPORT_GIVE_UP_AFTER, and deletes files in the archive folder
    that no row names (a file whose deletion failed) once they are an hour old.
    """
    now = now or timezone.now()
    DataExport.objects.pending().filter(requested_at__lte=now - EXPORT_GIVE_UP_AFTER).update(
        status=DataExport.Status.FAILED, expires_at=now
    )
    expired = list(DataExport.objects.expired(now).select_for_update().values_list("pk", "archive"))
    DataExport.objects.filter(pk__in=[pk for pk, _ in expired]).delete()
    storage = storages["private"]
    delete_files_after_commit(storage, [name for _, name in expired])
    try:
        _, names = storage.listdir(ARCHIVE_FOLDER)
    except FileNotFoundError:
        names = []
    kept = set(DataExport.objects.exclude(archive="").values_list("archive", flat=True))
    orphans = [
        f"{ARCHIVE_FOLDER}/{name}"
        for name in names
        if f"{ARCHIVE_FOLDER}/{name}" not in kept
        and storage.get_modified_time(f"{ARCHIVE_FOLDER}/{name}") < now - timedelta(hours=1)
    ]
    delete_files_after_commit(storage, orphans)
    return len(expired)
