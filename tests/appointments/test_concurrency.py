"""Two accepts of overlapping slots at the same moment on PostgreSQL: exactly one wins."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from appointments import services
from appointments.models import Appointment, AppointmentRequest
from tests.factories import AppointmentFactory, AppointmentRequestFactory, TherapistFactory, in_days

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_overlapping_accepts_at_once_book_exactly_one(monkeypatch):
    therapist = TherapistFactory(bookable=True)
    first = AppointmentRequestFactory(therapist=therapist, times=[in_days(3, 10)])
    second = AppointmentRequestFactory(therapist=therapist, times=[in_days(3, 10) + timedelta(minutes=30)])
    barrier = threading.Barrier(2)
    # Both pass the friendly pre-check before either inserts, so the exclusion constraint must decide.
    original_check = services.check_start

    def check_then_wait(*args, **kwargs):
        original_check(*args, **kwargs)
        barrier.wait(timeout=30)

    monkeypatch.setattr(services, "check_start", check_then_wait)
    outcomes = {}

    def accept(appointment_request):
        try:
            services.accept_request(
                appointment_request=appointment_request,
                therapist_user=therapist.user,
                proposed_time=appointment_request.proposed_times.get(),
            )
            outcomes[appointment_request.pk] = "booked"
        except ValidationError as error:
            outcomes[appointment_request.pk] = error.messages[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(r,)) for r in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert list(outcomes.values()).count("booked") == 1
    [refused] = [message for message in outcomes.values() if message != "booked"]
    assert "was booked a moment ago" in refused
    assert Appointment.objects.count() == 1
    # The loser's request is still open: its transaction rolled back whole.
    states = sorted(AppointmentRequest.objects.values_list("state", flat=True))
    assert states == ["accepted", "requested"]


def test_the_exclusion_constraint_refuses_an_overlap_written_past_the_services():
    booked = AppointmentFactory(starts_at=in_days(3, 10))
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(request__therapist=booked.therapist, starts_at=in_days(3, 10) + timedelta(minutes=59))


def test_the_exclusion_constraint_ignores_cancelled_appointments_and_touching_ones():
    booked = AppointmentFactory(starts_at=in_days(3, 10), state="cancelled")
    AppointmentFactory(request__therapist=booked.therapist, starts_at=in_days(3, 10))
    AppointmentFactory(request__therapist=booked.therapist, starts_at=in_days(3, 11))  # starts as the other ends
    assert Appointment.objects.count() == 3
