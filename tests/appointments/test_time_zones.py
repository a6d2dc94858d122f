"""Times are the therapist's wall-clock time: a Berlin therapist, a client looking from Lisbon, the DST week."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from appointments import services
from appointments.forms import LocalDateTimeField, RequestForm
from tests.factories import TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db
BERLIN, LISBON, UTC = ZoneInfo("Europe/Berlin"), ZoneInfo("Europe/Lisbon"), ZoneInfo("UTC")
NO = dict.fromkeys(["spine_tumour", "skin_condition", "acute_back_pain", "chronic_illness"], "False")
# Clocks go forward in the EU on Sunday 28 March 2027 at 02:00 (01:00 UTC).
BEFORE_DST = datetime(2027, 3, 26, 7, 0, tzinfo=UTC)  # Friday 08:00 in Berlin


@pytest.fixture
def weekday_therapist(db):
    return TherapistFactory(
        bookable=True, opening_hours=[(weekday, "9:00", "17:00") for weekday in range(5)], time_zone="Europe/Berlin"
    )


def form(therapist, start, now=BEFORE_DST):
    data = {"modality": therapist.modalities.first().pk, "start_1": start, **NO}
    return RequestForm(data, therapist=therapist, now=now)


def test_a_client_in_lisbon_types_berlin_time():
    """The visitor's own zone (Lisbon, an hour behind) does not shift what 9:00 means."""
    therapist = TherapistFactory(bookable=True)
    with timezone.override(LISBON):
        bound = form(therapist, "2027-03-29T09:00")
        assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["start_1"] == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)


def test_nine_oclock_is_inside_the_hours_on_both_sides_of_the_dst_change(weekday_therapist):
    friday, monday = datetime(2027, 3, 26, 9, tzinfo=BERLIN), datetime(2027, 3, 29, 9, tzinfo=BERLIN)
    assert friday.astimezone(UTC).hour == 8 and monday.astimezone(UTC).hour == 7
    client = UserFactory()
    appointment_request = services.request_appointment(
        client=client,
        therapist=weekday_therapist,
        modality=weekday_therapist.modalities.first(),
        starts=[friday, monday],
        answers=dict.fromkeys(NO, False),
        now=BEFORE_DST,
    )
    assert [t.starts_at for t in appointment_request.proposed_times.all()] == [friday, monday]


def test_the_hour_before_opening_stays_outside_after_the_change(weekday_therapist):
    """08:00 UTC is 9:00 on the Friday but 10:00 on the Monday; 07:00 UTC on the Friday is 8:00, closed."""
    assert weekday_therapist.is_within_opening_hours(datetime(2027, 3, 26, 8, 0, tzinfo=UTC))
    assert not weekday_therapist.is_within_opening_hours(datetime(2027, 3, 26, 7, 0, tzinfo=UTC))
    assert weekday_therapist.is_within_opening_hours(datetime(2027, 3, 29, 7, 0, tzinfo=UTC))
    assert not weekday_therapist.is_within_opening_hours(datetime(2027, 3, 29, 6, 0, tzinfo=UTC))


def test_a_time_the_clocks_skip_is_refused_with_a_message():
    field = LocalDateTimeField(zone=BERLIN)
    with pytest.raises(Exception, match="does not exist on 28 March 2027"):
        field.clean("2027-03-28T02:30")


def test_a_time_that_happens_twice_means_the_first_one():
    """31 October 2027, 02:30 happens twice in Berlin; it means the summer-time one (00:30 UTC)."""
    assert LocalDateTimeField(zone=BERLIN).clean("2027-10-31T02:30") == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_the_profile_says_open_today_in_the_therapists_zone():
    therapist = TherapistFactory(time_zone="Europe/Berlin", opening_hours=[(0, "9:00", "17:00"), (1, "10:00", "12:00")])
    # Monday 23:30 UTC is already Tuesday 00:30 in Berlin.
    late_monday = datetime(2027, 3, 29, 22, 30, tzinfo=UTC)
    assert [hours.label for hours in therapist.hours_today(late_monday)] == ["10:00–12:00"]
    assert [hours.label for hours in therapist.hours_today(late_monday.replace(hour=12))] == ["9:00–17:00"]


def test_time_zone_comes_from_the_city_in_the_gazetteer():
    from therapists.geo import find_place

    assert find_place("Lisbon, PT").time_zone == "Europe/Lisbon"
    assert find_place("Berlin").time_zone == "Europe/Berlin"


def test_an_unknown_zone_falls_back_to_utc():
    assert TherapistFactory.build(time_zone="Mars/Olympus").zone.key == "UTC"
    assert TherapistFactory.build(time_zone="").zone.key == "UTC"


def test_opening_hours_table_lists_every_weekday_in_order():
    therapist = TherapistFactory(opening_hours=[(2, "14:00", "18:00"), (2, "9:00", "12:00")])
    week = therapist.weekly_hours()
    assert [day["weekday"] for day in week][:3] == ["Monday", "Tuesday", "Wednesday"]
    assert [hours.label for hours in week[2]["ranges"]] == ["9:00–12:00", "14:00–18:00"]
    assert week[0]["ranges"] == []
    assert time(9) == week[2]["ranges"][0].opens_at
