"""Visitor pages are cached (directory/lib/cache.py) but never outlive a change to what they show."""

from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from directory.lib.cache import invalidate_public_pages
from moderation import services as moderation
from reviews import services as review_services
from reviews.services import reply_to_review
from tests.factories import CredentialFactory, ReviewFactory, ReviewReplyFactory, TherapistFactory, UserFactory
from tests.therapists.uploads import image_bytes
from therapists import credentials, services
from therapists.admin import TherapistAdmin
from therapists.images import process_photo
from therapists.models import Credential, Therapist
from therapists.scores import recompute_score

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached_profile(client):
    therapist = TherapistFactory(slug="clara-weber")
    review = ReviewFactory(therapist=therapist, title="Shared my phone number")
    first = client.get("/therapists/clara-weber/")
    assert first.status_code == 200 and "Shared my phone number" in first.content.decode()
    return therapist, review


def test_a_suspended_profile_answers_404_to_visitors_at_once(
    client, cached_profile, django_capture_on_commit_callbacks
):
    therapist, _ = cached_profile
    with django_capture_on_commit_callbacks(execute=True):
        moderation.suspend_therapist(therapist=therapist, moderator=UserFactory(moderator=True), reason="Fake profile")

    assert client.get("/therapists/clara-weber/").status_code == 404
    assert "clara-weber" not in client.get("/therapists/").content.decode()


def test_a_hidden_review_disappears_from_the_visitor_page_at_once(
    client, cached_profile, django_capture_on_commit_callbacks
):
    _, review = cached_profile
    with django_capture_on_commit_callbacks(execute=True):
        moderation.hide_review(review=review, moderator=UserFactory(moderator=True), reason="Private information")

    assert "Shared my phone number" not in client.get("/therapists/clara-weber/").content.decode()


def test_a_reply_shows_to_visitors_at_once(client, cached_profile, django_capture_on_commit_callbacks):
    therapist, review = cached_profile
    with django_capture_on_commit_callbacks(execute=True):
        reply_to_review(review=review, user=therapist.user, body="Thank you, I removed it.")

    assert "Thank you, I removed it." in client.get("/therapists/clara-weber/").content.decode()


def test_a_hidden_reply_disappears_and_a_restored_one_returns_to_visitors_at_once(
    client, cached_profile, django_capture_on_commit_callbacks
):
    _, review = cached_profile
    reply = ReviewReplyFactory(review=review, body="You came in on Tuesday about your hernia.")
    invalidate_public_pages()
    assert "about your hernia" in client.get("/therapists/clara-weber/").content.decode()
    moderator = UserFactory(moderator=True)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.hide_reply(reply=reply, moderator=moderator, reason="Discloses the client's health.")
    assert "about your hernia" not in client.get("/therapists/clara-weber/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.restore_reply(reply=reply, moderator=moderator, reason="The client wrote it in the review.")
    assert "about your hernia" in client.get("/therapists/clara-weber/").content.decode()


def test_a_set_wise_recompute_refreshes_visitor_pages(client, cached_profile):
    therapist, _ = cached_profile
    Therapist.objects.filter(pk=therapist.pk).update(score=1)  # drift, as a bug or a manual fix would
    invalidate_public_pages()
    assert "<strong>1</strong>/100" in client.get("/therapists/clara-weber/").content.decode()  # now cached

    call_command("recompute_scores")

    assert "<strong>1</strong>/100" not in client.get("/therapists/clara-weber/").content.decode()


def test_a_review_refreshes_the_reviewed_profile_and_leaves_another_cached(
    client, cached_profile, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """Invalidation is not global (issue 20): a write drops the pages of the therapist it changed."""
    reviewed, _ = cached_profile
    TherapistFactory(slug="ben-brandt")
    client.get("/therapists/ben-brandt/")  # now cached
    client.get("/api/v1/therapists/clara-weber/")  # the API detail too
    with django_capture_on_commit_callbacks(execute=True):
        review_services.publish_review(
            therapist=reviewed,
            author=UserFactory(),
            rating=4,
            title="Second visit, same care",
            body="Asked about my shoulder first.",
            visit_date=timezone.localdate() - timedelta(days=2),
            consultation_given=True,
            unwanted_effects=False,
            aftercare_given=True,
        )

    with django_assert_num_queries(0):
        other = client.get("/therapists/ben-brandt/")
    assert other["X-Cache"] == "hit"
    refreshed = client.get("/therapists/clara-weber/")
    assert refreshed["X-Cache"] == "miss"
    assert "Second visit, same care" in refreshed.content.decode()
    assert client.get("/api/v1/therapists/clara-weber/").json()["review_count"] == 2


def test_without_a_change_the_visitor_page_is_served_from_the_cache(client, cached_profile, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/therapists/clara-weber/").status_code == 200


# One test per service that changes what visitors see: the anonymous profile page is cached first, the
# service runs (its after-commit callbacks too), and the next anonymous view shows the change at once.
# Services that change nothing visitors see (create_profile on a draft, flag_review, dismiss_flags)
# need no invalidation and have none here.

PROFILE = "/therapists/clara-weber/"


def visitor_page(client) -> str:
    response = client.get(PROFILE)
    return response.content.decode() if response.status_code == 200 else f"status {response.status_code}"


@pytest.fixture
def cached(client, cached_profile):
    """The profile, already in the cache; returns a function that runs a service as if committed."""
    therapist, review = cached_profile
    assert "clara-weber" in client.get("/therapists/").content.decode()  # the search page is cached too

    def after_commit(django_capture_on_commit_callbacks, service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return therapist, review, after_commit


def test_update_profile_shows_at_once(client, cached, django_capture_on_commit_callbacks):
    therapist, _, run = cached
    run(
        django_capture_on_commit_callbacks,
        services.update_profile,
        therapist=therapist,
        data={"headline": "Now in Mitte"},
    )
    assert "Now in Mitte" in visitor_page(client)


def test_unpublish_and_publish_profile_show_at_once(client, cached, django_capture_on_commit_callbacks):
    therapist, _, run = cached
    run(django_capture_on_commit_callbacks, services.unpublish_profile, therapist=therapist)
    assert visitor_page(client) == "status 404"
    assert "clara-weber" not in client.get("/therapists/").content.decode()
    run(django_capture_on_commit_callbacks, services.publish_profile, therapist=therapist)
    assert "clara-weber" in client.get("/therapists/").content.decode()


def test_replace_photo_shows_at_once(client, cached, django_capture_on_commit_callbacks):
    therapist, _, run = cached
    photo = process_photo(SimpleUploadedFile("me.jpg", image_bytes("JPEG"), content_type="image/jpeg"))
    run(django_capture_on_commit_callbacks, services.replace_photo, therapist=therapist, photo=photo)
    therapist.refresh_from_db()
    assert therapist.photo.url in visitor_page(client)


def test_a_submitted_credential_stays_off_the_visitor_page_until_verified(
    client, cached, django_capture_on_commit_callbacks
):
    # A pending credential is the therapist's claim only: visitors never see it (issue 13, item 15),
    # so submitting or correcting one leaves the visitor page as it is; verifying shows it (below).
    therapist, _, run = cached
    document = SimpleUploadedFile("licence.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    data = {
        "kind": Credential.Kind.LICENCE,
        "title": "Berlin licence",
        "issuer": "Senate",
        "number": "B-1",
        "issued_on": date(2020, 1, 1),
        "expires_on": None,
        "modality": None,
    }
    run(
        django_capture_on_commit_callbacks,
        credentials.submit_credential,
        therapist=therapist,
        data=data,
        document=document,
        extension="pdf",
    )
    assert "Berlin licence" not in visitor_page(client)
    credential = Credential.objects.get(title="Berlin licence")
    run(
        django_capture_on_commit_callbacks,
        credentials.update_credential,
        credential=credential,
        data={"title": "Corrected title"},
    )
    assert "Corrected title" not in visitor_page(client)


@pytest.mark.parametrize(
    ("start", "service", "kwargs", "shown_before", "shown_after"),
    [
        ("pending", credentials.withdraw_credential, {}, False, False),
        ("rejected", credentials.resubmit_credential, {}, False, False),
        ("pending", moderation.verify_credential, {"moderator": True}, False, True),
        ("pending", moderation.reject_credential, {"moderator": True, "reason": "Illegible"}, False, False),
        ("verified", moderation.revoke_credential, {"moderator": True, "reason": "Forged"}, True, False),
    ],
    ids=["withdraw", "resubmit", "verify", "reject", "revoke"],
)
def test_each_credential_transition_shows_at_once(
    client, cached, django_capture_on_commit_callbacks, start, service, kwargs, shown_before, shown_after
):
    therapist, _, run = cached
    credential = CredentialFactory(therapist=therapist, title="Watched licence", status=start)
    invalidate_public_pages()
    before = visitor_page(client)  # now cached
    assert ("Watched licence" in before) is shown_before
    if kwargs.pop("moderator", False):
        kwargs["moderator"] = UserFactory(moderator=True)
    run(django_capture_on_commit_callbacks, service, credential=credential, **kwargs)
    assert ("Watched licence" in visitor_page(client)) is shown_after


def test_expire_credentials_shows_at_once(client, cached, django_capture_on_commit_callbacks):
    therapist, _, run = cached
    credential = CredentialFactory(therapist=therapist, verified=True)
    licensed = recompute_score(therapist_id=therapist.pk)
    invalidate_public_pages()
    assert f"<strong>{licensed.score:.0f}</strong>/100" in visitor_page(client)  # now cached
    run(
        django_capture_on_commit_callbacks,
        moderation.expire_credentials,
        today=credential.expires_on + timedelta(days=1),
    )
    therapist.refresh_from_db()
    assert therapist.score < licensed.score
    assert f"<strong>{therapist.score:.0f}</strong>/100" in visitor_page(client)


def test_restore_review_shows_at_once(client, cached, django_capture_on_commit_callbacks):
    therapist, _, run = cached
    hidden = ReviewFactory(therapist=therapist, hidden=True, title="Back again")
    assert "Back again" not in visitor_page(client)
    run(
        django_capture_on_commit_callbacks,
        moderation.restore_review,
        review=hidden,
        moderator=UserFactory(moderator=True),
    )
    assert "Back again" in visitor_page(client)


def test_unsuspend_therapist_shows_at_once(client, cached, django_capture_on_commit_callbacks):
    therapist, _, run = cached
    moderator = UserFactory(moderator=True)
    run(
        django_capture_on_commit_callbacks,
        moderation.suspend_therapist,
        therapist=therapist,
        moderator=moderator,
        reason="Checking",
    )
    assert visitor_page(client) == "status 404"
    run(django_capture_on_commit_callbacks, moderation.unsuspend_therapist, therapist=therapist, moderator=moderator)
    assert "Shared my phone number" in visitor_page(client)


def test_publish_and_withdraw_review_show_at_once(client, cached, django_capture_on_commit_callbacks):
    therapist, _, run = cached
    author = UserFactory()
    review = run(
        django_capture_on_commit_callbacks,
        review_services.publish_review,
        therapist=therapist,
        author=author,
        rating=4,
        title="A second opinion",
        body="Listened first, then worked on my shoulders.",
        visit_date=timezone.localdate() - timedelta(days=3),
        consultation_given=True,
        unwanted_effects=False,
        aftercare_given=True,
    )
    assert "A second opinion" in visitor_page(client)
    run(django_capture_on_commit_callbacks, review_services.withdraw_review, review=review, user=author)
    assert "A second opinion" not in visitor_page(client)


def test_an_admin_edit_shows_at_once(admin_client, client, cached):
    therapist, _, _ = cached
    TherapistAdmin(Therapist, admin.site).save_model(request=None, obj=therapist, form=None, change=True)
    Therapist.objects.filter(pk=therapist.pk).update(headline="Set by staff")
    # save_model's callback runs on commit; the test transaction never commits, so run it here.
    invalidate_public_pages()
    assert "Set by staff" in visitor_page(client)
