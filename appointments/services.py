"""Writes on appointment requests and appointments: each a transaction, each state change through states.apply.

Every service takes `now` (appointments.clock.now() by default), so tests and the browser journey
can move time. Each queues its emails (appointments.emails) inside its transaction: they go out
after it commits, and never for a change that rolled back.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import formats

from accounts.models import User
from appointments import clock, emails, states
from appointments.models import (
    BOOKING_HORIZON,
    HEALTH_ANSWERS_KEPT,
    MAX_PROPOSED_TIMES,
    Appointment,
    AppointmentRequest,
    HealthAnswers,
    ProposedTime,
)
from directory.lib import ratelimit
from therapists.models import Modality, Therapist

SLOT_MINUTES = 15


def describe(moment: datetime, therapist: Therapist) -> str:
    """"Tuesday 9 March 2027, 10:00 (Europe/Berlin)": how times appear in messages, in the therapist's zone."""
    local = moment.astimezone(therapist.zone)
    return f"{formats.date_format(local, 'l j F Y, H:i')} ({therapist.zone.key})"


def check_start(therapist: Therapist, starts_at: datetime, now: datetime, *, within_hours: bool) -> None:
    """Refuse a start a person cannot book; the message names the time as the client typed it.

    The request form calls it too, so each refused time is marked at its own field."""
    when = describe(starts_at, therapist)
    if starts_at <= now:
        raise ValidationError(f"{when} is in the past. Choose a time from now on.")
    if starts_at > now + BOOKING_HORIZON:
        raise ValidationError(f"{when} is more than 60 days ahead. Choose a time within the next 60 days.")
    local = starts_at.astimezone(therapist.zone)
    if local.minute % SLOT_MINUTES or local.second or local.microsecond:
        raise ValidationError(f"{when}: appointments start on the hour or at a quarter past, half past or to.")
    if within_hours and not therapist.is_within_opening_hours(starts_at):
        raise ValidationError(
            f"{when} is outside {therapist.display_name}'s opening hours "
            f"(a {therapist.appointment_minutes}-minute appointment must fit inside them)."
        )
    ends_at = starts_at + timedelta(minutes=therapist.appointment_minutes)
    if Appointment.objects.overlapping(therapist_id=therapist.pk, starts_at=starts_at, ends_at=ends_at).exists():
        raise ValidationError(f"{when} is already booked. Choose another time.")


def _lock_client(client: User) -> None:
    # One client's requests queue here, so two tabs cannot both pass the open-request limit.
    User.objects.select_for_update().filter(pk=client.pk).first()


@transaction.atomic
def request_appointment(
    *,
    client: User,
    therapist: Therapist,
    modality: Modality,
    starts: list[datetime],
    message: str = "",
    answers: dict[str, bool],
    now: datetime | None = None,
) -> AppointmentRequest:
    """Send the client's request with one to three start times and the safety answers.

    Refused (ValidationError, nothing written) for the therapist's own profile, a profile that is not
    published or not taking requests, a massage type not offered, a time that cannot be booked, and
    past the limits: APPOINTMENT_OPEN_REQUEST_LIMIT open requests, APPOINTMENT_DAILY_REQUEST_LIMIT a day.
    """
    now = now or clock.now()
    _lock_client(client)
    therapist = Therapist.objects.prefetch_related("opening_hours").get(pk=therapist.pk)
    if therapist.user_id == client.pk:
        raise ValidationError("You cannot request an appointment with yourself.")
    if not therapist.takes_appointment_requests:
        raise ValidationError(f"{therapist.display_name} is not taking appointment requests through the site.")
    if not client.has_confirmed_address():
        raise ValidationError("Please confirm your email address before you request an appointment.")
    if not therapist.modalities.filter(pk=modality.pk).exists():
        raise ValidationError("Choose a massage type this therapist offers.")
    if not 1 <= len(starts) <= MAX_PROPOSED_TIMES:
        raise ValidationError("Propose one to three start times.")
    if len(set(starts)) != len(starts):
        raise ValidationError("Each proposed time must be different.")
    for starts_at in starts:
        check_start(therapist, starts_at, now, within_hours=True)
    mine = AppointmentRequest.objects.sent_by(client)
    if mine.open().filter(therapist=therapist).exists():
        raise ValidationError(
            f"You already have an open request with {therapist.display_name}. "
            "Wait for the answer, or withdraw it in My appointments."
        )
    if mine.open().count() >= settings.APPOINTMENT_OPEN_REQUEST_LIMIT:
        raise ValidationError(
            f"You have {settings.APPOINTMENT_OPEN_REQUEST_LIMIT} requests waiting for an answer, the most at once. "
            "Withdraw one, or wait for the therapists to answer."
        )
    daily = settings.APPOINTMENT_DAILY_REQUEST_LIMIT
    # The database counts the last 24 hours exactly; the shared cache also stops a flood across
    # workers before the row lock is even taken (the view counts attempts, this counts sends).
    if mine.created_since(now - timedelta(days=1)).count() >= daily or not ratelimit.hit(
        f"appointment-requests:{client.pk}", f"{daily}/d"
    ):
        raise ValidationError(f"You can send at most {daily} appointment requests a day. Please try again tomorrow.")
    try:
        with transaction.atomic():
            appointment_request = AppointmentRequest.objects.create(
                client=client, therapist=therapist, modality=modality, message=message.strip(), created_at=now
            )
    except IntegrityError:
        # A double-clicked submit that got past the check above: the first one was sent.
        raise ValidationError(f"You already have an open request with {therapist.display_name}.") from None
    ProposedTime.objects.bulk_create(
        ProposedTime(request=appointment_request, starts_at=starts_at, proposed_by=ProposedTime.By.CLIENT)
        for starts_at in sorted(starts)
    )
    HealthAnswers.objects.create(
        request=appointment_request, **{field: answers[field] for field in HealthAnswers.SHORT}
    )
    appointment_request.events.create(
        transition="send_request", from_state="", to_state=appointment_request.state, actor=client, at=now
    )
    emails.request_sent(request_id=appointment_request.pk)
    return appointment_request


def _check_therapist(appointment_request: AppointmentRequest, user: User) -> None:
    if appointment_request.therapist.user_id != user.pk:
        raise ValidationError("This request was sent to another therapist.")


def _check_client(appointment_request: AppointmentRequest, user: User) -> None:
    if appointment_request.client_id != user.pk:
        raise ValidationError("This is another client's request.")


def _book(
    appointment_request: AppointmentRequest, starts_at: datetime, *, transition: str, actor: User, now: datetime
) -> Appointment:
    """Accept the request at `starts_at` and create its appointment, never overlapping another one.

    PostgreSQL: the exclusion constraint refuses an overlapping insert even when two accepts race
    (the second waits for the first to commit, then fails). SQLite: the write transaction is
    IMMEDIATE, so the whole service runs under the database's one write lock and the check below is
    exact; the therapist row is locked too, for any database without either guarantee.
    """
    therapist = Therapist.objects.prefetch_related("opening_hours")
    if connection.vendor != "postgresql":
        therapist = therapist.select_for_update()
    therapist = therapist.get(pk=appointment_request.therapist_id)
    if not states.allowed(transition, appointment_request):
        raise ValidationError(states.TRANSITIONS[transition].refusal)
    check_start(therapist, starts_at, now, within_hours=False)
    states.apply(transition, appointment_request, actor=actor, now=now, closed_at=now)
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                request=appointment_request,
                therapist=therapist,
                client_id=appointment_request.client_id,
                modality_id=appointment_request.modality_id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=therapist.appointment_minutes),
                created_at=now,
            )
    except IntegrityError:
        raise ValidationError(
            f"{describe(starts_at, therapist)} was booked a moment ago by another request. Choose another time."
        ) from None
    emails.appointment_booked(appointment_id=appointment.pk)
    return appointment


@transaction.atomic
def accept_request(
    *, appointment_request: AppointmentRequest, therapist_user: User, proposed_time: ProposedTime,
    now: datetime | None = None,
) -> Appointment:
    """The therapist accepts one of the client's proposed times."""
    now = now or clock.now()
    _check_therapist(appointment_request, therapist_user)
    if proposed_time.request_id != appointment_request.pk or proposed_time.proposed_by != ProposedTime.By.CLIENT:
        raise ValidationError("Choose one of the times the client proposed.")
    return _book(
        appointment_request, proposed_time.starts_at, transition="accept_request", actor=therapist_user, now=now
    )


@transaction.atomic
def propose_time(
    *, appointment_request: AppointmentRequest, therapist_user: User, starts_at: datetime, now: datetime | None = None
) -> ProposedTime:
    """The therapist offers another start time; the client accepts it or withdraws the request.

    Outside the opening hours is allowed (the therapist knows their own diary), a booked slot is not.
    """
    now = now or clock.now()
    _check_therapist(appointment_request, therapist_user)
    therapist = Therapist.objects.prefetch_related("opening_hours").get(pk=appointment_request.therapist_id)
    if not states.allowed("propose_time", appointment_request):
        raise ValidationError(states.TRANSITIONS["propose_time"].refusal)
    check_start(therapist, starts_at, now, within_hours=False)
    states.apply("propose_time", appointment_request, actor=therapist_user, now=now)
    proposal, _ = ProposedTime.objects.get_or_create(
        request=appointment_request, starts_at=starts_at, proposed_by=ProposedTime.By.THERAPIST
    )
    emails.time_proposed(request_id=appointment_request.pk)
    return proposal


@transaction.atomic
def accept_proposal(
    *, appointment_request: AppointmentRequest, client: User, now: datetime | None = None
) -> Appointment:
    """The client accepts the time the therapist proposed."""
    now = now or clock.now()
    _check_client(appointment_request, client)
    proposal = (
        ProposedTime.objects.filter(request=appointment_request, proposed_by=ProposedTime.By.THERAPIST)
        .order_by("-pk")
        .first()
    )
    if proposal is None or appointment_request.state != AppointmentRequest.State.PROPOSED:
        raise ValidationError(states.TRANSITIONS["accept_proposal"].refusal)
    return _book(appointment_request, proposal.starts_at, transition="accept_proposal", actor=client, now=now)


@transaction.atomic
def decline_request(
    *, appointment_request: AppointmentRequest, therapist_user: User, reason: str, now: datetime | None = None
) -> AppointmentRequest:
    now = now or clock.now()
    _check_therapist(appointment_request, therapist_user)
    reason = reason.strip()
    if not reason:
        raise ValidationError("Please give the client a reason for declining.")
    states.apply(
        "decline_request", appointment_request, actor=therapist_user, now=now, decline_reason=reason, closed_at=now
    )
    emails.request_declined(request_id=appointment_request.pk)
    return appointment_request


@transaction.atomic
def cancel_request(
    *, appointment_request: AppointmentRequest, client: User, now: datetime | None = None
) -> AppointmentRequest:
    """The client withdraws a request nobody has accepted yet."""
    now = now or clock.now()
    _check_client(appointment_request, client)
    states.apply("cancel_request", appointment_request, actor=client, now=now, closed_at=now)
    emails.request_cancelled(request_id=appointment_request.pk)
    return appointment_request


@transaction.atomic
def cancel_appointment(
    *, appointment: Appointment, user: User, reason: str = "", now: datetime | None = None
) -> Appointment:
    """The client or the therapist cancels a booked appointment before it starts."""
    now = now or clock.now()
    if user.pk not in (appointment.client_id, appointment.therapist.user_id):
        raise ValidationError("This is not your appointment.")
    if appointment.state == Appointment.State.BOOKED and now >= appointment.starts_at:
        raise ValidationError("This appointment has already started, so it can no longer be cancelled.")
    states.apply(
        "cancel_appointment", appointment, actor=user, now=now, cancel_reason=reason.strip(), closed_at=now
    )
    emails.appointment_cancelled(appointment_id=appointment.pk, by_user_id=user.pk)
    return appointment


def _check_markable(appointment: Appointment, therapist_user: User, now: datetime) -> None:
    if appointment.therapist.user_id != therapist_user.pk:
        raise ValidationError("Only the therapist of this appointment can mark it.")
    if appointment.state == Appointment.State.BOOKED:
        if now < appointment.ends_at:
            raise ValidationError("An appointment can be marked once it has ended.")
        if not appointment.can_be_marked(now):
            raise ValidationError(
                "This appointment ended more than 14 days ago, so it can no longer be marked attended or no-show."
            )


@transaction.atomic
def mark_attended(*, appointment: Appointment, therapist_user: User, now: datetime | None = None) -> Appointment:
    """Confirm the visit. The client is invited to review it, always: the therapist cannot choose."""
    now = now or clock.now()
    _check_markable(appointment, therapist_user, now)
    states.apply("mark_attended", appointment, actor=therapist_user, now=now, closed_at=now, invited_at=now)
    emails.review_invitation(appointment_id=appointment.pk)
    return appointment


@transaction.atomic
def mark_no_show(*, appointment: Appointment, therapist_user: User, now: datetime | None = None) -> Appointment:
    now = now or clock.now()
    _check_markable(appointment, therapist_user, now)
    states.apply("mark_no_show", appointment, actor=therapist_user, now=now, closed_at=now)
    return appointment


def expire_requests(*, now: datetime | None = None) -> int:
    """Close open requests whose every proposed time has passed unanswered (a scheduled task)."""
    now = now or clock.now()
    expired = 0
    for appointment_request in AppointmentRequest.objects.past_every_proposed_time(now).iterator():
        try:
            with transaction.atomic():
                states.apply("expire_request", appointment_request, actor=None, now=now, closed_at=now)
                emails.request_expired(request_id=appointment_request.pk)
        except ValidationError:
            continue  # answered meanwhile
        expired += 1
    return expired


def send_reminders(*, now: datetime | None = None) -> int:
    """Queue the reminder of every booked appointment starting within 24 hours, once (a scheduled task)."""
    now = now or clock.now()
    sent = 0
    for appointment_id in Appointment.objects.due_reminder(now).values_list("pk", flat=True):
        with transaction.atomic():
            # Conditional, so two overlapping runs of the task remind once.
            claimed = Appointment.objects.due_reminder(now).filter(pk=appointment_id).update(reminder_sent_at=now)
            if claimed:
                emails.appointment_reminder(appointment_id=appointment_id)
                sent += claimed
    return sent


@transaction.atomic
def erase_health_answers(*, now: datetime | None = None) -> int:
    """Delete the safety answers HEALTH_ANSWERS_KEPT after the visit, or after the request closed
    without one (declined, withdrawn, expired, or the appointment cancelled). A scheduled task; set-wise."""
    cutoff = (now or clock.now()) - HEALTH_ANSWERS_KEPT
    closed_without_visit = Q(
        request__state__in=[
            AppointmentRequest.State.DECLINED, AppointmentRequest.State.CANCELLED, AppointmentRequest.State.EXPIRED
        ],
        request__closed_at__lte=cutoff,
    )
    after_visit = Q(request__appointment__ends_at__lte=cutoff)
    cancelled = Q(
        request__appointment__state=Appointment.State.CANCELLED, request__appointment__closed_at__lte=cutoff
    )
    deleted, _ = HealthAnswers.objects.filter(closed_without_visit | after_visit | cancelled).delete()
    return deleted
