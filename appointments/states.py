"""The one table of allowed state changes of requests and appointments, and the one way to make them.

Each change is a conditional UPDATE (`WHERE state IN (<sources>)`) whose row count is checked, so
two clicks, two tabs or a therapist and a client acting at once make one change and the other gets
the transition's refusal message; and each is logged as an Event with who and when, in the same
transaction. Who may make a change (the therapist, the client) is checked by the services.

    request:      requested ─propose_time→ proposed ─propose_time→ proposed
                  requested ─accept_request→ accepted      proposed ─accept_proposal→ accepted
                  requested|proposed ─decline_request | cancel_request | expire_request→ declined | cancelled | expired
    appointment:  booked ─cancel_appointment | mark_attended | mark_no_show→ cancelled | attended | no_show
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models

from appointments.models import Appointment, AppointmentRequest, Event

Request = AppointmentRequest.State
Booking = Appointment.State


@dataclass(frozen=True)
class Transition:
    name: str
    model: type[models.Model]
    sources: tuple[str, ...]
    target: str
    # Said when the row is no longer in a source state (answered in another tab, cancelled meanwhile…).
    refusal: str


TRANSITIONS = {
    transition.name: transition
    for transition in [
        Transition(
            "propose_time", AppointmentRequest, (Request.REQUESTED, Request.PROPOSED), Request.PROPOSED,
            "This request is no longer open, so no other time can be proposed.",
        ),
        Transition(
            "accept_request", AppointmentRequest, (Request.REQUESTED,), Request.ACCEPTED,
            "This request was already answered or withdrawn, so it cannot be accepted.",
        ),
        Transition(
            "accept_proposal", AppointmentRequest, (Request.PROPOSED,), Request.ACCEPTED,
            "There is no proposed time to accept on this request any more.",
        ),
        Transition(
            "decline_request", AppointmentRequest, (Request.REQUESTED, Request.PROPOSED), Request.DECLINED,
            "This request was already answered or withdrawn, so it cannot be declined.",
        ),
        Transition(
            "cancel_request", AppointmentRequest, (Request.REQUESTED, Request.PROPOSED), Request.CANCELLED,
            "This request was already answered, so it can no longer be withdrawn.",
        ),
        Transition(
            "expire_request", AppointmentRequest, (Request.REQUESTED, Request.PROPOSED), Request.EXPIRED,
            "This request is no longer open.",
        ),
        Transition(
            "cancel_appointment", Appointment, (Booking.BOOKED,), Booking.CANCELLED,
            "This appointment is no longer booked, so it cannot be cancelled.",
        ),
        Transition(
            "mark_attended", Appointment, (Booking.BOOKED,), Booking.ATTENDED,
            "This appointment was already marked or cancelled.",
        ),
        Transition(
            "mark_no_show", Appointment, (Booking.BOOKED,), Booking.NO_SHOW,
            "This appointment was already marked or cancelled.",
        ),
    ]
}


def allowed(name: str, obj: models.Model) -> bool:
    """Whether the transition may start from the object's current (as read) state."""
    return obj.state in TRANSITIONS[name].sources


def apply(name: str, obj: models.Model, *, actor, now: datetime, **fields) -> models.Model:
    """Move `obj` along transition `name`, setting `fields` too; raise the refusal if it moved meanwhile.

    Call inside the service's transaction: the UPDATE and its Event commit or roll back together.
    """
    transition = TRANSITIONS[name]
    if not isinstance(obj, transition.model):
        raise TypeError(f"{name} applies to {transition.model.__name__}, not {type(obj).__name__}")
    if obj.state not in transition.sources:
        raise ValidationError(transition.refusal)
    updated = transition.model.objects.filter(pk=obj.pk, state__in=transition.sources).update(
        state=transition.target, **fields
    )
    if updated != 1:
        raise ValidationError(transition.refusal)
    from_state = obj.state
    obj.state = transition.target
    for field, value in fields.items():
        setattr(obj, field, value)
    if isinstance(obj, Appointment):
        request_id, appointment_id = obj.request_id, obj.pk
    else:
        request_id, appointment_id = obj.pk, None
    Event.objects.create(
        request_id=request_id,
        appointment_id=appointment_id,
        transition=name,
        from_state=from_state,
        to_state=transition.target,
        actor=actor,
        at=now,
    )
    return obj
