"""The daily re-check: a verified licence the register no longer confirms stops counting, and it is logged."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from moderation import tasks
from moderation.models import Decision
from moderation.services import recheck_licences
from tests.factories import CredentialFactory, RegisterEntryFactory, RegisterFactory, TherapistFactory
from tests.registers.test_import_register import texas_row, write_csv
from therapists.models import Credential, Therapist
from therapists.scores import recompute_score

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    return RegisterFactory(slug="texas-tdlr", name="Texas TDLR")


def verified_licence(register, number="MT000001", **entry):
    therapist = TherapistFactory(display_name="Ivan Nowak", status=Therapist.Status.PUBLISHED)
    credential = CredentialFactory(therapist=therapist, verified=True, register=register, number=number)
    RegisterEntryFactory(register=register, number=number, name="NOWAK, IVAN", expires_on=credential.expires_on,
                         **entry)
    recompute_score(therapist_id=therapist.pk)
    therapist.refresh_from_db()
    assert therapist.has_verified_licence
    return credential


def test_a_licence_the_register_revokes_stops_counting_at_once_logged_and_emailed(register):
    credential = verified_licence(register, status="revoked", status_text="REVOKED")
    outcomes = recheck_licences()
    assert outcomes["revoked"] == 1
    credential.refresh_from_db()
    assert credential.status == Credential.Status.REJECTED
    assert credential.decision_reason.startswith("Texas TDLR, checked on")
    assert "Register says revoked" in credential.decision_reason
    credential.therapist.refresh_from_db()
    assert not credential.therapist.has_verified_licence
    decision = Decision.objects.get(action=Decision.Action.REVOKE_CREDENTIAL)
    assert decision.actor is None
    assert decision.after["register"]["standing"] == "revoked"


def test_the_revocation_email_says_the_register_withdrew_it(register, django_capture_on_commit_callbacks):
    verified_licence(register, status="revoked")
    with django_capture_on_commit_callbacks(execute=True):
        recheck_licences()
    assert len(mail.outbox) == 1
    assert "Our check against the licensing board's register has withdrawn" in mail.outbox[0].body


def test_a_licence_the_register_shows_expired_goes_back_to_the_queue_with_the_reason(register):
    credential = verified_licence(register, status="expired", status_text="EXPIRED")
    assert recheck_licences()["requeued"] == 1
    credential.refresh_from_db()
    assert credential.status == Credential.Status.PENDING
    assert "Register says expired" in credential.decision_reason
    decision = Decision.objects.get(action=Decision.Action.REQUEUE_CREDENTIAL)
    assert (decision.actor, decision.before, decision.after["status"]) == (None, {"status": "verified"}, "pending")
    credential.therapist.refresh_from_db()
    assert not credential.therapist.has_verified_licence


def test_a_licence_that_vanished_from_the_file_goes_back_to_the_queue_after_the_import(register, tmp_path):
    therapist = TherapistFactory(display_name="Ivan Nowak", status=Therapist.Status.PUBLISHED)
    credential = CredentialFactory(therapist=therapist, verified=True, register=register, number="MT000001")
    expires = credential.expires_on.strftime("%m/%d/%Y")
    call_command("import_register", "texas-tdlr",
                 str(write_csv(tmp_path / "day1.csv", [texas_row("MT000001", "NOWAK, IVAN", expires)])),
                 stdout=io.StringIO())
    credential.refresh_from_db()
    assert credential.status == Credential.Status.VERIFIED
    out = io.StringIO()
    call_command("import_register", "texas-tdlr", str(write_csv(tmp_path / "day2.csv", [texas_row("MT000002")])),
                 stdout=out)
    assert "1 back to the moderators' queue" in out.getvalue()
    credential.refresh_from_db()
    assert credential.status == Credential.Status.PENDING
    assert "No longer in the register (Texas TDLR) under number MT000001" in credential.decision_reason


def test_an_expiry_date_the_register_moved_is_updated_and_logged(register):
    credential = verified_licence(register)
    later = credential.expires_on + timedelta(days=730)
    register.entries.update(expires_on=later)
    assert recheck_licences()["expiry_updated"] == 1
    credential.refresh_from_db()
    assert (credential.status, credential.expires_on) == (Credential.Status.VERIFIED, later)
    decision = Decision.objects.get(action=Decision.Action.UPDATE_CREDENTIAL_EXPIRY)
    assert decision.after["expires_on"] == later.isoformat()


def test_a_confirmed_licence_records_the_check_and_logs_nothing(register):
    credential = verified_licence(register)
    assert recheck_licences()["confirmed"] == 1
    credential.refresh_from_db()
    assert credential.status == Credential.Status.VERIFIED
    assert credential.register_checked_at is not None
    assert credential.register_answer["verdict"] == "match"
    assert not Decision.objects.exists()


def test_licences_without_a_register_and_pending_ones_are_left_alone():
    untouched = CredentialFactory(verified=True)
    pending = CredentialFactory(register=RegisterFactory())
    assert sum(recheck_licences().values()) == 0
    untouched.refresh_from_db()
    pending.refresh_from_db()
    assert (untouched.status, pending.status) == (Credential.Status.VERIFIED, Credential.Status.PENDING)


def test_the_recheck_command_prints_the_outcomes(register):
    verified_licence(register, status="suspended", status_text="SUSPENDED")
    out = io.StringIO()
    call_command("recheck_licences", stdout=out)
    assert "Verified licences re-checked: 1" in out.getvalue()
    assert "1 back to the moderators' queue" in out.getvalue()


def test_the_daily_recheck_is_scheduled_and_runs_the_service(register, settings):
    assert settings.CELERY_BEAT_SCHEDULE["recheck-licences"]["task"] == "moderation.tasks.recheck_licences"
    verified_licence(register, status="revoked")
    assert tasks.recheck_licences.apply().get()["revoked"] == 1
