from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.utils import timezone

from tests.factories import CredentialFactory, ModalityFactory, TherapistFactory, UserFactory
from tests.therapists.uploads import SVG, image_bytes, pdf_bytes, upload
from therapists.models import Credential
from therapists.scores import recompute_score
from therapists.scoring import ScoreInputs, compute_score

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    therapist = TherapistFactory()
    client.force_login(therapist.user)
    return therapist


def credential_data(**overrides):
    today = timezone.localdate()
    data = {
        "kind": "licence",
        "title": "State-certified massage therapist",
        "issuer": "Berlin Health Office",
        "number": "MT-2019-0042",
        "modality": ModalityFactory(slug="swedish").pk,
        "issued_on": (today - timedelta(days=900)).isoformat(),
        "expires_on": (today + timedelta(days=400)).isoformat(),
    }
    data.update(overrides)
    return data


def test_submitted_credential_enters_the_queue_as_pending_with_a_private_server_named_document(client, owner):
    response = client.post(
        "/dashboard/credentials/new/",
        {**credential_data(), "document": upload("my licence scan.pdf", pdf_bytes(), "application/pdf")},
    )

    assert response.status_code == 302
    credential = Credential.objects.get(therapist=owner)
    assert credential.status == Credential.Status.PENDING
    assert credential.title == "State-certified massage therapist"
    assert credential.document.name.endswith(".pdf") and "scan" not in credential.document.name
    assert storages["private"].exists(credential.document.name)


def test_a_png_scan_is_accepted_and_stored_as_png(client, owner):
    client.post("/dashboard/credentials/new/", {**credential_data(), "document": upload("scan", image_bytes("PNG"))})

    assert Credential.objects.get(therapist=owner).document.name.endswith(".png")


BAD_DOCUMENTS = [
    # Just over 10 MB: within the request body limit (10 MB and the form around it), so the form answers.
    pytest.param("licence.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1024), "at most 10 MB", id="over-10-mb-pdf"),
    pytest.param("licence.pdf", b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>",
                 "could not be read", id="html-behind-pdf-magic"),
    pytest.param("licence.pdf", pdf_bytes(javascript="app.alert(1)"), "contains scripts", id="pdf-with-javascript"),
    pytest.param("licence.pdf", pdf_bytes(open_action=True), "contains scripts", id="pdf-openaction-javascript"),
    pytest.param("licence.pdf", pdf_bytes(attachment=b"<html></html>"), "attached files", id="pdf-embedded-file"),
    pytest.param("licence.svg", SVG, "PDF, JPEG or PNG", id="svg"),
    pytest.param("licence.gif", image_bytes("GIF"), "PDF, JPEG or PNG", id="gif"),
    pytest.param("licence.pdf", b"Just some text pretending to be a PDF", "PDF, JPEG or PNG", id="text-named-pdf"),
    pytest.param("licence.png", image_bytes("PNG", size=(300, 300))[:200], "could not be read", id="truncated-png"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_DOCUMENTS)
def test_bad_document_gets_a_clear_message_and_creates_nothing(client, owner, name, content, message):
    response = client.post("/dashboard/credentials/new/", {**credential_data(), "document": upload(name, content)})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Credential.objects.filter(therapist=owner).exists()


@pytest.mark.parametrize(("name", "content", "message"), BAD_DOCUMENTS)
def test_bad_replacement_document_leaves_the_credential_untouched(client, owner, name, content, message):
    credential = CredentialFactory(therapist=owner, verified=True)
    before = Credential.objects.filter(pk=credential.pk).values().get()

    response = client.post(
        f"/dashboard/credentials/{credential.pk}/", {**credential_data(), "document": upload(name, content)}
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Credential.objects.filter(pk=credential.pk).values().get() == before


def test_expiry_before_issue_is_refused_next_to_the_field(client, owner):
    today = timezone.localdate()
    response = client.post(
        "/dashboard/credentials/new/",
        {
            **credential_data(issued_on=today.isoformat(), expires_on=(today - timedelta(days=1)).isoformat()),
            "document": upload("l.pdf", pdf_bytes()),
        },
    )

    assert response.status_code == 200
    assert "The expiry date cannot be before the issue date (" in response.content.decode()
    assert not Credential.objects.exists()


def test_document_is_required_when_submitting(client, owner):
    response = client.post("/dashboard/credentials/new/", credential_data())

    assert response.status_code == 200
    assert not Credential.objects.exists()


def test_dashboard_lists_credentials_with_status_and_the_rejection_reason(client, owner):
    CredentialFactory(
        therapist=owner, rejected=True, title="Old certificate", decision_reason="The scan is unreadable."
    )
    CredentialFactory(therapist=owner, title="New licence")

    response = client.get("/dashboard/")

    html = response.content.decode()
    assert "Old certificate" in html and "The scan is unreadable." in html and "Rejected" in html
    assert "New licence" in html and "Pending review" in html


def test_withdrawing_a_verified_licence_stops_it_counting_toward_the_score(client, owner):
    credential = CredentialFactory(therapist=owner, verified=True)
    from therapists.scores import recompute_score

    recompute_score(therapist_id=owner.pk)
    owner.refresh_from_db()
    assert owner.has_verified_licence

    response = client.post(f"/dashboard/credentials/{credential.pk}/withdraw/")

    assert response.status_code == 302
    credential.refresh_from_db()
    owner.refresh_from_db()
    assert credential.status == Credential.Status.WITHDRAWN
    assert not owner.has_verified_licence


@pytest.mark.parametrize("state", ["rejected", "withdrawn"])
def test_rejected_or_withdrawn_credential_can_be_resubmitted_as_pending(client, owner, state):
    credential = CredentialFactory(therapist=owner, status=state, decision_reason="Illegible scan.")

    response = client.post(f"/dashboard/credentials/{credential.pk}/resubmit/")

    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.status == Credential.Status.PENDING
    assert credential.decision_reason == ""


def test_pending_credential_cannot_be_resubmitted(client, owner):
    credential = CredentialFactory(therapist=owner)
    before = Credential.objects.filter(pk=credential.pk).values().get()

    response = client.post(f"/dashboard/credentials/{credential.pk}/resubmit/", follow=True)

    assert "Only a rejected or withdrawn credential can be resubmitted." in response.content.decode()
    assert Credential.objects.filter(pk=credential.pk).values().get() == before


def test_editing_a_verified_credentials_facts_sends_it_back_to_pending_and_rescores(client, owner):
    credential = CredentialFactory(therapist=owner, verified=True)
    recompute_score(therapist_id=owner.pk)
    owner.refresh_from_db()
    score_with_licence = owner.score
    old_document = credential.document.name

    response = client.post(f"/dashboard/credentials/{credential.pk}/", credential_data(number="MT-CORRECTED"))

    assert response.status_code == 302
    credential.refresh_from_db()
    owner.refresh_from_db()
    assert credential.status == Credential.Status.PENDING
    assert credential.number == "MT-CORRECTED"
    assert credential.document.name == old_document
    # Back to pending: the licence's 20 points go, and so do the years it proved (v2 score).
    assert owner.score == pytest.approx(compute_score(ScoreInputs(years_of_experience=owner.years_of_experience)).score)
    assert owner.score < score_with_licence - 20


def test_saving_a_verified_credential_unchanged_keeps_it_verified(client, owner):
    credential = CredentialFactory(
        therapist=owner, verified=True, modality=ModalityFactory(slug="swedish"), number="MT-2019-0042"
    )
    data = credential_data(
        title=credential.title,
        issuer=credential.issuer,
        issued_on=credential.issued_on.isoformat(),
        expires_on=credential.expires_on.isoformat(),
    )

    client.post(f"/dashboard/credentials/{credential.pk}/", data)

    credential.refresh_from_db()
    assert credential.status == Credential.Status.VERIFIED


def test_new_document_for_a_credential_replaces_the_old_file_after_commit(
    client, owner, django_capture_on_commit_callbacks
):
    credential = CredentialFactory(therapist=owner)
    old_name = credential.document.name

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/dashboard/credentials/{credential.pk}/",
            {**credential_data(), "document": upload("new.png", image_bytes("PNG"))},
        )

    credential.refresh_from_db()
    assert credential.document.name.endswith(".png")
    assert storages["private"].exists(credential.document.name)
    assert not storages["private"].exists(old_name)


def test_document_is_streamed_inline_with_its_type_and_nosniff_to_the_owner(client, owner):
    credential = CredentialFactory(therapist=owner)

    response = client.get(f"/dashboard/credentials/{credential.pk}/document/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    # A download name made by the server, never the uploader's.
    assert response["Content-Disposition"] == f'inline; filename="credential-{credential.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    # Sandboxed: even a document that held script could not act as this site.
    assert response["Content-Security-Policy"].split(";")[0].strip() == "sandbox"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_document_may_be_framed_by_our_own_pages_only(client, owner):
    """The moderation queue shows it in a same-origin frame; other sites still cannot frame it."""
    credential = CredentialFactory(therapist=owner)

    response = client.get(f"/dashboard/credentials/{credential.pk}/document/")

    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_other_pages_cannot_be_framed_at_all(client, owner):
    response = client.get("/dashboard/")

    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_moderator_can_read_any_document(client):
    credential = CredentialFactory()
    client.force_login(UserFactory(moderator=True))

    response = client.get(f"/dashboard/credentials/{credential.pk}/document/")

    assert response.status_code == 200


def test_anonymous_document_request_is_sent_to_log_in(client):
    credential = CredentialFactory()

    response = client.get(f"/dashboard/credentials/{credential.pk}/document/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_documents_are_not_under_the_public_media_root(settings):
    credential = CredentialFactory()

    path = storages["private"].path(credential.document.name)

    assert not str(path).startswith(str(settings.MEDIA_ROOT))


def test_empty_credential_post_shows_the_missing_fields_and_saves_nothing(client, owner):
    response = client.post("/dashboard/credentials/new/", {})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not owner.credentials.exists()
