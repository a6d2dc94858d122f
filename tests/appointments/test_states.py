"""The state machine: every allowed transition, and every refusal, each logged with who and when."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from appointments import states
from appointments.models import Appointment, AppointmentRequest, Event
from tests.factories import AppointmentFactory, AppointmentRequestFactory, UserFactory

pytestmark = pytest.mark.django_db
R, A = AppointmentRequest.State, Appointment.State

REQUEST_TRANSITIONS = [
    ("propose_time", R.REQUESTED, R.PROPOSED),
    ("propose_time", R.PROPOSED, R.PROPOSED),
    ("accept_request", R.REQUESTED, R.ACCEPTED),
    ("accept_proposal", R.PROPOSED, R.ACCEPTED),
    ("decline_request", R.REQUESTED, R.DECLINED),
    ("decline_request", R.PROPOSED, R.DECLINED),
    ("cancel_request", R.REQUESTED, R.CANCELLED),
    ("cancel_request", R.PROPOSED, R.CANCELLED),
    ("expire_request", R.REQUESTED, R.EXPIRED),
    ("expire_request", R.PROPOSED, R.EXPIRED),
]
APPOINTMENT_TRANSITIONS = [
    ("cancel_appointment", A.BOOKED, A.CANCELLED),
    ("mark_attended", A.BOOKED, A.ATTENDED),
    ("mark_no_show", A.BOOKED, A.NO_SHOW),
]


def test_every_transition_is_in_the_one_table():
    assert {name for name, *_ in REQUEST_TRANSITIONS + APPOINTMENT_TRANSITIONS} == set(states.TRANSITIONS)


@pytest.mark.parametrize(("name", "source", "target"), REQUEST_TRANSITIONS)
def test_request_transition_moves_the_row_and_logs_who_and_when(name, source, target):
    appointment_request = AppointmentRequestFactory(state=source)
    actor, now = UserFactory(), timezone.now()
    # The database refuses a decline without a reason (request_declined_has_reason).
    fields = {"decline_reason": "Fully booked that week."} if name == "decline_request" else {}
    states.apply(name, appointment_request, actor=actor, now=now, **fields)
    appointment_request.refresh_from_db()
    assert appointment_request.state == target
    event = Event.objects.get(request=appointment_request)
    assert (event.transition, event.from_state, event.to_state, event.actor, event.at) == (
        name,
        source,
        target,
        actor,
        now,
    )


@pytest.mark.parametrize(("name", "source", "target"), APPOINTMENT_TRANSITIONS)
def test_appointment_transition_moves_the_row_and_logs_it(name, source, target):
    appointment = AppointmentFactory(state=source)
    actor = appointment.therapist.user
    states.apply(name, appointment, actor=actor, now=timezone.now())
    appointment.refresh_from_db()
    assert appointment.state == target
    event = Event.objects.get(appointment=appointment)
    assert (event.request_id, event.from_state, event.to_state, event.actor) == (
        appointment.request_id,
        source,
        target,
        actor,
    )


def _refused_request_cases():
    for name, transition in states.TRANSITIONS.items():
        if transition.model is AppointmentRequest:
            for state in R.values:
                if state not in transition.sources:
                    yield name, state


def _refused_appointment_cases():
    for name, transition in states.TRANSITIONS.items():
        if transition.model is Appointment:
            for state in A.values:
                if state not in transition.sources:
                    yield name, state


@pytest.mark.parametrize(("name", "state"), list(_refused_request_cases()))
def test_request_transition_from_a_wrong_state_is_refused_and_changes_nothing(name, state):
    appointment_request = AppointmentRequestFactory(
        state=state, decline_reason="Fully booked." if state == R.DECLINED else ""
    )
    with pytest.raises(ValidationError) as error:
        states.apply(name, appointment_request, actor=None, now=timezone.now())
    assert error.value.messages == [states.TRANSITIONS[name].refusal]
    appointment_request.refresh_from_db()
    assert appointment_request.state == state
    assert not Event.objects.exists()


@pytest.mark.parametrize(("name", "state"), list(_refused_appointment_cases()))
def test_appointment_transition_from_a_wrong_state_is_refused(name, state):
    appointment = AppointmentFactory(state=state, invited_at=timezone.now() if state == A.ATTENDED else None)
    with pytest.raises(ValidationError):
        states.apply(name, appointment, actor=None, now=timezone.now())
    appointment.refresh_from_db()
    assert appointment.state == state
    assert not Event.objects.exists()


def test_a_stale_copy_loses_to_the_change_already_made():
    """Two tabs: the second read the row before the first changed it; its conditional update matches no row."""
    appointment_request = AppointmentRequestFactory(state=R.REQUESTED)
    stale = AppointmentRequest.objects.get(pk=appointment_request.pk)
    states.apply("cancel_request", appointment_request, actor=appointment_request.client, now=timezone.now())
    with pytest.raises(ValidationError, match="already answered"):
        states.apply("accept_request", stale, actor=None, now=timezone.now() + timedelta(seconds=1))
    assert AppointmentRequest.objects.get(pk=stale.pk).state == R.CANCELLED
    assert Event.objects.filter(request=appointment_request).count() == 1


def test_a_transition_refuses_the_wrong_model():
    with pytest.raises(TypeError):
        states.apply("mark_attended", AppointmentRequestFactory(), actor=None, now=timezone.now())
