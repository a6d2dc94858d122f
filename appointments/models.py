"""Appointment requests, the appointments they become, and the log of every state change.

A client's AppointmentRequest proposes one to three start times (ProposedTime); the therapist
accepts one, proposes another, or declines. Accepting creates the Appointment, which ends attended,
no-show or cancelled. The allowed moves between states are one table: appointments.states.

Two booked appointments of one therapist never overlap. On PostgreSQL an exclusion constraint
says so (migration 0002, btree_gist); it is not declared in Meta because SQLite cannot hold it,
and there the booking service checks under the database's write lock instead.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q

from therapists.models import Modality, Therapist

# Requests can ask for times up to this far ahead; therapists mark visits within this after the end.
BOOKING_HORIZON = timedelta(days=60)
MARKING_WINDOW = timedelta(days=14)
# Health answers are erased this long after the visit, or after the request closed without one.
HEALTH_ANSWERS_KEPT = timedelta(days=30)
INVITATION_VALID = timedelta(days=30)
MAX_PROPOSED_TIMES = 3


class AppointmentRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=AppointmentRequest.OPEN_STATES)

    def sent_to(self, therapist: Therapist):
        return self.filter(therapist=therapist)

    def sent_by(self, user):
        return self.filter(client=user)

    def for_inbox(self):
        """What the inbox shows of each request, in a constant number of queries."""
        return self.select_related("client", "modality", "health_answers").prefetch_related("proposed_times")

    def created_since(self, moment: datetime):
        return self.filter(created_at__gte=moment)

    def past_every_proposed_time(self, now: datetime):
        """Open requests none of whose proposed times is still ahead: nobody can book them any more."""
        upcoming = ProposedTime.objects.filter(request=OuterRef("pk"), starts_at__gt=now)
        return self.open().filter(~Exists(upcoming))


class AppointmentRequest(models.Model):
    """A client asks a therapist for an appointment at one of a few times."""

    class State(models.TextChoices):
        REQUESTED = "requested", "Requested"
        PROPOSED = "proposed", "New time proposed"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired without an answer"

    OPEN_STATES = (State.REQUESTED, State.PROPOSED)

    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appointment_requests")
    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="appointment_requests")
    modality = models.ForeignKey(Modality, on_delete=models.PROTECT, related_name="+")
    message = models.TextField(max_length=2000, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    decline_reason = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField()
    # When the request left the open states (accepted, declined, cancelled, expired).
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = AppointmentRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["therapist", "state", "-created_at"], name="request_inbox_idx"),
            models.Index(fields=["client", "state", "-created_at"], name="request_by_client_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["requested", "proposed", "accepted", "declined", "cancelled", "expired"]),
                name="request_state_valid",
            ),
            # One open request per client and therapist: a double-clicked submit cannot send two.
            models.UniqueConstraint(
                fields=["client", "therapist"],
                condition=Q(state__in=["requested", "proposed"]),
                name="request_one_open_per_client_and_therapist",
            ),
            models.CheckConstraint(
                condition=~Q(state="declined") | ~Q(decline_reason=""), name="request_declined_has_reason"
            ),
        ]

    def __str__(self):
        return f"Request {self.pk} from {self.client} to {self.therapist}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def client_times(self) -> list["ProposedTime"]:
        return [time for time in self.proposed_times.all() if time.proposed_by == ProposedTime.By.CLIENT]

    @property
    def therapist_proposal(self) -> "ProposedTime | None":
        proposals = [time for time in self.proposed_times.all() if time.proposed_by == ProposedTime.By.THERAPIST]
        return max(proposals, key=lambda time: time.pk) if proposals else None


class ProposedTime(models.Model):
    """A start time offered for a request: one to three by the client, then perhaps one by the therapist."""

    class By(models.TextChoices):
        CLIENT = "client", "Client"
        THERAPIST = "therapist", "Therapist"

    request = models.ForeignKey(AppointmentRequest, on_delete=models.CASCADE, related_name="proposed_times")
    starts_at = models.DateTimeField()
    proposed_by = models.CharField(max_length=10, choices=By.choices)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "starts_at", "proposed_by"], name="proposed_time_unique"),
            models.CheckConstraint(condition=Q(proposed_by__in=["client", "therapist"]), name="proposed_by_valid"),
        ]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M} by {self.proposed_by}"


class HealthAnswers(models.Model):
    """The client's answers to the safety questions, kept apart from the request so erasure is a DELETE.

    The most sensitive data the site holds: shown only to the therapist the request was sent to,
    never to moderators, in the admin, the API, emails or logs, and erased HEALTH_ANSWERS_KEPT after
    the visit or after the request closed without one (appointments.services.erase_health_answers).
    """

    request = models.OneToOneField(AppointmentRequest, on_delete=models.CASCADE, related_name="health_answers")
    spine_tumour = models.BooleanField()
    skin_condition = models.BooleanField()
    acute_back_pain = models.BooleanField()
    chronic_illness = models.BooleanField()

    QUESTIONS = {
        "spine_tumour": "Do you have a tumour, a cyst or metastases in the spine?",
        "skin_condition": (
            "Do you have a skin condition, an abscess or an inflammation where the massage would be?"
        ),
        "acute_back_pain": "Do you have an acute flare-up of back pain right now?",
        "chronic_illness": "Do you have a chronic illness that a doctor is treating?",
    }
    # What the therapist reads next to a "yes".
    SHORT = {
        "spine_tumour": "Tumour, cyst or metastases in the spine",
        "skin_condition": "Skin condition, abscess or inflammation where the massage would be",
        "acute_back_pain": "Acute flare-up of back pain",
        "chronic_illness": "Chronic illness under a doctor's care",
    }

    class Meta:
        verbose_name_plural = "health answers"

    def __str__(self):
        # Never the answers themselves, so a traceback or a log line cannot carry them.
        return f"Health answers of request {self.request_id}"

    def __repr__(self):
        return f"<{self}>"

    @property
    def yes_answers(self) -> list[str]:
        return [label for field, label in self.SHORT.items() if getattr(self, field)]


class AppointmentQuerySet(models.QuerySet):
    BLOCKING_STATES = ("booked", "attended", "no_show")

    def blocking(self):
        """Appointments that hold their time: the ones the no-overlap rule is about."""
        return self.filter(state__in=self.BLOCKING_STATES)

    def overlapping(self, *, therapist_id: int, starts_at: datetime, ends_at: datetime):
        return self.blocking().filter(therapist_id=therapist_id, starts_at__lt=ends_at, ends_at__gt=starts_at)

    def of_therapist(self, therapist: Therapist):
        return self.filter(therapist=therapist)

    def of_client(self, user):
        return self.filter(client=user)

    def booked(self):
        return self.filter(state=Appointment.State.BOOKED)

    def upcoming(self, now: datetime):
        return self.booked().filter(starts_at__gt=now)

    def to_mark(self, now: datetime):
        """Booked, over, and still inside the marking window."""
        return self.booked().filter(ends_at__lte=now, ends_at__gte=now - MARKING_WINDOW)

    def due_reminder(self, now: datetime):
        """Booked, starting within 24 hours, not reminded yet; not those booked less than a day ahead,
        whose confirmation email was the reminder."""
        return self.booked().filter(
            reminder_sent_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + timedelta(hours=24),
            created_at__lte=F("starts_at") - timedelta(hours=24),
        )


class Appointment(models.Model):
    """A booked visit: created when a request is accepted."""

    class State(models.TextChoices):
        BOOKED = "booked", "Accepted"
        CANCELLED = "cancelled", "Cancelled"
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "No-show"

    request = models.OneToOneField(AppointmentRequest, on_delete=models.CASCADE, related_name="appointment")
    # Copied from the request so the exclusion constraint can name them.
    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="appointments")
    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appointments")
    modality = models.ForeignKey(Modality, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.BOOKED)
    cancel_reason = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # The review invitation: sent when marked attended, valid INVITATION_VALID, used once.
    invited_at = models.DateTimeField(null=True, blank=True)
    invitation_used_at = models.DateTimeField(null=True, blank=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["therapist", "state", "starts_at"], name="appointment_calendar_idx"),
            models.Index(fields=["client", "starts_at"], name="appointment_by_client_idx"),
            models.Index(fields=["state", "starts_at"], name="appointment_reminder_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_start"),
            models.CheckConstraint(
                condition=Q(state__in=["booked", "cancelled", "attended", "no_show"]), name="appointment_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(invited_at__isnull=True) | Q(state="attended"), name="appointment_invited_only_if_attended"
            ),
        ]

    def __str__(self):
        return f"Appointment {self.pk}: {self.therapist} at {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def local_starts_at(self) -> datetime:
        return self.starts_at.astimezone(self.therapist.zone)

    @property
    def local_ends_at(self) -> datetime:
        return self.ends_at.astimezone(self.therapist.zone)

    def can_be_marked(self, now: datetime) -> bool:
        return self.state == self.State.BOOKED and self.ends_at <= now <= self.ends_at + MARKING_WINDOW

    def can_be_cancelled(self, now: datetime) -> bool:
        return self.state == self.State.BOOKED and now < self.starts_at

    def invitation_expires_at(self) -> datetime | None:
        return self.invited_at + INVITATION_VALID if self.invited_at else None


class Event(models.Model):
    """One state change of a request or its appointment: who made it, when, from what to what.

    Append-only; written by appointments.states.apply in the same transaction as the change.
    `actor` is empty for the scheduled tasks (expiry).
    """

    request = models.ForeignKey(AppointmentRequest, on_delete=models.CASCADE, related_name="events")
    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    transition = models.CharField(max_length=30)
    from_state = models.CharField(max_length=10)
    to_state = models.CharField(max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["request", "at"], name="event_by_request_idx")]

    def __str__(self):
        return f"{self.transition}: {self.from_state} → {self.to_state}"
