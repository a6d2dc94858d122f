"""Health answers are erased 30 days after the visit, or after the request closed without one."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from appointments import services, tasks
from appointments.models import HealthAnswers
from tests.factories import AppointmentFactory, AppointmentRequestFactory

pytestmark = pytest.mark.django_db


def has_answers(appointment_request) -> bool:
    return HealthAnswers.objects.filter(request=appointment_request).exists()


def test_answers_go_thirty_days_after_the_visit_and_not_before():
    appointment = AppointmentFactory(attended=True)
    now = appointment.ends_at + timedelta(days=30)
    assert services.erase_health_answers(now=now - timedelta(minutes=1)) == 0
    assert has_answers(appointment.request)
    assert services.erase_health_answers(now=now) == 1
    assert not has_answers(appointment.request)
    # The request, its appointment and its log stay: only the answers go.
    appointment.refresh_from_db()
    assert appointment.state == "attended"


@pytest.mark.parametrize("state", ["declined", "cancelled", "expired"])
def test_answers_go_thirty_days_after_a_request_closed_without_a_visit(state):
    closed_at = timezone.now() - timedelta(days=31)
    closed = AppointmentRequestFactory(state=state, closed_at=closed_at, decline_reason="Away.")
    recent = AppointmentRequestFactory(state=state, closed_at=timezone.now() - timedelta(days=29), decline_reason="x")
    assert services.erase_health_answers() == 1
    assert not has_answers(closed)
    assert has_answers(recent)


def test_answers_of_a_cancelled_appointment_go_thirty_days_after_the_cancellation():
    appointment = AppointmentFactory(
        starts_at=timezone.now() + timedelta(days=40), state="cancelled", closed_at=timezone.now() - timedelta(days=31)
    )
    assert services.erase_health_answers() == 1
    assert not has_answers(appointment.request)


def test_open_requests_and_upcoming_appointments_keep_their_answers():
    open_request = AppointmentRequestFactory()
    upcoming = AppointmentFactory()
    assert services.erase_health_answers(now=timezone.now() + timedelta(days=1)) == 0
    assert has_answers(open_request) and has_answers(upcoming.request)


def test_health_answers_never_show_in_their_text_form():
    answers = AppointmentRequestFactory(answers={"spine_tumour": True}).health_answers
    assert "True" not in str(answers) and "True" not in repr(answers)


def test_the_jobs_command_runs_all_three_and_says_what_changed():
    AppointmentFactory(attended=True, starts_at=timezone.now() - timedelta(days=40))
    AppointmentFactory(starts_at=timezone.now() + timedelta(hours=3), created_at=timezone.now() - timedelta(days=2))
    AppointmentRequestFactory(times=[timezone.now() - timedelta(hours=1)])
    out = StringIO()
    call_command("appointment_jobs", stdout=out)
    assert out.getvalue().strip() == "1 reminder queued, 1 request expired, health answers of 1 request erased."


def test_beat_runs_the_three_jobs_as_tasks(settings):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "appointments.tasks.send_reminders",
        "appointments.tasks.expire_requests",
        "appointments.tasks.erase_health_answers",
    } <= scheduled
    AppointmentFactory(attended=True, starts_at=timezone.now() - timedelta(days=40))
    assert tasks.erase_health_answers.delay().get() == 1
