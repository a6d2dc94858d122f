from types import SimpleNamespace

import pytest

from tests.factories import CredentialFactory, EmailFactory, ReviewFactory, ReviewFlagFactory, TherapistFactory


@pytest.fixture
def queue(db):
    """One object in every state a moderation URL acts on, all belonging to one therapist."""
    owner = TherapistFactory()
    flagged = ReviewFactory(therapist=owner)
    ReviewFlagFactory(review=flagged)
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
    )
