"""Requesting, answering, cancelling and marking appointments: the rules and every bad input."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from appointments import services
from appointments.models import Appointment, AppointmentRequest, Event, HealthAnswers, ProposedTime
from tests.factories import (
    AppointmentFactory,
    AppointmentRequestFactory,
    ModalityFactory,
    TherapistFactory,
    UserFactory,
    in_days,
)

pytestmark = pytest.mark.django_db
NO = {"spine_tumour": False, "skin_condition": False, "acute_back_pain": False, "chronic_illness": False}
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def bookable(db):
    return TherapistFactory(bookable=True, display_name="Clara Weber")


def send(therapist, client=None, starts=None, **overrides):
    values = {
        "client": client or UserFactory(),
        "therapist": therapist,
        "modality": therapist.modalities.first(),
        "starts": starts if starts is not None else [in_days(3)],
        "message": "Stiff neck.",
        "answers": NO,
    }
    return services.request_appointment(**{**values, **overrides})


def assert_nothing_sent():
    assert not AppointmentRequest.objects.exists()
    assert not ProposedTime.objects.exists()
    assert not HealthAnswers.objects.exists()


def test_request_stores_times_answers_and_its_first_event(bookable, django_capture_on_commit_callbacks):
    client = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        appointment_request = send(
            bookable, client, starts=[in_days(4, 11), in_days(3, 10)], answers={**NO, "acute_back_pain": True}
        )
    assert appointment_request.state == AppointmentRequest.State.REQUESTED
    assert [t.starts_at for t in appointment_request.proposed_times.all()] == [in_days(3, 10), in_days(4, 11)]
    assert appointment_request.health_answers.yes_answers == ["Acute flare-up of back pain"]
    event = appointment_request.events.get()
    assert (event.transition, event.to_state, event.actor) == ("send_request", "requested", client)
    assert [message.to for message in mail.outbox] == [[bookable.user.email]]
    assert "back pain" not in mail.outbox[0].body  # never the health answers by email


@pytest.mark.parametrize(
    ("starts", "message"),
    [
        ([timezone.now() - timedelta(hours=1)], "is in the past"),
        ([in_days(61)], "more than 60 days ahead"),
        ([in_days(3, 7)], "outside Clara Weber's opening hours"),
        ([in_days(3, 19) + timedelta(minutes=30)], "outside"),  # would end at 20:30, after closing
        ([in_days(3, 10) + timedelta(minutes=7)], "on the hour or at a quarter"),
        ([], "one to three"),
        ([in_days(3), in_days(4), in_days(5), in_days(6)], "one to three"),
        ([in_days(3), in_days(3)], "must be different"),
    ],
)
def test_a_time_that_cannot_be_booked_is_refused_and_nothing_is_sent(bookable, starts, message):
    with pytest.raises(ValidationError, match=message):
        send(bookable, starts=starts)
    assert_nothing_sent()


def test_an_already_booked_slot_is_refused(bookable):
    AppointmentFactory(request__therapist=bookable, starts_at=in_days(3, 10))
    with pytest.raises(ValidationError, match="already booked"):
        send(bookable, starts=[in_days(3, 10) + timedelta(minutes=30)])
    assert AppointmentRequest.objects.count() == 1  # only the factory's


def test_a_massage_type_the_therapist_does_not_offer_is_refused(bookable):
    with pytest.raises(ValidationError, match="massage type this therapist offers"):
        send(bookable, modality=ModalityFactory(slug="hot-stones"))
    assert_nothing_sent()


@pytest.mark.parametrize(
    ("therapist_kwargs", "message"),
    [
        ({"draft": True}, "not taking appointment requests"),
        ({"suspended": True}, "not taking appointment requests"),
        ({"accepts_appointment_requests": False}, "not taking appointment requests"),
        ({"opening_hours": []}, "not taking appointment requests"),
    ],
)
def test_profiles_not_taking_requests_refuse_them(therapist_kwargs, message):
    therapist = TherapistFactory(bookable=True, **therapist_kwargs)
    with pytest.raises(ValidationError, match=message):
        send(therapist)
    assert_nothing_sent()


def test_no_request_to_oneself(bookable):
    with pytest.raises(ValidationError, match="yourself"):
        send(bookable, client=bookable.user)
    assert_nothing_sent()


def test_an_unconfirmed_email_cannot_request(bookable):
    with pytest.raises(ValidationError, match="confirm your email"):
        send(bookable, client=UserFactory(confirmed=False))
    assert_nothing_sent()


def test_a_second_open_request_to_the_same_therapist_is_refused(bookable):
    client = UserFactory()
    send(bookable, client)
    with pytest.raises(ValidationError, match="already have an open request"):
        send(bookable, client, starts=[in_days(5)])
    assert AppointmentRequest.objects.count() == 1


def test_at_most_five_open_requests_per_client(settings):
    client = UserFactory()
    for _ in range(5):
        send(TherapistFactory(bookable=True), client)
    with pytest.raises(ValidationError, match="5 requests waiting"):
        send(TherapistFactory(bookable=True), client)
    assert AppointmentRequest.objects.filter(client=client).count() == 5


def test_a_closed_request_frees_its_place_under_the_open_limit():
    client = UserFactory()
    requests = [send(TherapistFactory(bookable=True), client) for _ in range(5)]
    services.cancel_request(appointment_request=requests[0], client=client)
    send(TherapistFactory(bookable=True), client)
    assert AppointmentRequest.objects.filter(client=client).open().count() == 5


def test_at_most_twenty_requests_a_day_counted_in_the_database(settings):
    client = UserFactory()
    for _ in range(20):
        AppointmentRequestFactory(client=client, state=AppointmentRequest.State.CANCELLED)
    with pytest.raises(ValidationError, match="at most 20 appointment requests a day"):
        send(TherapistFactory(bookable=True), client)
    assert AppointmentRequest.objects.filter(client=client).count() == 20


def test_the_daily_limit_also_holds_in_the_shared_cache(settings):
    """A counter another worker incremented stops the request even before the rows are visible."""
    settings.APPOINTMENT_DAILY_REQUEST_LIMIT = 2
    client = UserFactory()
    send(TherapistFactory(bookable=True), client)
    send(TherapistFactory(bookable=True), client)
    AppointmentRequest.objects.filter(client=client).update(created_at=timezone.now() - timedelta(days=2))
    with pytest.raises(ValidationError, match="at most 2"):
        send(TherapistFactory(bookable=True), client)


def test_therapist_accepts_a_proposed_time(bookable, django_capture_on_commit_callbacks):
    appointment_request = send(bookable, starts=[in_days(3, 10), in_days(4, 15)])
    chosen = appointment_request.proposed_times.get(starts_at=in_days(4, 15))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appointment = services.accept_request(
            appointment_request=appointment_request, therapist_user=bookable.user, proposed_time=chosen
        )
    appointment_request.refresh_from_db()
    assert appointment_request.state == AppointmentRequest.State.ACCEPTED
    assert (appointment.starts_at, appointment.ends_at) == (in_days(4, 15), in_days(4, 16))
    assert appointment.state == Appointment.State.BOOKED
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted([appointment_request.client.email, bookable.user.email])
    assert all(message.attachments[0][0].endswith(".ics") for message in mail.outbox)


def test_accepting_twice_books_once(bookable):
    """A double-clicked Accept: the second finds the request answered."""
    appointment_request = send(bookable)
    time_ = appointment_request.proposed_times.get()
    services.accept_request(appointment_request=appointment_request, therapist_user=bookable.user, proposed_time=time_)
    with pytest.raises(ValidationError, match="already answered"):
        services.accept_request(
            appointment_request=appointment_request, therapist_user=bookable.user, proposed_time=time_
        )
    assert Appointment.objects.count() == 1


def test_accepting_an_overlapping_time_is_refused_and_the_request_stays_open(bookable):
    first, second = (
        send(bookable, starts=[in_days(3, 10)]),
        send(bookable, starts=[in_days(3, 10) + timedelta(minutes=30)]),
    )
    services.accept_request(
        appointment_request=first, therapist_user=bookable.user, proposed_time=first.proposed_times.get()
    )
    with pytest.raises(ValidationError, match="already booked"):
        services.accept_request(
            appointment_request=second, therapist_user=bookable.user, proposed_time=second.proposed_times.get()
        )
    second.refresh_from_db()
    assert second.state == AppointmentRequest.State.REQUESTED
    assert Appointment.objects.count() == 1


def test_a_time_of_another_request_cannot_be_accepted(bookable):
    mine, other = send(bookable), send(bookable, starts=[in_days(5)])
    with pytest.raises(ValidationError, match="times the client proposed"):
        services.accept_request(
            appointment_request=mine, therapist_user=bookable.user, proposed_time=other.proposed_times.get()
        )
    assert not Appointment.objects.exists()


def test_another_therapist_cannot_answer_the_request(bookable):
    appointment_request = send(bookable)
    intruder = TherapistFactory().user
    with pytest.raises(ValidationError, match="another therapist"):
        services.decline_request(appointment_request=appointment_request, therapist_user=intruder, reason="No.")
    appointment_request.refresh_from_db()
    assert appointment_request.state == AppointmentRequest.State.REQUESTED


def test_propose_then_client_accepts(bookable):
    appointment_request = send(bookable)
    services.propose_time(
        appointment_request=appointment_request, therapist_user=bookable.user, starts_at=in_days(6, 21)
    )
    appointment = services.accept_proposal(appointment_request=appointment_request, client=appointment_request.client)
    assert appointment.starts_at == in_days(6, 21)  # outside opening hours is the therapist's choice
    assert list(Event.objects.filter(request=appointment_request).values_list("transition", flat=True)) == [
        "send_request",
        "propose_time",
        "accept_proposal",
    ]


def test_a_client_cannot_accept_a_proposal_that_does_not_exist(bookable):
    appointment_request = send(bookable)
    with pytest.raises(ValidationError, match="no proposed time"):
        services.accept_proposal(appointment_request=appointment_request, client=appointment_request.client)
    assert not Appointment.objects.exists()


def test_proposing_a_past_time_is_refused(bookable):
    appointment_request = send(bookable)
    with pytest.raises(ValidationError, match="in the past"):
        services.propose_time(
            appointment_request=appointment_request,
            therapist_user=bookable.user,
            starts_at=timezone.now() - timedelta(days=1),
        )
    appointment_request.refresh_from_db()
    assert appointment_request.state == AppointmentRequest.State.REQUESTED


def test_decline_needs_a_reason(bookable):
    appointment_request = send(bookable)
    with pytest.raises(ValidationError, match="reason"):
        services.decline_request(appointment_request=appointment_request, therapist_user=bookable.user, reason="  ")
    services.decline_request(appointment_request=appointment_request, therapist_user=bookable.user, reason="Away.")
    appointment_request.refresh_from_db()
    assert (appointment_request.state, appointment_request.decline_reason) == ("declined", "Away.")


def test_client_cancels_before_the_start_but_not_after():
    appointment = AppointmentFactory()
    with pytest.raises(ValidationError, match="already started"):
        services.cancel_appointment(
            appointment=appointment, user=appointment.client, now=appointment.starts_at + timedelta(minutes=1)
        )
    services.cancel_appointment(appointment=appointment, user=appointment.client, reason="Ill.")
    appointment.refresh_from_db()
    assert (appointment.state, appointment.cancel_reason) == ("cancelled", "Ill.")


def test_a_stranger_cannot_cancel_an_appointment():
    appointment = AppointmentFactory()
    with pytest.raises(ValidationError, match="not your appointment"):
        services.cancel_appointment(appointment=appointment, user=UserFactory())
    assert Appointment.objects.get().state == "booked"


def test_marking_waits_for_the_end_and_stops_after_fourteen_days():
    appointment = AppointmentFactory()
    therapist_user = appointment.therapist.user
    with pytest.raises(ValidationError, match="once it has ended"):
        services.mark_attended(appointment=appointment, therapist_user=therapist_user, now=appointment.starts_at)
    with pytest.raises(ValidationError, match="more than 14 days ago"):
        services.mark_no_show(
            appointment=appointment,
            therapist_user=therapist_user,
            now=appointment.ends_at + timedelta(days=14, minutes=1),
        )
    assert Appointment.objects.get().state == "booked"
    services.mark_no_show(
        appointment=appointment, therapist_user=therapist_user, now=appointment.ends_at + timedelta(days=14)
    )
    assert Appointment.objects.get().state == "no_show"


def test_attended_invites_the_client_every_time(django_capture_on_commit_callbacks):
    appointment = AppointmentFactory(past=True)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_attended(appointment=appointment, therapist_user=appointment.therapist.user, now=now)
    appointment.refresh_from_db()
    assert (appointment.state, appointment.invited_at) == ("attended", now)
    [invitation] = mail.outbox
    assert invitation.to == [appointment.client.email]
    assert "?invitation=" in invitation.body


def test_a_therapist_cannot_mark_someone_elses_appointment():
    appointment = AppointmentFactory(past=True)
    with pytest.raises(ValidationError, match="Only the therapist"):
        services.mark_attended(appointment=appointment, therapist_user=TherapistFactory().user)
    assert Appointment.objects.get().state == "booked"


def test_expired_requests_close_once_every_time_has_passed(django_capture_on_commit_callbacks):
    stale = AppointmentRequestFactory(times=[timezone.now() - timedelta(hours=1)])
    fresh = AppointmentRequestFactory(times=[timezone.now() - timedelta(hours=1), in_days(2)])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expire_requests() == 1
    stale.refresh_from_db(), fresh.refresh_from_db()
    assert (stale.state, fresh.state) == ("expired", "requested")
    assert Event.objects.get(request=stale).actor is None
    assert [message.to for message in mail.outbox] == [[stale.client.email]]


def test_reminders_go_once_for_appointments_within_a_day(django_capture_on_commit_callbacks):
    booked_days_ago = timezone.now() - timedelta(days=3)
    soon = AppointmentFactory(starts_at=timezone.now() + timedelta(hours=20), created_at=booked_days_ago)
    AppointmentFactory(starts_at=timezone.now() + timedelta(hours=30), created_at=booked_days_ago)
    # Booked this morning for tonight: the confirmation was the reminder.
    AppointmentFactory(starts_at=timezone.now() + timedelta(hours=8), created_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders() == 1
        assert services.send_reminders() == 0
    assert [message.to for message in mail.outbox] == [[soon.client.email]]


def test_describe_names_the_time_in_the_therapists_zone(bookable):
    moment = datetime(2027, 3, 9, 9, 0, tzinfo=ZoneInfo("UTC"))
    assert services.describe(moment, bookable) == "Tuesday 9 March 2027, 10:00 (Europe/Berlin)"


def test_opening_hours_are_compared_in_local_time(bookable):
    bookable.opening_hours.all().delete()
    bookable.opening_hours.create(weekday=1, opens_at=time(9), closes_at=time(17))
    tuesday = datetime(2027, 3, 9, tzinfo=BERLIN)
    assert bookable.is_within_opening_hours(tuesday.replace(hour=9))
    assert bookable.is_within_opening_hours(tuesday.replace(hour=16))
    assert not bookable.is_within_opening_hours(tuesday.replace(hour=16, minute=15))
    assert not bookable.is_within_opening_hours(tuesday.replace(hour=8, minute=45))
    assert not bookable.is_within_opening_hours(tuesday.replace(day=10, hour=10))
