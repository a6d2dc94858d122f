from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.factories import (
    CredentialFactory,
    EmailFactory,
    ReviewFactory,
    ReviewFlagFactory,
    ReviewReplyFactory,
    ReviewReplyFlagFactory,
    TherapistFactory,
)


@pytest.fixture
def queue(db):
    """One object in every state a moderation URL acts on, all belonging to one therapist."""
    owner = TherapistFactory()
    flagged = ReviewFactory(therapist=owner)
    ReviewFlagFactory(review=flagged)
    # The owner's replies: one flagged, one a moderator hid.
    flagged_reply = ReviewReplyFactory(review=ReviewFactory(therapist=owner))
    ReviewReplyFlagFactory(reply=flagged_reply)
    hidden_reply = ReviewReplyFactory(
        review=ReviewFactory(therapist=owner),
        status="hidden",
        hidden_reason="Names a diagnosis.",
        removed_at=timezone.now(),
    )
    return SimpleNamespace(
        owner=owner,
        pending=CredentialFactory(therapist=owner),
        verified=CredentialFactory(therapist=owner, verified=True, certificate=True),
        flagged=flagged,
        hidden=ReviewFactory(therapist=owner, hidden=True),
        held=ReviewFactory(therapist=owner, held=True),
        held_too=ReviewFactory(therapist=owner, held=True),
        suspended=TherapistFactory(suspended=True),
        failed_email=EmailFactory(failed=True, to=owner.user.email),
        flagged_reply=flagged_reply,
        hidden_reply=hidden_reply,
    )
