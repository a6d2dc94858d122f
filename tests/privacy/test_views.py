"""The pages: privacy, imprint, your data, the one-time download, and deleting an account."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.test import TestCase
from django.utils import timezone

from accounts.models import UNCONFIRMED_ACCOUNT_KEPT, User
from appointments.models import HEALTH_ANSWERS_KEPT
from moderation.models import Decision
from privacy.erasure import ALREADY_ERASED
from privacy.models import EXPORT_LINK_VALID, DataExport
from reviews import rules
from reviews.models import Review
from tests.factories import TEST_PASSWORD, ReviewFactory, TherapistFactory, UserFactory
from tests.permissions import matrix
from tests.privacy.helpers import built_export

pytestmark = pytest.mark.django_db

EVERY_ROLE = ["anonymous", "client", "other_therapist", "owner", "moderator", "owner_moderator", "staff"]


# The permission matrix over every new URL


@pytest.mark.parametrize("path", ["/privacy/", "/imprint/", "/accounts/deleted/"])
@pytest.mark.parametrize("role", EVERY_ROLE)
def test_the_public_pages_answer_everyone(client, login_as, role, path):
    login_as(client, role)
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_the_public_pages_refuse_a_post(client, login_as, role):
    login_as(client, role)
    assert client.post("/privacy/").status_code == 405


@pytest.mark.parametrize(("role", "status"), matrix({role: 302 if role == "anonymous" else 200 for role in EVERY_ROLE}))
@pytest.mark.parametrize("path", ["/accounts/data/", "/accounts/delete/"])
def test_the_account_pages_need_a_login(client, login_as, role, status, path):
    login_as(client, role)
    response = client.get(path)
    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("role", "created"), matrix({role: role != "anonymous" for role in EVERY_ROLE}))
def test_asking_for_an_archive_builds_one_for_the_person_asking_only(client, login_as, role, created, therapist):
    user = login_as(client, role, owner=therapist)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/accounts/data/")
    assert response.status_code == 302
    assert DataExport.objects.count() == int(created)
    if created:
        assert DataExport.objects.get().user == user
        assert DataExport.objects.get().status == DataExport.Status.READY


@pytest.mark.parametrize(
    ("role", "status"),
    matrix({
        "anonymous": 302, "client": 404, "other_therapist": 404, "owner": 200,
        "moderator": 404, "owner_moderator": 200, "staff": 404,
    }),
)  # fmt: skip
def test_a_download_link_serves_its_owner_only(client, login_as, role, status, therapist):
    export = built_export(therapist.user)
    login_as(client, role, owner=therapist)
    archive = export.archive
    response = client.get(f"/accounts/data/{export.public_id}/download/")
    assert response.status_code == status
    export.refresh_from_db()
    assert (export.status == DataExport.Status.DOWNLOADED) == (status == 200)
    assert storages["private"].exists(archive) == (status != 200)


@pytest.mark.parametrize(
    ("role", "erased"), matrix({role: role != "anonymous" for role in EVERY_ROLE if role != "author"})
)
def test_deleting_an_account_erases_the_person_asking_only(client, login_as, role, erased, therapist):
    user = login_as(client, role, owner=therapist)
    users = User.objects.count()
    response = client.post("/accounts/delete/", {"password": TEST_PASSWORD})
    assert response.status_code == 302
    if erased:
        assert response["Location"] == "/accounts/deleted/"
        assert not User.objects.filter(pk=user.pk).exists()
        assert User.objects.count() == users - 1
        assert "_auth_user_id" not in client.session
    else:
        assert response["Location"].startswith("/accounts/login/")
        assert User.objects.count() == users


# The download


def test_the_download_is_an_attachment_in_a_sandbox_and_its_file_is_gone_after(client, client_user):
    export = built_export(client_user)
    client.force_login(client_user)
    response = client.get(f"/accounts/data/{export.public_id}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="qualified-touch-data-')
    assert response["Content-Security-Policy"].split(";")[0].strip() == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert body[:2] == b"PK"
    assert not storages["private"].exists(export.archive)


def test_a_used_link_answers_410_with_a_way_on_and_changes_nothing(client, client_user):
    export = built_export(client_user)
    client.force_login(client_user)
    b"".join(client.get(f"/accounts/data/{export.public_id}/download/").streaming_content)
    response = client.get(f"/accounts/data/{export.public_id}/download/")
    assert response.status_code == 410
    assert "already been used or has expired" in response.content.decode()
    assert 'href="/accounts/data/"' in response.content.decode()
    export.refresh_from_db()
    assert export.status == DataExport.Status.DOWNLOADED


def test_an_expired_link_answers_410_and_keeps_the_row_for_the_sweep(client, client_user):
    export = built_export(client_user)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(client_user)
    assert client.get(f"/accounts/data/{export.public_id}/download/").status_code == 410
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY


def test_someone_elses_link_is_a_404_and_leaves_their_archive_alone(client, client_user):
    export = built_export(UserFactory())
    client.force_login(client_user)
    assert client.get(f"/accounts/data/{export.public_id}/download/").status_code == 404
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY
    assert storages["private"].exists(export.archive)


def test_the_data_page_offers_the_ready_archive_once(client, client_user):
    export = built_export(client_user)
    client.force_login(client_user)
    content = client.get("/accounts/data/").content.decode()
    assert f'href="/accounts/data/{export.public_id}/download/"' in content
    assert "works once" in content


def test_asking_again_while_one_is_prepared_is_refused_with_a_message(client, client_user):
    DataExport.objects.create(user=client_user)
    client.force_login(client_user)
    response = client.post("/accounts/data/", follow=True)
    assert "already being prepared" in response.content.decode()
    assert DataExport.objects.count() == 1


def test_asking_again_replaces_the_ready_archive_and_deletes_its_file(client, client_user):
    first = built_export(client_user)
    second = built_export(client_user)
    assert list(DataExport.objects.values_list("pk", flat=True)) == [second.pk]
    assert not storages["private"].exists(first.archive)


def test_asking_for_archives_is_throttled(client, client_user, settings):
    settings.DATA_EXPORT_RATE_LIMIT = "2/d"
    client.force_login(client_user)
    assert client.post("/accounts/data/").status_code == 302
    DataExport.objects.all().delete()
    assert client.post("/accounts/data/").status_code == 302
    DataExport.objects.all().delete()
    response = client.post("/accounts/data/")
    assert response.status_code == 429
    assert not DataExport.objects.exists()


# Deleting an account


def test_the_confirmation_page_says_what_happens_to_this_clients_data(client, client_user):
    ReviewFactory(author=client_user, therapist=TherapistFactory(display_name="Clara Weber"))
    client.force_login(client_user)
    content = client.get("/accounts/delete/").content.decode()
    assert "Your 1 review (Clara Weber)" in content
    assert rules.FORMER_CLIENT_NAME in content
    assert 'name="reviews"' in content and 'name="password"' in content
    assert "Keep it, signed" in content and "the therapist’s score is recalculated without it" in content

    ReviewFactory(author=client_user)
    content = client.get("/accounts/delete/").content.decode()
    assert "Keep them, signed" in content and "the therapists’ scores are recalculated without them" in content


def test_the_confirmation_page_says_what_happens_to_a_therapists_profile(client, therapist):
    ReviewFactory(therapist=therapist)
    client.force_login(therapist.user)
    content = client.get("/accounts/delete/").content.decode()
    assert therapist.display_name in content
    assert "The 1 review clients wrote of your profile" in content
    assert 'name="reviews"' not in content


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reviews": "delete"}, "Enter your password to confirm. Nothing was deleted."),
        ({"reviews": "delete", "password": "not-my-password"}, "That is not your password. Nothing was deleted."),
        ({"password": TEST_PASSWORD}, "Choose what happens to your reviews. Nothing was deleted."),
    ],
)
def test_a_deletion_without_the_right_password_or_a_choice_changes_nothing(client, client_user, data, message):
    review = ReviewFactory(author=client_user)
    client.force_login(client_user)
    decisions = Decision.objects.count()
    response = client.post("/accounts/delete/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.filter(pk=client_user.pk).exists()
    review.refresh_from_db()
    assert review.author_id == client_user.pk
    assert Decision.objects.count() == decisions
    assert client.session["_auth_user_id"] == str(client_user.pk)


def test_keeping_reviews_from_the_form_anonymises_them(client, client_user):
    review = ReviewFactory(author=client_user)
    client.force_login(client_user)
    client.post("/accounts/delete/", {"reviews": "keep", "password": TEST_PASSWORD})
    review.refresh_from_db()
    assert (review.author_id, review.author_display_name) == (None, rules.FORMER_CLIENT_NAME)


def test_deleting_reviews_from_the_form_deletes_them(client, client_user):
    review = ReviewFactory(author=client_user)
    client.force_login(client_user)
    client.post("/accounts/delete/", {"reviews": "delete", "password": TEST_PASSWORD})
    assert not Review.objects.filter(pk=review.pk).exists()


def test_a_double_submitted_deletion_deletes_once_and_the_second_leads_to_the_login(client, client_user):
    client.force_login(client_user)
    first = client.post("/accounts/delete/", {"password": TEST_PASSWORD})
    second = client.post("/accounts/delete/", {"password": TEST_PASSWORD})
    assert first["Location"] == "/accounts/deleted/"
    assert second.status_code == 302 and second["Location"].startswith("/accounts/login/")
    assert Decision.objects.filter(action=Decision.Action.ERASE_ACCOUNT).count() == 1


def test_a_deletion_that_lost_the_race_says_the_account_is_already_gone(client, client_user, monkeypatch):
    """The second of two simultaneous submits waited on the first one's lock, then found no account."""
    client.force_login(client_user)
    monkeypatch.setattr("privacy.views.erase_account", _already_erased)
    response = client.post("/accounts/delete/", {"password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "already been deleted" in response.content.decode()
    assert "_auth_user_id" not in client.session


def _already_erased(**kwargs):
    raise ValidationError(ALREADY_ERASED)


def test_deletion_attempts_are_throttled_even_with_the_right_password(client, client_user, settings):
    settings.ACCOUNT_DELETE_RATE_LIMIT = "2/h"
    client.force_login(client_user)
    for _ in range(2):
        client.post("/accounts/delete/", {"password": "wrong-password"})
    response = client.post("/accounts/delete/", {"password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Nothing was deleted" in response.content.decode()
    assert User.objects.filter(pk=client_user.pk).exists()


# The privacy page and the footer


def test_the_privacy_page_states_the_periods_the_jobs_enforce(client, settings):
    settings.OUTBOX_KEEP_DAYS = 45
    content = re.sub(r"\s+", " ", client.get("/privacy/").content.decode())
    assert f"erased {UNCONFIRMED_ACCOUNT_KEPT.days} days after sign-up" in content
    assert f"Erased {HEALTH_ANSWERS_KEPT.days} days after the appointment" in content
    assert f"for {rules.RETENTION_MONTHS} months" in content
    assert f"{EXPORT_LINK_VALID.days} days after it was ready" in content
    assert "the record after 45 days" in content


def test_the_privacy_page_links_to_each_right(client):
    content = client.get("/privacy/").content.decode()
    for href in ("/accounts/data/", "/accounts/delete/", "/accounts/email/", "/imprint/"):
        assert f'href="{href}"' in content


def test_the_imprint_names_the_operator_from_the_settings(client, settings):
    settings.SITE_OPERATOR = {**settings.SITE_OPERATOR, "name": "Touch GmbH", "address": ["Hauptstr. 1", "Berlin"]}
    content = client.get("/imprint/").content.decode()
    assert "Touch GmbH" in content and "Hauptstr. 1<br>" in content


@pytest.mark.parametrize("path", ["/", "/therapists/", "/how-we-rank/", "/accounts/login/", "/privacy/", "/nowhere/"])
def test_every_page_links_privacy_and_imprint_in_its_footer(client, path):
    content = client.get(path).content.decode()
    footer = content[content.index('<footer class="site-footer">') :]
    assert 'href="/privacy/"' in footer and 'href="/imprint/"' in footer


def test_the_account_pages_link_to_your_data_and_deletion(client, client_user):
    client.force_login(client_user)
    for path in ("/accounts/reviews/", "/accounts/email/", "/accounts/password/change/"):
        content = client.get(path).content.decode()
        assert 'href="/accounts/data/"' in content and 'href="/accounts/delete/"' in content, path
