"""The emails of a booking: one per state change, the 24-hour reminder and the review invitation.

Called by appointments.services inside their transaction: each is an outbox row written in it
(outbox.services.queue_email), sent after commit, never for a change that rolled back. No email
carries the health answers: the therapist reads them in the dashboard, behind a login.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from appointments.invitations import invitation_token
from appointments.models import Appointment, AppointmentRequest
from outbox.services import queue_email

ICS_TYPE = "text/calendar; charset=utf-8"


def _queue(*, to: str, subject: str, template: str, context: dict, attachments=()) -> None:
    if not to:
        return
    body = render_to_string(f"appointments/email/{template}.txt", {"site_url": settings.SITE_URL, **context})
    queue_email(
        to=to,
        # A therapist's name is typed by a person: one line, whatever it holds.
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        body=body,
        attachments=attachments,
        kind=f"appointments.{template}",
    )


def _request(request_id: int) -> AppointmentRequest:
    return AppointmentRequest.objects.select_related("client", "therapist__user", "modality").get(pk=request_id)


def _appointment(appointment_id: int) -> Appointment:
    return Appointment.objects.select_related("client", "therapist__user", "modality", "request").get(
        pk=appointment_id
    )


def _link(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs or None)


def calendar_file(appointment: Appointment, *, cancelled: bool = False) -> bytes:
    """An iCalendar (RFC 5545) event for the appointment; the cancellation reuses its UID to remove it."""
    calendar = Calendar()
    calendar.add("prodid", "-//Therapist directory//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = CalendarEvent()
    host = settings.SITE_URL.split("://", 1)[-1]
    event.add("uid", f"appointment-{appointment.pk}@{host}")
    event.add("dtstamp", appointment.created_at)
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    event.add("summary", f"{appointment.modality.name} with {appointment.therapist.display_name}")
    event.add("location", ", ".join(filter(None, [appointment.therapist.postcode, appointment.therapist.city])))
    event.add("description", f"Your appointment, booked through the directory: {_link('appointments:mine')}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", 1 if cancelled else 0)
    calendar.add_component(event)
    return calendar.to_ical()


def request_sent(*, request_id: int) -> None:
    appointment_request = _request(request_id)
    _queue(
        to=appointment_request.therapist.user.email,
        subject="New appointment request",
        template="request_sent",
        context={"request": appointment_request, "inbox_url": _link("appointments_dashboard:inbox")},
    )


def time_proposed(*, request_id: int) -> None:
    appointment_request = _request(request_id)
    _queue(
        to=appointment_request.client.email,
        subject=f"{appointment_request.therapist.display_name} proposes another time",
        template="time_proposed",
        context={
            "request": appointment_request,
            "proposal": appointment_request.therapist_proposal,
            "mine_url": _link("appointments:mine"),
        },
    )


def appointment_booked(*, appointment_id: int) -> None:
    appointment = _appointment(appointment_id)
    ics = ("appointment.ics", calendar_file(appointment), ICS_TYPE)
    context = {"appointment": appointment, "mine_url": _link("appointments:mine")}
    _queue(
        to=appointment.client.email,
        subject=f"Your appointment with {appointment.therapist.display_name} is confirmed",
        template="appointment_booked_client",
        context=context,
        attachments=[ics],
    )
    _queue(
        to=appointment.therapist.user.email,
        subject="Appointment booked",
        template="appointment_booked_therapist",
        context={**context, "inbox_url": _link("appointments_dashboard:inbox")},
        attachments=[ics],
    )


def request_declined(*, request_id: int) -> None:
    appointment_request = _request(request_id)
    _queue(
        to=appointment_request.client.email,
        subject=f"{appointment_request.therapist.display_name} cannot take your appointment request",
        template="request_declined",
        context={"request": appointment_request},
    )


def request_cancelled(*, request_id: int) -> None:
    appointment_request = _request(request_id)
    _queue(
        to=appointment_request.therapist.user.email,
        subject="An appointment request was withdrawn",
        template="request_cancelled",
        context={"request": appointment_request},
    )


def request_expired(*, request_id: int) -> None:
    appointment_request = _request(request_id)
    _queue(
        to=appointment_request.client.email,
        subject="Your appointment request expired",
        template="request_expired",
        context={"request": appointment_request},
    )


def appointment_cancelled(*, appointment_id: int, by_user_id: int) -> None:
    """Tell the other side; both get the calendar cancellation."""
    appointment = _appointment(appointment_id)
    ics = ("appointment-cancelled.ics", calendar_file(appointment, cancelled=True), ICS_TYPE)
    by_client = by_user_id == appointment.client_id
    context = {"appointment": appointment, "by_client": by_client}
    _queue(
        to=appointment.therapist.user.email if by_client else appointment.client.email,
        subject="Appointment cancelled",
        template="appointment_cancelled",
        context=context,
        attachments=[ics],
    )


def appointment_reminder(*, appointment_id: int) -> None:
    appointment = _appointment(appointment_id)
    _queue(
        to=appointment.client.email,
        subject=f"Reminder: your appointment with {appointment.therapist.display_name}",
        template="appointment_reminder",
        context={"appointment": appointment, "mine_url": _link("appointments:mine")},
    )


def review_invitation(*, appointment_id: int) -> None:
    appointment = _appointment(appointment_id)
    review_url = _link("reviews:write", slug=appointment.therapist.slug) + "?invitation=" + invitation_token(
        appointment
    )
    _queue(
        to=appointment.client.email,
        subject=f"How was your visit to {appointment.therapist.display_name}?",
        template="review_invitation",
        context={
            "appointment": appointment,
            "review_url": review_url,
            "expires_at": appointment.invitation_expires_at(),
        },
    )
