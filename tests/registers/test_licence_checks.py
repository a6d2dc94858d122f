"""The register's answer where people meet it: submitting a licence, the moderator's view and log, the profile."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from moderation.models import Decision
from tests.factories import (
    CredentialFactory,
    ModalityFactory,
    RegisterEntryFactory,
    RegisterFactory,
    TherapistFactory,
    UserFactory,
)
from tests.therapists.uploads import pdf_bytes, upload
from therapists.models import Credential

pytestmark = pytest.mark.django_db
IN_A_YEAR = timezone.localdate() + timedelta(days=365)


@pytest.fixture
def texas():
    register = RegisterFactory(name="Texas TDLR", board="Texas Department of Licensing and Regulation")
    RegisterEntryFactory(register=register, number="MT123456", name="NOWAK, IVAN PETROV", expires_on=IN_A_YEAR)
    return register


@pytest.fixture
def ivan(client):
    therapist = TherapistFactory(display_name="Ivan Nowak", slug="ivan-nowak", status="published")
    client.force_login(therapist.user)
    return therapist


def licence_data(register, **overrides):
    today = timezone.localdate()
    return {
        "kind": "licence", "title": "Massage Therapist", "issuer": "TDLR", "number": "mt 123456",
        "register": register.pk, "modality": ModalityFactory(slug="swedish").pk,
        "issued_on": (today - timedelta(days=900)).isoformat(), "expires_on": IN_A_YEAR.isoformat(),
        "document": upload("licence.pdf", pdf_bytes(), "application/pdf"), **overrides,
    }


def test_submitting_a_licence_in_a_register_stores_the_registers_answer(client, ivan, texas):
    response = client.post("/dashboard/credentials/new/", licence_data(texas))
    assert response.status_code == 302
    credential = Credential.objects.get(therapist=ivan)
    assert credential.register == texas
    assert credential.register_answer["verdict"] == "match"
    assert credential.register_answer["name_in_register"] == "NOWAK, IVAN PETROV"
    assert credential.register_checked_at is not None
    assert credential.status == Credential.Status.PENDING  # the moderator still decides


def test_a_near_miss_number_is_stored_as_not_in_the_register(client, ivan, texas):
    client.post("/dashboard/credentials/new/", licence_data(texas, number="MT123457"))
    assert Credential.objects.get(therapist=ivan).register_answer["verdict"] == "not_found"


def test_a_certificate_cannot_name_a_register_and_nothing_is_saved(client, ivan, texas):
    response = client.post("/dashboard/credentials/new/", licence_data(texas, kind="certificate"))
    assert response.status_code == 200
    assert "Only a licence is listed in a board" in response.content.decode()
    assert not Credential.objects.exists()


def test_a_register_without_a_number_asks_for_it(client, ivan, texas):
    response = client.post("/dashboard/credentials/new/", licence_data(texas, number=""))
    assert "Give the licence number as the register writes it" in response.content.decode()
    assert not Credential.objects.exists()


def test_a_register_never_imported_is_not_offered(client, ivan, texas):
    never = RegisterFactory(last_imported_at=None)
    response = client.post("/dashboard/credentials/new/", licence_data(never))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Credential.objects.exists()


def test_without_an_imported_register_the_form_asks_for_none(client, ivan):
    RegisterFactory(last_imported_at=None)
    assert 'name="register"' not in client.get("/dashboard/credentials/new/").content.decode()


def test_the_moderators_view_shows_the_registers_answer_beside_the_document(client, texas):
    credential = CredentialFactory(
        therapist=TherapistFactory(display_name="Ivan Nowak"), register=texas, number="MT123456"
    )
    client.force_login(UserFactory(moderator=True))
    page = client.get(f"/moderation/credentials/{credential.pk}/").content.decode()
    assert (
        f"Register: Massage Therapist, active, expires {IN_A_YEAR.isoformat()}, no discipline; "
        "name matches (NOWAK, IVAN PETROV ↔ Ivan Nowak)"
    ) in page


def test_the_moderators_view_says_when_the_register_says_revoked(client, texas):
    RegisterEntryFactory(register=texas, number="MT999999", name="NOWAK, IVAN", status="revoked",
                         status_text="REVOKED", expires_on=date(2026, 1, 1))
    credential = CredentialFactory(
        therapist=TherapistFactory(display_name="Ivan Nowak"), register=texas, number="MT999999"
    )
    client.force_login(UserFactory(moderator=True))
    page = client.get(f"/moderation/credentials/{credential.pk}/").content.decode()
    assert "Register says revoked: Massage Therapist, revoked, expired 2026-01-01" in page


def test_the_moderators_view_says_not_in_the_register(client, texas):
    credential = CredentialFactory(register=texas, number="MT000001")
    client.force_login(UserFactory(moderator=True))
    page = client.get(f"/moderation/credentials/{credential.pk}/").content.decode()
    assert "Not in the register (Texas TDLR) under number MT000001." in page


def test_the_decision_log_keeps_the_registers_answer_at_decision_time(client, texas):
    credential = CredentialFactory(
        therapist=TherapistFactory(display_name="Ivan Nowak"), register=texas, number="MT123456"
    )
    client.force_login(UserFactory(moderator=True))
    response = client.post(f"/moderation/credentials/{credential.pk}/verify/", {"expires_on": ""})
    assert response.status_code == 302
    decision = Decision.objects.get(action=Decision.Action.VERIFY_CREDENTIAL)
    assert decision.after["register"]["verdict"] == "match"
    assert decision.after["register"]["summary"].startswith("Register: Massage Therapist, active")
    texas.entries.update(status="revoked")  # the register changes later; the log does not
    decision.refresh_from_db()
    assert decision.after["register"]["standing"] == "active"
    credential.refresh_from_db()
    assert credential.status == Credential.Status.VERIFIED
    assert credential.register_checked_at is not None


def test_the_profile_says_checked_against_the_register_with_its_lookup_and_complaint_links(client, texas):
    therapist = TherapistFactory(display_name="Ivan Nowak", status="published")
    CredentialFactory(
        therapist=therapist, verified=True, register=texas, number="MT123456",
        register_checked_at=timezone.make_aware(timezone.datetime(2026, 11, 30, 9)),
        register_answer={"number": "MT123456", "has_discipline": False},
    )
    page = client.get(f"/therapists/{therapist.slug}/").content.decode()
    assert "Checked against" in page
    lookup = "https://www.tdlr.texas.gov/LicenseSearch/?number=MT123456"
    assert f'<a href="{lookup}" rel="noopener noreferrer">Texas TDLR</a>' in page
    assert "on 30 November 2026" in page
    assert (
        '<a href="https://www.tdlr.texas.gov/complaints/" rel="noopener noreferrer">'
        "File a complaint with Texas Department of Licensing and Regulation</a>"
    ) in page


def test_the_profile_shows_a_discipline_record_in_the_registers_words(client, texas):
    therapist = TherapistFactory(status="published")
    CredentialFactory(
        therapist=therapist, verified=True, register=texas, number="MT123456", register_checked_at=timezone.now(),
        register_answer={"number": "MT123456", "has_discipline": True, "discipline": "Reprimand <2024>: records"},
    )
    page = client.get(f"/therapists/{therapist.slug}/").content.decode()
    assert "Texas TDLR records a disciplinary action: “Reprimand &lt;2024&gt;: records”." in page


def test_a_pending_licence_does_not_claim_a_register_check_on_the_profile(client, texas):
    therapist = TherapistFactory(status="published")
    CredentialFactory(therapist=therapist, register=texas, number="MT123456", register_checked_at=timezone.now())
    page = client.get(f"/therapists/{therapist.slug}/").content.decode()
    assert "Checked against" not in page
    assert "File a complaint with Texas Department of Licensing and Regulation" in page
