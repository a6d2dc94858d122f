"""Who may do what: every new mutating URL, for every role.

Roles: anonymous, client (anyone logged in), requesting_client (the request's client), other_therapist,
therapist (the one the request was sent to), moderator. Objects come through the user, so a role
that may not act gets a 404 (nothing is said about someone else's request), and nothing changes.
"""

import pytest

from appointments.models import AppointmentRequest
from tests.factories import AppointmentFactory, AppointmentRequestFactory, TherapistFactory, UserFactory, in_days

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "client", "requesting_client", "other_therapist", "therapist", "moderator"]


def log_in(client, role, appointment_request):
    user = {
        "anonymous": None,
        "client": lambda: UserFactory(),
        "requesting_client": lambda: appointment_request.client,
        "other_therapist": lambda: TherapistFactory().user,
        "therapist": lambda: appointment_request.therapist.user,
        "moderator": lambda: UserFactory(moderator=True),
    }[role]
    if user is not None:
        client.force_login(user())


def expected(role, allowed_role):
    if role == "anonymous":
        return 302, False
    if role == allowed_role:
        return 302, True
    return 404, False


def proposed_request():
    appointment_request = AppointmentRequestFactory(state="proposed")
    appointment_request.proposed_times.create(starts_at=in_days(5, 12), proposed_by="therapist")
    return appointment_request


CLIENT_ACTIONS = {
    "withdraw": (AppointmentRequestFactory, lambda r: {}, lambda r: r.state == "cancelled"),
    "accept": (proposed_request, lambda r: {}, lambda r: r.state == "accepted"),
    "cancel": (
        lambda: AppointmentFactory().request,
        lambda r: {"reason": "Ill"},
        lambda r: r.appointment.state == "cancelled",
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", CLIENT_ACTIONS)
def test_client_actions_permissions(client, role, action):
    make, data, changed = CLIENT_ACTIONS[action]
    appointment_request = make()
    log_in(client, role, appointment_request)
    response = client.post(f"/appointments/{appointment_request.pk}/{action}/", data(appointment_request))
    status, should_change = expected(role, "requesting_client")
    assert response.status_code == status
    if role == "anonymous":
        assert response.url.startswith("/accounts/login/")
    appointment_request = AppointmentRequest.objects.select_related("appointment").get(pk=appointment_request.pk)
    assert changed(appointment_request) == should_change


REQUEST_ACTIONS = {
    "accept": lambda r: {"time": r.proposed_times.get().pk},
    "propose": lambda r: {"starts_at": in_days(6, 9).strftime("%Y-%m-%dT%H:%M")},
    "decline": lambda r: {"reason": "Fully booked."},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", REQUEST_ACTIONS)
def test_therapist_request_actions_permissions(client, role, action):
    appointment_request = AppointmentRequestFactory()
    log_in(client, role, appointment_request)
    response = client.post(
        f"/dashboard/requests/{appointment_request.pk}/{action}/", REQUEST_ACTIONS[action](appointment_request)
    )
    status, should_change = expected(role, "therapist")
    assert response.status_code == status
    appointment_request.refresh_from_db()
    assert (appointment_request.state != "requested") == should_change


APPOINTMENT_ACTIONS = {
    "attended": ({"past": True}, "attended"),
    "no-show": ({"past": True}, "no_show"),
    "cancel": ({}, "cancelled"),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", APPOINTMENT_ACTIONS)
def test_therapist_appointment_actions_permissions(client, role, action):
    factory_kwargs, new_state = APPOINTMENT_ACTIONS[action]
    appointment = AppointmentFactory(**factory_kwargs)
    log_in(client, role, appointment.request)
    response = client.post(f"/dashboard/appointments/{appointment.pk}/{action}/")
    status, should_change = expected(role, "therapist")
    assert response.status_code == status
    appointment.refresh_from_db()
    assert (appointment.state == new_state) == should_change


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("client", 200),
        ("requesting_client", 200),
        ("other_therapist", 200),
        ("therapist", 403),
        ("moderator", 200),
    ],
)
def test_request_form_permissions(client, role, status):
    """Anyone logged in may ask (a therapist or a moderator can be a client too), except the therapist."""
    appointment_request = AppointmentRequestFactory()
    log_in(client, role, appointment_request)
    response = client.get(f"/therapists/{appointment_request.therapist.slug}/appointment/")
    assert response.status_code == status


@pytest.mark.parametrize("role", ROLES)
def test_health_answers_are_shown_only_to_the_therapist_the_request_was_sent_to(client, role):
    appointment_request = AppointmentRequestFactory(answers={"spine_tumour": True}, message="Secret message")
    log_in(client, role, appointment_request)
    pages = [
        client.get("/dashboard/requests/"),
        client.get("/appointments/"),
        client.get(f"/api/v1/therapists/{appointment_request.therapist.slug}/"),
    ]
    if role == "moderator":
        pages.append(client.get("/moderation/"))
    shown = any(b"Tumour, cyst or metastases in the spine" in page.content for page in pages if page.status_code == 200)
    assert shown == (role == "therapist")


def test_the_api_never_carries_requests_or_answers(client):
    appointment_request = AppointmentRequestFactory(answers={"spine_tumour": True})
    body = client.get(f"/api/v1/therapists/{appointment_request.therapist.slug}/").content
    assert b"spine" not in body and b"request" not in body.lower().replace(b"accepts_appointment_requests", b"")
