"""The pages people use: the request form on a profile, My appointments, and the therapist's inbox."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from appointments.models import Appointment, AppointmentRequest, HealthAnswers
from tests.factories import AppointmentFactory, AppointmentRequestFactory, TherapistFactory, UserFactory, in_days

pytestmark = pytest.mark.django_db
NO = dict.fromkeys(HealthAnswers.QUESTIONS, "False")


def local_input(moment) -> str:
    return moment.astimezone(moment.tzinfo).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def bookable(db):
    return TherapistFactory(bookable=True, display_name="Clara Weber", slug="clara-weber")


def post_request(client, therapist, **overrides):
    data = {"modality": therapist.modalities.first().pk, "start_1": local_input(in_days(3, 10)), **NO, **overrides}
    return client.post(f"/therapists/{therapist.slug}/appointment/", data)


def test_the_form_shows_the_questions_and_the_hours(client, bookable):
    client.force_login(UserFactory())
    response = client.get("/therapists/clara-weber/appointment/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Do you have a tumour, a cyst or metastases in the spine?" in text
    assert "Europe/Berlin" in text and "8:00–20:00" in text


def test_a_client_sends_a_request_from_the_form(client, bookable):
    user = UserFactory()
    client.force_login(user)
    response = post_request(client, bookable, message="Neck pain")
    assert response.status_code == 302 and response.url == "/appointments/"
    appointment_request = AppointmentRequest.objects.get()
    assert (appointment_request.client, appointment_request.message) == (user, "Neck pain")
    assert appointment_request.proposed_times.get().starts_at == in_days(3, 10)


def test_a_yes_shows_the_advice_first_and_still_lets_the_client_send(client, bookable):
    client.force_login(UserFactory())
    response = post_request(client, bookable, spine_tumour="True")
    assert response.status_code == 200
    assert "Please talk to your doctor first" in response.content.decode()
    assert not AppointmentRequest.objects.exists()
    response = post_request(client, bookable, spine_tumour="True", advice_read="True")
    assert response.status_code == 302
    assert AppointmentRequest.objects.get().health_answers.spine_tumour is True


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start_1": ""}, "Propose at least one start time."),
        ({"start_1": "tomorrow"}, "Enter a date and a time"),
        ({"start_1": "2020-01-01T10:00"}, "is in the past"),
        ({"start_1": local_input(in_days(3, 6))}, "outside Clara Weber"),
        ({"modality": "999999"}, "Choose a massage type this therapist offers."),
        ({"modality": "9" * 30}, "Choose a massage type this therapist offers."),
        ({"spine_tumour": ""}, "Please answer this question with yes or no."),
        ({"start_2": local_input(in_days(3, 10))}, "You proposed this time already"),
        ({"message": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_bad_input_gets_a_message_and_sends_nothing(client, bookable, overrides, message):
    client.force_login(UserFactory())
    response = post_request(client, bookable, **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AppointmentRequest.objects.exists()


def test_a_double_clicked_submit_sends_one_request(client, bookable):
    client.force_login(UserFactory())
    post_request(client, bookable)
    response = post_request(client, bookable)
    assert "already have an open request" in response.content.decode()
    assert AppointmentRequest.objects.count() == 1


@pytest.mark.parametrize("kind", ["draft", "suspended", "switched_off", "own"])
def test_profiles_that_take_no_requests_say_so(client, kind):
    therapist = TherapistFactory(
        bookable=True,
        **{
            "draft": {"draft": True},
            "suspended": {"suspended": True},
            "switched_off": {"accepts_appointment_requests": False},
            "own": {},
        }[kind],
    )
    client.force_login(therapist.user if kind == "own" else UserFactory())
    response = post_request(client, therapist)
    assert response.status_code == (404 if kind in ("draft", "suspended") else 403)
    assert not AppointmentRequest.objects.exists()


def test_my_appointments_lists_states_and_times_in_the_therapists_zone(client):
    request = AppointmentRequestFactory(times=[in_days(3, 10)])
    declined = AppointmentRequestFactory(client=request.client, state="declined", decline_reason="On holiday.")
    client.force_login(request.client)
    text = client.get("/appointments/").content.decode()
    assert "Requested" in text and "Declined" in text and "On holiday." in text
    assert in_days(3, 10).strftime("%H:%M") == "10:00" and "10:00" in text
    assert f"request-{declined.pk}" in text


def test_client_accepts_a_proposal_from_my_appointments(client):
    request = AppointmentRequestFactory(state="proposed")
    request.proposed_times.create(starts_at=in_days(5, 12), proposed_by="therapist")
    client.force_login(request.client)
    response = client.post(f"/appointments/{request.pk}/accept/")
    assert response.status_code == 302
    assert Appointment.objects.get(request=request).starts_at == in_days(5, 12)


def test_client_withdraws_and_a_second_withdraw_is_a_message(client):
    request = AppointmentRequestFactory()
    client.force_login(request.client)
    client.post(f"/appointments/{request.pk}/withdraw/")
    response = client.post(f"/appointments/{request.pk}/withdraw/", follow=True)
    assert "can no longer be withdrawn" in response.content.decode()
    request.refresh_from_db()
    assert request.state == "cancelled"


def test_inbox_shows_the_request_with_its_yes_answers_and_accepts_a_time(client, django_capture_on_commit_callbacks):
    request = AppointmentRequestFactory(answers={"skin_condition": True}, times=[in_days(3, 10), in_days(4, 11)])
    client.force_login(request.therapist.user)
    text = client.get("/dashboard/requests/").content.decode()
    assert "Skin condition, abscess or inflammation where the massage would be" in text
    assert request.message in text
    chosen = request.proposed_times.get(starts_at=in_days(4, 11))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/dashboard/requests/{request.pk}/accept/", {"time": chosen.pk})
    assert response.status_code == 302
    assert Appointment.objects.get().starts_at == in_days(4, 11)
    ics = next(message for message in mail.outbox if message.to == [request.client.email]).attachments[0]
    assert ics[0] == "appointment.ics" and "BEGIN:VEVENT" in ics[1] and ics[2].startswith("text/calendar")


@pytest.mark.parametrize("time_value", ["", "abc", "999999", "9" * 30, "-1"])
def test_accept_without_a_valid_time_changes_nothing(client, time_value):
    request = AppointmentRequestFactory()
    client.force_login(request.therapist.user)
    response = client.post(f"/dashboard/requests/{request.pk}/accept/", {"time": time_value}, follow=True)
    assert "Choose one of the times the client proposed." in response.content.decode()
    assert not Appointment.objects.exists()


def test_propose_and_decline_from_the_inbox(client):
    proposed, declined = AppointmentRequestFactory(), AppointmentRequestFactory()
    client.force_login(proposed.therapist.user)
    client.post(f"/dashboard/requests/{proposed.pk}/propose/", {"starts_at": local_input(in_days(6, 9))})
    client.force_login(declined.therapist.user)
    response = client.post(f"/dashboard/requests/{declined.pk}/decline/", {"reason": ""}, follow=True)
    assert "Please give the client a reason" in response.content.decode()
    client.post(f"/dashboard/requests/{declined.pk}/decline/", {"reason": "Fully booked."})
    proposed.refresh_from_db(), declined.refresh_from_db()
    assert proposed.state == "proposed" and proposed.therapist_proposal.starts_at == in_days(6, 9)
    assert (declined.state, declined.decline_reason) == ("declined", "Fully booked.")


def test_propose_a_time_in_bad_shape_is_a_message(client):
    request = AppointmentRequestFactory()
    client.force_login(request.therapist.user)
    response = client.post(f"/dashboard/requests/{request.pk}/propose/", {"starts_at": "soon"}, follow=True)
    assert "Enter a date and a time" in response.content.decode()
    request.refresh_from_db()
    assert request.state == "requested"


def test_inbox_lists_visits_to_mark_and_marks_one_attended(client):
    appointment = AppointmentFactory(past=True)
    client.force_login(appointment.therapist.user)
    assert f"appointment-{appointment.pk}" in client.get("/dashboard/requests/").content.decode()
    client.post(f"/dashboard/appointments/{appointment.pk}/attended/")
    appointment.refresh_from_db()
    assert appointment.state == "attended" and appointment.invited_at is not None


def test_a_visit_older_than_fourteen_days_is_refused_with_a_message(client):
    appointment = AppointmentFactory(starts_at=timezone.now() - timedelta(days=15))
    client.force_login(appointment.therapist.user)
    response = client.post(f"/dashboard/appointments/{appointment.pk}/no-show/", follow=True)
    assert "more than 14 days ago" in response.content.decode()
    assert Appointment.objects.get().state == "booked"


def test_inbox_without_a_profile_is_a_404(client):
    client.force_login(UserFactory())
    assert client.get("/dashboard/requests/").status_code == 404


def test_every_post_form_on_the_new_pages_carries_a_csrf_token(client):
    import re

    request = AppointmentRequestFactory(state="proposed")
    request.proposed_times.create(starts_at=in_days(5, 12), proposed_by="therapist")
    AppointmentFactory(request__therapist=request.therapist, request__client=request.client, past=True)
    for user, url in [
        (request.client, "/appointments/"),
        (request.therapist.user, "/dashboard/requests/"),
        (UserFactory(), f"/therapists/{request.therapist.slug}/appointment/"),
    ]:
        client.force_login(user)
        html = client.get(url).content.decode()
        forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, flags=re.S)
        assert forms, url
        assert all("csrfmiddlewaretoken" in form for form in forms), url
