"""Demo data for appointments (make run, seed_demo): opening hours, a few open requests, and the
attended visits behind the demo's verified reviews. Bulk inserts, like the rest of the seed."""

import random
from datetime import UTC, date, datetime, time, timedelta

from appointments.models import Appointment, AppointmentRequest, HealthAnswers, ProposedTime
from therapists.geo import find_place
from therapists.models import OpeningHours, Therapist

# (weekdays, ranges): a few common weeks of a massage practice.
WEEKS = [
    (range(5), [(time(9), time(18))]),
    (range(1, 6), [(time(10), time(19))]),
    (range(4), [(time(8), time(12)), (time(14), time(19))]),
    (range(6), [(time(9), time(17))]),
]


def seed_opening_hours(*, therapist_ids: list[int], rng: random.Random) -> int:
    """Hours for about seven in ten therapists, requests switched on for most of those; zones from the city."""
    zones = {}
    for city, country in Therapist.objects.filter(pk__in=therapist_ids).values_list("city", "country").distinct():
        place = find_place(f"{city}, {country}")
        zones[(city, country)] = place.time_zone if place else ""
    for (city, country), zone in zones.items():
        Therapist.objects.filter(pk__in=therapist_ids, city=city, country=country).update(time_zone=zone)
    rows, taking = [], []
    for therapist_id in therapist_ids:
        if rng.random() >= 0.7:
            continue
        weekdays, ranges = rng.choice(WEEKS)
        rows.extend(
            OpeningHours(therapist_id=therapist_id, weekday=weekday, opens_at=opens_at, closes_at=closes_at)
            for weekday in weekdays
            for opens_at, closes_at in ranges
        )
        if rng.random() < 0.8:
            taking.append(therapist_id)
    OpeningHours.objects.bulk_create(rows, batch_size=5000)
    Therapist.objects.filter(pk__in=taking).update(accepts_appointment_requests=True)
    return len(rows)


def seed_attended_visits(visits: list[tuple[int, int, int, date, datetime]]) -> list[int | None]:
    """One accepted request and attended appointment per (therapist, client, modality, visit day,
    reviewed at); returns each visit's appointment id (None where the therapist's day was full).

    Demo visits are older than the 30 days health answers are kept, so they have none.
    """
    used: dict[int, set[tuple[date, int]]] = {}
    slots: list[tuple | None] = []
    for therapist_id, client_id, modality_id, visit_day, reviewed_at in visits:
        taken = used.setdefault(therapist_id, set())
        # Hours in UTC between 8 and 18 keep the visit on the same calendar day across Europe.
        hour = next((h for h in range(8, 19) if (visit_day, h) not in taken), None)
        if hour is None:
            slots.append(None)
            continue
        taken.add((visit_day, hour))
        slots.append((therapist_id, client_id, modality_id, datetime.combine(visit_day, time(hour), UTC), reviewed_at))
    booked = [slot for slot in slots if slot]
    requests = AppointmentRequest.objects.bulk_create(
        [
            AppointmentRequest(
                client_id=client_id,
                therapist_id=therapist_id,
                modality_id=modality_id,
                state=AppointmentRequest.State.ACCEPTED,
                created_at=starts_at - timedelta(days=7),
                closed_at=starts_at - timedelta(days=6),
            )
            for therapist_id, client_id, modality_id, starts_at, _ in booked
        ],
        batch_size=2000,
    )
    appointments = Appointment.objects.bulk_create(
        [
            Appointment(
                request=request,
                therapist_id=therapist_id,
                client_id=client_id,
                modality_id=modality_id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=1),
                state=Appointment.State.ATTENDED,
                created_at=request.closed_at,
                closed_at=starts_at + timedelta(hours=2),
                invited_at=starts_at + timedelta(hours=2),
                invitation_used_at=max(reviewed_at, starts_at + timedelta(hours=2)),
            )
            for request, (therapist_id, client_id, modality_id, starts_at, reviewed_at) in zip(
                requests, booked, strict=True
            )
        ],
        batch_size=2000,
    )
    ids = iter(appointment.pk for appointment in appointments)
    return [next(ids) if slot else None for slot in slots]


def seed_open_requests(*, therapist: Therapist, client_ids: list[int], now: datetime) -> int:
    """A few requests waiting in the demo therapist's inbox, one with a "yes" to a safety question."""
    if not therapist.accepts_appointment_requests or not therapist.opening_hours.exists():
        return 0
    hours = list(therapist.opening_hours.all())
    made = 0
    for index, client_id in enumerate(client_ids[:3]):
        already = AppointmentRequest.objects.open().filter(client_id=client_id, therapist=therapist)
        if already.exists():
            continue
        local = now.astimezone(therapist.zone)
        day = local.date() + timedelta(days=3 + index)
        while day.weekday() not in {h.weekday for h in hours}:
            day += timedelta(days=1)
        opens = min(h.opens_at for h in hours if h.weekday == day.weekday())
        request = AppointmentRequest.objects.create(
            client_id=client_id,
            therapist=therapist,
            modality=therapist.modalities.first(),
            message="I sit at a desk all day and my shoulders are tense.",
            created_at=now - timedelta(hours=2 + index),
        )
        ProposedTime.objects.create(
            request=request,
            starts_at=datetime.combine(day, opens, tzinfo=therapist.zone),
            proposed_by=ProposedTime.By.CLIENT,
        )
        HealthAnswers.objects.create(
            request=request, spine_tumour=False, skin_condition=False, acute_back_pain=index == 1, chronic_illness=False
        )
        made += 1
    return made

