"""Erasing an account: a client with each choice, a therapist, a moderator; the log stays whole."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import TestCase

from accounts.models import User
from appointments.models import Appointment, AppointmentRequest, HealthAnswers
from moderation.models import Decision
from outbox.models import Email
from privacy.erasure import ALREADY_ERASED, erase_account
from privacy.models import DataExport
from reviews import rules
from reviews.models import Review, ReviewFlag, ReviewReply
from tests.factories import (
    AppointmentFactory,
    CredentialFactory,
    DecisionFactory,
    EmailFactory,
    OpeningHoursFactory,
    ReviewFactory,
    ReviewFlagFactory,
    ReviewReplyFactory,
    TherapistFactory,
    UserFactory,
)
from tests.privacy.helpers import built_export
from therapists.models import Credential, OpeningHours, PhotoUpload, ScoreSnapshot, Therapist
from therapists.scores import recompute_score

pytestmark = pytest.mark.django_db


def erase(user, *, keep_reviews=False, **kwargs):
    # The files go after commit; the test's transaction never commits, so run the callbacks here.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return erase_account(user=user, keep_reviews=keep_reviews, **kwargs)


def log_text() -> str:
    return json.dumps(list(Decision.objects.values()), default=str)


@pytest.fixture
def client_with_everything():
    """Anna reviewed two therapists (one visit verified), flagged a review and sent requests."""
    anna = UserFactory(email="anna@example.com", name="Anna Kowalski")
    EmailAddress.objects.create(user=anna, email="anna.second@example.com", verified=True)
    clara = TherapistFactory(display_name="Clara Weber", bookable=True)
    otto = TherapistFactory(display_name="Otto Other")
    visit = AppointmentFactory(attended=True, request__client=anna, request__therapist=clara)
    anna_on_clara = ReviewFactory(therapist=clara, author=anna, rating=5, appointment=visit, title="Anna on Clara")
    anna_on_otto = ReviewFactory(therapist=otto, author=anna, rating=1, title="Anna on Otto")
    ReviewReplyFactory(review=anna_on_clara)
    others = [ReviewFactory(therapist=clara, rating=3), ReviewFactory(therapist=otto, rating=4)]
    ReviewFlagFactory(review=others[0], user=anna, note="Anna reports this.")
    ReviewFlagFactory(review=anna_on_otto, note="Someone reports Anna.")
    moderator = UserFactory(moderator=True)
    Decision.objects.record(actor=anna, action=Decision.Action.PUBLISH_REVIEW, target=anna_on_otto)
    Decision.objects.record(actor=moderator, action=Decision.Action.DISMISS_FLAGS, target=anna_on_otto, reason="Fine.")
    EmailFactory(to="anna@example.com", subject="Your review is published", sent=True)
    EmailFactory(to="ANNA.second@example.com", subject="Queued for Anna")
    EmailFactory(to="someone@example.com", subject="Not Anna's")
    for therapist in (clara, otto):
        recompute_score(therapist_id=therapist.pk)
    return {"anna": anna, "clara": clara, "otto": otto, "reviews": [anna_on_clara, anna_on_otto], "others": others}


def test_a_client_who_deletes_their_reviews_leaves_the_therapists_rescored_without_them(client_with_everything):
    world = client_with_everything
    erase(world["anna"], keep_reviews=False)
    assert not Review.objects.filter(pk__in=[review.pk for review in world["reviews"]]).exists()
    for therapist, other in zip((world["clara"], world["otto"]), world["others"], strict=True):
        therapist.refresh_from_db()
        assert therapist.review_count == 1
        assert therapist.rating_avg == other.rating
        # The stored score is what a fresh computation from the remaining rows gives.
        assert recompute_score(therapist_id=therapist.pk).score == therapist.score


def test_a_client_who_keeps_their_reviews_leaves_them_published_as_a_former_client(client_with_everything):
    world = client_with_everything
    anna_on_clara, anna_on_otto = world["reviews"]
    erase(world["anna"], keep_reviews=True)
    kept = list(Review.objects.filter(pk__in=[anna_on_clara.pk, anna_on_otto.pk]).order_by("pk"))
    assert [(r.author_id, r.author_display_name, r.status) for r in kept] == [
        (None, rules.FORMER_CLIENT_NAME, Review.Status.PUBLISHED)
    ] * 2
    assert kept[0].title == "Anna on Clara"
    # The attended visit went with Anna's requests, so the review is no longer a verified visit.
    assert kept[0].appointment_id is None
    clara = Therapist.objects.get(pk=world["clara"].pk)
    assert clara.review_count == 2
    assert recompute_score(therapist_id=clara.pk).score == clara.score
    assert ReviewReply.objects.filter(review=anna_on_clara).exists()


def test_a_client_loses_flags_requests_safety_answers_addresses_and_emails(client_with_everything):
    world = client_with_everything
    anna = world["anna"]
    erase(anna)
    assert not User.objects.filter(pk=anna.pk).exists()
    assert not EmailAddress.objects.filter(email__icontains="anna").exists()
    assert not ReviewFlag.objects.filter(note="Anna reports this.").exists()
    assert not AppointmentRequest.objects.filter(client_id=anna.pk).exists()
    assert not Appointment.objects.filter(client_id=anna.pk).exists()
    assert HealthAnswers.objects.count() == 0
    assert list(Email.objects.exclude(kind="privacy.account_deleted").values_list("subject", flat=True)) == [
        "Not Anna's"
    ]


def test_the_erasure_is_confirmed_by_email_to_the_address_before_it_was_erased(client_with_everything, mailoutbox):
    erase(client_with_everything["anna"])
    (email,) = [message for message in mailoutbox if "deleted" in message.subject]
    assert email.to == ["anna@example.com"]
    assert "2 reviews: deleted" in email.body


def test_the_log_keeps_every_row_with_a_tombstone_instead_of_the_client(client_with_everything):
    world = client_with_everything
    anna_on_otto = world["reviews"][1]
    before = Decision.objects.count()
    tombstone = erase(world["anna"])
    assert Decision.objects.count() == before + 1
    published = Decision.objects.get(action=Decision.Action.PUBLISH_REVIEW, target_id=anna_on_otto.pk)
    assert (published.actor_id, published.actor_tombstone) == (None, tombstone)
    assert published.target_repr == f"Erased ({tombstone})"
    dismissed = Decision.objects.get(action=Decision.Action.DISMISS_FLAGS)
    assert dismissed.actor is not None and dismissed.reason == "Fine."
    erasure = Decision.objects.get(action=Decision.Action.ERASE_ACCOUNT)
    assert erasure.actor_tombstone == tombstone
    text = log_text()
    for personal in ("anna", "Anna", "Kowalski", "Anna on Otto"):
        assert personal not in text, personal


def test_the_erasure_logs_no_personal_data(client_with_everything, caplog):
    caplog.set_level("INFO", logger="privacy")
    tombstone = erase(client_with_everything["anna"])
    assert tombstone in caplog.text
    assert "anna" not in caplog.text.lower()


def test_a_second_erasure_of_the_same_account_changes_nothing_and_says_so(client_with_everything):
    anna = client_with_everything["anna"]
    erase(anna)
    decisions, emails = Decision.objects.count(), Email.objects.count()
    with pytest.raises(ValidationError) as refused:
        erase(anna)
    assert refused.value.messages == [ALREADY_ERASED]
    assert (Decision.objects.count(), Email.objects.count()) == (decisions, emails)


@pytest.fixture
def therapist_with_everything():
    clara = TherapistFactory(display_name="Clara Weber", user__email="clara@example.com", bookable=True)
    clara.photo.save("p.jpg", ContentFile(b"JPEG"), save=False)
    clara.photo_thumbnail.save("t.jpg", ContentFile(b"JPEG"), save=False)
    clara.save()
    OpeningHoursFactory(therapist=clara)
    licence = CredentialFactory(therapist=clara, verified=True, document=ContentFile(b"%PDF-1.4", name="l.pdf"))
    certificate = CredentialFactory(therapist=clara, certificate=True, document=ContentFile(b"%PDF-1.4", name="c.pdf"))
    review = ReviewFactory(therapist=clara, title="About Clara")
    ReviewReplyFactory(review=review, body="Clara replies")
    AppointmentFactory(request__therapist=clara)
    moderator = UserFactory(moderator=True)
    Decision.objects.record(actor=moderator, action=Decision.Action.VERIFY_CREDENTIAL, target=licence)
    Decision.objects.record(actor=moderator, action=Decision.Action.SUSPEND_THERAPIST, target=clara, reason="Checks.")
    recompute_score(therapist_id=clara.pk)
    return {"clara": clara, "credentials": [licence, certificate], "review": review, "moderator": moderator}


def test_a_therapist_profile_goes_with_credentials_hours_reviews_replies_and_history(therapist_with_everything):
    world = therapist_with_everything
    clara = world["clara"]
    reviewer = world["review"].author
    erase(clara.user)
    assert not Therapist.objects.filter(pk=clara.pk).exists()
    assert not Credential.objects.filter(therapist_id=clara.pk).exists()
    assert not OpeningHours.objects.filter(therapist_id=clara.pk).exists()
    assert not Review.objects.filter(therapist_id=clara.pk).exists()
    assert not ReviewReply.objects.filter(body="Clara replies").exists()
    assert not ScoreSnapshot.objects.filter(therapist_id=clara.pk).exists()
    assert not Appointment.objects.filter(therapist_id=clara.pk).exists()
    assert not AppointmentRequest.objects.filter(therapist_id=clara.pk).exists()
    # The reviewer's own account is untouched.
    assert User.objects.filter(pk=reviewer.pk).exists()


def test_a_therapists_documents_and_photos_are_deleted_from_disk_after_commit(therapist_with_everything):
    world = therapist_with_everything
    clara = world["clara"]
    documents = [(credential.document.storage, credential.document.name) for credential in world["credentials"]]
    upload = PhotoUpload(therapist=clara)
    upload.original.save("waiting.jpg", ContentFile(b"JPEG"))
    photos = [(clara.photo.storage, clara.photo.name), (clara.photo_thumbnail.storage, clara.photo_thumbnail.name)]
    photos.append((upload.original.storage, upload.original.name))
    assert all(storage.exists(name) for storage, name in documents + photos)
    erase(clara.user)
    assert not any(storage.exists(name) for storage, name in documents + photos)


def test_files_stay_when_the_erasure_rolls_back(therapist_with_everything, monkeypatch):
    world = therapist_with_everything
    credential = world["credentials"][0]

    def broken(**kwargs):
        raise RuntimeError("mail server exploded")

    monkeypatch.setattr("privacy.erasure.queue_email", broken)
    with pytest.raises(RuntimeError), TestCase.captureOnCommitCallbacks(execute=True):
        erase_account(user=world["clara"].user, keep_reviews=False)
    assert credential.document.storage.exists(credential.document.name)


def test_the_log_keeps_decisions_about_the_therapist_without_their_name(therapist_with_everything):
    world = therapist_with_everything
    tombstone = erase(world["clara"].user)
    verified = Decision.objects.get(action=Decision.Action.VERIFY_CREDENTIAL)
    assert verified.target_repr == f"Erased ({tombstone})"
    assert verified.actor == world["moderator"]
    assert Decision.objects.get(action=Decision.Action.SUSPEND_THERAPIST).reason == "Checks."
    assert "Clara" not in log_text()
    assert "About Clara" not in log_text()


def test_a_moderators_decisions_stay_in_the_log_under_their_tombstone():
    moderator = UserFactory(moderator=True, email="mod@example.com", name="Mona Moderator")
    decisions = [DecisionFactory(actor=moderator, reason=f"Reason {n}") for n in range(3)]
    tombstone = erase(moderator)
    for decision in decisions:
        decision.refresh_from_db()
        assert (decision.actor_id, decision.actor_tombstone) == (None, tombstone)
    assert sorted(Decision.objects.filter(actor_tombstone=tombstone).values_list("reason", flat=True)) == [
        "Deleted by its owner, who confirmed with their password.",
        "Reason 0",
        "Reason 1",
        "Reason 2",
    ]
    assert "Mona" not in log_text() and "mod@example.com" not in log_text()


def test_the_log_still_refuses_every_other_change():
    DecisionFactory()
    with pytest.raises(ValidationError):
        Decision.objects.update(reason="rewritten")
    with pytest.raises(ValidationError):
        Decision.objects.all().delete()


def test_the_archives_of_an_erased_account_go_with_their_files():
    user = UserFactory()
    export = built_export(user)
    storage = storages["private"]
    assert storage.exists(export.archive)
    erase(user)
    assert not DataExport.objects.exists()
    assert not storage.exists(export.archive)
