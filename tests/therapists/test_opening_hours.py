"""The therapist's opening hours: the dashboard form, the profile's "Open today", the API."""

from datetime import time

import pytest

from tests.factories import TherapistFactory
from tests.therapists.test_dashboard_profile import profile_data
from therapists.models import OpeningHours

pytestmark = pytest.mark.django_db


def week(**overrides):
    data = {"appointment_minutes": "60", "time_zone": "", "accepts_appointment_requests": "on"}
    data.update({"day0_1_opens": "09:00", "day0_1_closes": "12:00", "day0_2_opens": "14:00", "day0_2_closes": "18:00"})
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_form_saves_the_week_and_the_request_settings(client):
    therapist = TherapistFactory(time_zone="")
    client.force_login(therapist.user)
    response = client.post("/dashboard/opening-hours/", week(appointment_minutes="90"))
    assert response.status_code == 302
    therapist.refresh_from_db()
    rows = list(therapist.opening_hours.values_list("weekday", "opens_at", "closes_at"))
    assert rows == [(0, time(9), time(12)), (0, time(14), time(18))]
    # Berlin, from the gazetteer, since no zone was chosen.
    assert (therapist.time_zone, therapist.appointment_minutes, therapist.accepts_appointment_requests) == (
        "Europe/Berlin",
        90,
        True,
    )


def test_saving_again_replaces_the_week(client):
    therapist = TherapistFactory(opening_hours=[(3, "8:00", "20:00")])
    client.force_login(therapist.user)
    client.post("/dashboard/opening-hours/", week(time_zone="Europe/Lisbon"))
    assert not therapist.opening_hours.filter(weekday=3).exists()
    therapist.refresh_from_db()
    assert therapist.time_zone == "Europe/Lisbon"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"day0_1_closes": "08:00"}, "the closing time must be after the opening time"),
        ({"day0_1_closes": ""}, "give both times"),
        ({"day0_2_opens": "11:00"}, "the two ranges overlap"),
        ({"day0_1_opens": "nine"}, "Enter a time such as 09:00."),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice"),
        ({"appointment_minutes": "7"}, "Select a valid choice"),
        (
            {"day0_1_opens": None, "day0_1_closes": None, "day0_2_opens": None, "day0_2_closes": None},
            "Add your opening hours before you take requests.",
        ),
    ],
)
def test_bad_hours_get_a_message_and_change_nothing(client, overrides, message):
    therapist = TherapistFactory(opening_hours=[(3, "8:00", "20:00")])
    client.force_login(therapist.user)
    response = client.post("/dashboard/opening-hours/", week(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(therapist.opening_hours.values_list("weekday", flat=True)) == [3]
    therapist.refresh_from_db()
    assert not therapist.accepts_appointment_requests


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("client", 404), ("other_therapist", 302), ("owner", 302), ("moderator", 404)],
)
def test_opening_hours_permissions(client, login_as, role, status):
    therapist = TherapistFactory()
    user = login_as(client, role, owner=therapist)
    response = client.post("/dashboard/opening-hours/", week())
    assert response.status_code == status
    # Each therapist edits only their own week: the other therapist's post saved to their own profile.
    assert therapist.opening_hours.exists() == (role == "owner")
    if role == "other_therapist":
        assert OpeningHours.objects.filter(therapist__user=user).exists()


def test_the_profile_shows_the_hours_and_the_request_button(client):
    therapist = TherapistFactory(bookable=True)
    text = client.get(therapist.get_absolute_url()).content.decode()
    assert "Open today 8:00–20:00" in text
    assert f"/therapists/{therapist.slug}/appointment/" in text


def test_no_request_button_when_requests_are_off(client):
    therapist = TherapistFactory(opening_hours=[(day, "9:00", "17:00") for day in range(7)])
    text = client.get(therapist.get_absolute_url()).content.decode()
    assert "Open today 9:00–17:00" in text
    assert "/appointment/" not in text


def test_the_profile_says_closed_today(client):
    therapist = TherapistFactory(opening_hours=[])
    OpeningHours.objects.create(therapist=therapist, weekday=0, opens_at=time(9), closes_at=time(10))
    OpeningHours.objects.filter(therapist=therapist).update(weekday=(therapist.local_now().weekday() + 1) % 7)
    assert "Closed today" in client.get(therapist.get_absolute_url()).content.decode()


def test_the_search_card_shows_the_hours(client):
    TherapistFactory(bookable=True)
    text = client.get("/therapists/").content.decode()
    assert "Open today 8:00–20:00" in text and "Book online" in text


def test_the_api_carries_the_hours_and_their_zone(client):
    therapist = TherapistFactory(bookable=True, opening_hours=[(1, "9:00", "12:30")])
    detail = client.get(f"/api/v1/therapists/{therapist.slug}/").json()
    assert detail["opening_hours"] == [{"weekday": 1, "opens_at": "09:00", "closes_at": "12:30"}]
    assert (detail["time_zone"], detail["accepts_appointment_requests"]) == ("Europe/Berlin", True)
    listed = client.get("/api/v1/therapists/").json()["results"][0]
    assert listed["opening_hours"] == detail["opening_hours"]


def test_changing_the_city_moves_the_time_zone(client):
    therapist = TherapistFactory(time_zone="Europe/Berlin")
    client.force_login(therapist.user)
    response = client.post("/dashboard/profile/", profile_data(city="Lisbon", country="PT"))
    assert response.status_code == 302
    therapist.refresh_from_db()
    assert therapist.time_zone == "Europe/Lisbon"
