"""The review invitation: a signed, one-time link, valid INVITATION_VALID after the visit was marked attended.

The token names the appointment and the moment of its invitation, signed with the site's secret
(django.core.signing, its own salt), so it cannot be forged or pointed at another appointment. It
is checked against the database on every use: the client must be the appointment's client, the
invitation must not be older than 30 days (by appointments.clock), and not used yet. Opening the
link uses nothing (mail scanners open links); publishing the review does, in its transaction.
"""

from datetime import datetime

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import formats

from accounts.models import User
from appointments.models import Appointment

SALT = "appointments.review-invitation"


def invitation_token(appointment: Appointment) -> str:
    return signing.dumps({"appointment": appointment.pk, "invited": appointment.invited_at.isoformat()}, salt=SALT)


def read_invitation(token: str, *, user: User, now: datetime) -> Appointment:
    """The attended appointment the token invites `user` to review; ValidationError saying why not."""
    try:
        payload = signing.loads(token, salt=SALT)
        appointment_id, invited = int(payload["appointment"]), str(payload["invited"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ValidationError(
            "This invitation link is not valid. Open it again from the email, and check it was copied whole."
        ) from None
    appointment = (
        Appointment.objects.select_related("therapist", "modality")
        .filter(pk=appointment_id, state=Appointment.State.ATTENDED, invited_at__isnull=False)
        .first()
    )
    if appointment is None or appointment.invited_at.isoformat() != invited:
        raise ValidationError("This invitation link is not valid any more.")
    if appointment.client_id != user.pk:
        raise ValidationError(
            "This invitation was sent to another account. Log in with the account you booked the appointment with."
        )
    if appointment.invitation_used_at is not None:
        raise ValidationError(
            "This invitation has already been used: your review of this visit is published. "
            "You can still edit it from the profile."
        )
    expires_at = appointment.invitation_expires_at()
    if now > expires_at:
        raise ValidationError(
            f"This invitation expired on {formats.date_format(expires_at, 'j F Y')}; invitations are valid for 30 days."
        )
    return appointment


def use_invitation(appointment: Appointment, *, now: datetime) -> None:
    """Mark the invitation used; call inside the review's transaction. Raises if it was used meanwhile."""
    used = Appointment.objects.filter(pk=appointment.pk, invitation_used_at__isnull=True).update(
        invitation_used_at=now
    )
    if used != 1:
        raise ValidationError("This invitation has already been used: your review of this visit is published.")
    appointment.invitation_used_at = now
