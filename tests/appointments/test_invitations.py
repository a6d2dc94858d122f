"""The review invitation: signed, for the appointment's client only, valid 30 days, used once."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from appointments.invitations import invitation_token, read_invitation, use_invitation
from tests.factories import AppointmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def attended():
    return AppointmentFactory(attended=True)


def test_a_valid_token_opens_its_appointment(attended):
    token = invitation_token(attended)
    assert read_invitation(token, user=attended.client, now=timezone.now()) == attended


@pytest.mark.parametrize(
    "tamper", [lambda t: t[:-2] + "xx", lambda t: t.replace(":", ";", 1), lambda t: "", lambda t: "a" * 300]
)
def test_a_tampered_token_is_refused(attended, tamper):
    with pytest.raises(ValidationError, match="not valid"):
        read_invitation(tamper(invitation_token(attended)), user=attended.client, now=timezone.now())


def test_a_token_for_another_clients_appointment_is_refused(attended):
    with pytest.raises(ValidationError, match="another account"):
        read_invitation(invitation_token(attended), user=UserFactory(), now=timezone.now())


def test_a_token_expires_after_thirty_days(attended):
    token = invitation_token(attended)
    assert read_invitation(token, user=attended.client, now=attended.invited_at + timedelta(days=30))
    with pytest.raises(ValidationError, match="expired on"):
        read_invitation(token, user=attended.client, now=attended.invited_at + timedelta(days=30, seconds=1))


def test_a_used_token_is_refused_and_cannot_be_used_twice(attended):
    token = invitation_token(attended)
    use_invitation(attended, now=timezone.now())
    with pytest.raises(ValidationError, match="already been used"):
        read_invitation(token, user=attended.client, now=timezone.now())
    with pytest.raises(ValidationError, match="already been used"):
        use_invitation(attended, now=timezone.now())


def test_a_token_from_an_earlier_invitation_is_refused(attended):
    """The token names the moment of its invitation; a re-sent invitation replaces the old link."""
    token = invitation_token(attended)
    attended.invited_at += timedelta(seconds=1)
    attended.save()
    with pytest.raises(ValidationError, match="not valid any more"):
        read_invitation(token, user=attended.client, now=timezone.now())


def test_a_booked_appointment_has_no_usable_invitation():
    booked = AppointmentFactory(past=True)
    booked.invited_at = timezone.now()  # never saved: the database refuses it for a booked appointment
    with pytest.raises(ValidationError, match="not valid any more"):
        read_invitation(invitation_token(booked), user=booked.client, now=timezone.now())
