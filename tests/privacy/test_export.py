"""The archive of one's own data: what each role gets, and nobody else's data in it."""

import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from moderation.models import Decision
from privacy import export as export_module
from privacy.models import DataExport
from tests.factories import (
    AppointmentFactory,
    AppointmentRequestFactory,
    CredentialFactory,
    DecisionFactory,
    EmailFactory,
    ReviewFactory,
    ReviewFlagFactory,
    ReviewReplyFactory,
    ReviewReplyFlagFactory,
    TherapistFactory,
    UserFactory,
)
from tests.privacy.helpers import archive_of, built_export, data_of, everything

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Anna (a client) and Clara (the therapist she saw), with Bob and Otto doing the same things beside them."""
    clara = TherapistFactory(display_name="Clara Weber", user__email="clara@example.com", bookable=True)
    otto = TherapistFactory(display_name="Otto Other", user__email="otto-secret@example.com", bookable=True)
    anna = UserFactory(email="anna@example.com", name="Anna Kowalski")
    bob = UserFactory(email="bob-secret@example.com", name="Bob Secretname")

    anna_review = ReviewFactory(therapist=clara, author=anna, title="Anna liked it", body="Anna's own words.")
    bob_review = ReviewFactory(therapist=clara, author=bob, title="Bob private title", body="BOB-BODY-TEXT")
    ReviewReplyFactory(review=anna_review, body="Clara answers Anna.")
    ReviewReplyFactory(review=bob_review, body="CLARA-TO-BOB-REPLY")
    ReviewFactory(therapist=otto, author=bob, title="Bob about Otto", body="BOB-ON-OTTO")
    ReviewFlagFactory(review=bob_review, user=anna, note="Anna thinks this is fake.")
    ReviewFlagFactory(review=anna_review, user=bob, note="BOB-FLAG-NOTE")

    anna_request = AppointmentRequestFactory(
        client=anna, therapist=clara, message="Anna's stiff neck.", answers={"spine_tumour": True}
    )
    AppointmentRequestFactory(
        client=bob, therapist=clara, message="BOB-PRIVATE-MESSAGE", answers={"skin_condition": True}
    )
    AppointmentRequestFactory(client=bob, therapist=otto, message="BOB-TO-OTTO")
    AppointmentFactory(request__client=anna, request__therapist=clara, request__message="Anna's earlier visit.")

    clara_licence = CredentialFactory(
        therapist=clara, number="CLARA-LIC-1", document=ContentFile(b"%PDF-1.4 CLARA-DOCUMENT", name="l.pdf")
    )
    CredentialFactory(
        therapist=otto, number="OTTO-LIC-999", document=ContentFile(b"%PDF-1.4 OTTO-DOCUMENT", name="o.pdf")
    )
    moderator = UserFactory(email="mod@example.com", moderator=True)
    DecisionFactory(
        actor=moderator,
        target_type="therapists.credential",
        target_id=clara_licence.pk,
        target_repr="Licence of Clara Weber",
        reason="Register entry matches.",
    )
    DecisionFactory(
        actor=moderator,
        target_type="therapists.credential",
        target_id=999999,
        target_repr="OTTO-IN-THE-LOG",
        reason="OTHER-DECISION",
    )
    EmailFactory(to="anna@example.com", subject="Your appointment is confirmed", sent=True)
    EmailFactory(to="bob-secret@example.com", subject="BOB-EMAIL-SUBJECT", sent=True)
    return {
        "anna": anna, "bob": bob, "clara": clara, "otto": otto, "moderator": moderator,
        "anna_request": anna_request, "clara_licence": clara_licence,
    }  # fmt: skip


def open_archive(user):
    export = built_export(user)
    assert export.status == DataExport.Status.READY
    return archive_of(export, storages["private"])


def test_the_archive_holds_data_json_a_readable_summary_and_a_readme(world):
    archive = open_archive(world["anna"])
    assert {"data.json", "summary.html", "README.txt"} <= set(archive.namelist())
    summary = archive.read("summary.html").decode()
    assert "Anna liked it" in summary and "<script" not in summary


def test_a_clients_archive_holds_their_account_reviews_flags_requests_and_safety_answers(world):
    data = data_of(open_archive(world["anna"]))
    assert data["account"]["email"] == "anna@example.com"
    assert [row["email"] for row in data["email_addresses"]] == ["anna@example.com"]
    assert [review["title"] for review in data["reviews_written"]] == ["Anna liked it"]
    assert [flag["note"] for flag in data["flags_sent"]] == ["Anna thinks this is fake."]
    messages = {request["message"] for request in data["appointment_requests_sent"]}
    assert messages == {"Anna's stiff neck.", "Anna's earlier visit."}
    mine = next(r for r in data["appointment_requests_sent"] if r["id"] == world["anna_request"].pk)
    assert mine["safety_answers"]["Do you have a tumour, a cyst or metastases in the spine?"] is True
    assert mine["therapist"] == "Clara Weber"
    assert len(data["appointments_booked"]) == 1
    assert [email["subject"] for email in data["emails_sent_to_you"]] == ["Your appointment is confirmed"]
    assert "therapist_profile" not in data
    assert "decisions_you_made" not in data


def test_a_clients_archive_holds_nobody_elses_data(world):
    text = everything(open_archive(world["anna"]))
    for foreign in [
        "bob-secret@example.com", "Bob Secretname", "BOB-BODY-TEXT", "Bob private title", "BOB-ON-OTTO",
        "BOB-FLAG-NOTE", "BOB-PRIVATE-MESSAGE", "BOB-TO-OTTO", "BOB-EMAIL-SUBJECT", "CLARA-TO-BOB-REPLY",
        "clara@example.com", "CLARA-DOCUMENT", "CLARA-LIC-1", "OTTO-DOCUMENT", "mod@example.com",
        "Licence of Clara Weber",
    ]:  # fmt: skip
        assert foreign not in text, foreign


def test_a_therapists_archive_holds_the_profile_credentials_documents_replies_and_requests_received(world):
    archive = open_archive(world["clara"].user)
    data = data_of(archive)
    profile = data["therapist_profile"]
    assert profile["display_name"] == "Clara Weber"
    assert profile["modality_names"]
    assert len(profile["opening_hours"]) == 7
    (credential,) = profile["credentials"]
    assert credential["number"] == "CLARA-LIC-1"
    assert archive.read(credential["document"]) == b"%PDF-1.4 CLARA-DOCUMENT"
    assert {reply["body"] for reply in profile["replies_to_reviews"]} == {"Clara answers Anna.", "CLARA-TO-BOB-REPLY"}
    # Their copy of the requests sent to them: what the inbox shows, safety answers included.
    received = {request["message"]: request for request in profile["appointment_requests_received"]}
    assert set(received) == {"Anna's stiff neck.", "BOB-PRIVATE-MESSAGE", "Anna's earlier visit."}
    assert received["Anna's stiff neck."]["client"] == "Anna Kowalski"
    assert [d["reason"] for d in profile["decisions_about_your_profile"]] == ["Register entry matches."]


def test_a_therapists_archive_holds_no_clients_address_no_review_text_and_no_other_therapist(world):
    text = everything(open_archive(world["clara"].user))
    for foreign in [
        "anna@example.com", "bob-secret@example.com", "BOB-BODY-TEXT", "Anna's own words.", "BOB-FLAG-NOTE",
        "BOB-TO-OTTO", "OTTO-DOCUMENT", "OTTO-LIC-999", "otto-secret@example.com", "mod@example.com",
        "OTTO-IN-THE-LOG", "OTHER-DECISION", "Licence of Clara Weber",
    ]:  # fmt: skip
        assert foreign not in text, foreign


def test_a_moderators_archive_lists_their_decisions_without_the_people_they_concerned(world):
    data = data_of(open_archive(world["moderator"]))
    assert sorted(d["reason"] for d in data["decisions_you_made"]) == ["OTHER-DECISION", "Register entry matches."]
    text = everything(open_archive(world["moderator"]))
    assert "Licence of Clara Weber" not in text and "OTTO-IN-THE-LOG" not in text
    assert "clara@example.com" not in text


def test_a_document_missing_from_disk_is_listed_instead_of_failing_the_archive(world):
    licence = world["clara_licence"]
    licence.document.storage.delete(licence.document.name)
    archive = open_archive(world["clara"].user)
    assert data_of(archive)["missing_files"] == [f"documents/credential-{licence.pk}.pdf"]


def test_the_summary_escapes_what_people_wrote(world):
    ReviewFactory(author=world["anna"], title="<img src=x onerror=alert(1)>")
    summary = open_archive(world["anna"]).read("summary.html").decode()
    assert "<img src=x" not in summary
    assert "&lt;img src=x onerror=alert(1)&gt;" in summary


def test_a_build_that_fails_marks_the_export_failed_and_keeps_no_file(world, monkeypatch):
    def broken(user):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_module, "collect", broken)
    export = built_export(world["anna"])
    assert export.status == DataExport.Status.FAILED
    assert export.archive == ""
    private = storages["private"]
    assert not private.exists("exports") or private.listdir("exports")[1] == []


def test_the_owner_is_emailed_when_the_archive_is_ready(world, mailoutbox):
    built_export(world["anna"])
    (email,) = [message for message in mailoutbox if "ready" in message.subject]
    assert email.to == ["anna@example.com"]
    assert "/accounts/data/" in email.body


def test_only_the_decision_log_rows_are_read_not_written(world):
    before = Decision.objects.count()
    open_archive(world["moderator"])
    assert Decision.objects.count() == before


def test_a_clients_archive_holds_the_reports_they_sent_about_replies():
    reader = UserFactory()
    reply = ReviewReplyFactory(body="The therapist's own words.")
    ReviewReplyFlagFactory(reply=reply, user=reader, reason="private", note="Names my condition.")
    data = data_of(open_archive(reader))
    assert [(flag["review_id"], flag["reason"], flag["note"]) for flag in data["reply_flags_sent"]] == [
        (reply.review_id, "Private information", "Names my condition.")
    ]
    assert "The therapist's own words." not in json.dumps(data)
