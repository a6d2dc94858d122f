"""Two moderators deciding the same pending credential at once: one decision applies, one is refused."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from moderation import services
from moderation.models import Decision
from tests.factories import CredentialFactory, UserFactory
from therapists.models import Credential


@pytest.mark.django_db
def test_verify_then_reject_of_the_same_credential_applies_only_the_first(moderator):
    credential = CredentialFactory()
    seen_by_second = Credential.objects.get(pk=credential.pk)  # loaded while still pending
    services.verify_credential(credential=credential, moderator=moderator)
    with pytest.raises(ValidationError, match="already decided"):
        services.reject_credential(credential=seen_by_second, moderator=UserFactory(moderator=True), reason="No.")
    credential.refresh_from_db()
    assert credential.status == Credential.Status.VERIFIED
    assert Decision.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_verify_and_reject_apply_exactly_one_decision():
    credential = CredentialFactory()
    first, second = UserFactory(moderator=True), UserFactory(moderator=True)
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(decision):
        try:
            barrier.wait(timeout=10)
            decision()
            outcomes.append("applied")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(lambda: services.verify_credential(
            credential=Credential.objects.get(pk=credential.pk), moderator=first),)),
        threading.Thread(target=decide, args=(lambda: services.reject_credential(
            credential=Credential.objects.get(pk=credential.pk), moderator=second, reason="Illegible."),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["applied", "refused"]
    credential.refresh_from_db()
    [decision] = Decision.objects.filter(target_id=credential.pk)
    expected = Credential.Status.VERIFIED if decision.actor == first else Credential.Status.REJECTED
    assert credential.status == expected
    assert credential.decided_by == decision.actor
