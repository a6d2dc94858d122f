"""Only moderators (permission moderation.moderate, staff or not) can open or post to any moderation URL."""

import pytest

from moderation.models import Decision
from outbox.models import Email
from reviews.models import Review
from tests.factories import UserFactory
from tests.permissions import ROLES
from therapists.models import Credential, Therapist

pytestmark = pytest.mark.django_db

# (method, path, form data), built from the `queue` fixture; paths are the public contract.
URLS = {
    "home": lambda q: ("get", "/moderation/", {}),
    "credential_queue": lambda q: ("get", "/moderation/credentials/", {}),
    "credential_detail": lambda q: ("get", f"/moderation/credentials/{q.pending.pk}/", {}),
    "verify_credential": lambda q: ("post", f"/moderation/credentials/{q.pending.pk}/verify/", {}),
    "reject_credential": lambda q: (
        "post", f"/moderation/credentials/{q.pending.pk}/reject/", {"reject-reason": "Illegible scan."}
    ),
    "revoke_credential": lambda q: (
        "post", f"/moderation/credentials/{q.verified.pk}/revoke/", {"revoke-reason": "Issuer says it is void."}
    ),
    "flag_queue": lambda q: ("get", "/moderation/reviews/", {}),
    "hidden_reviews": lambda q: ("get", "/moderation/reviews/hidden/", {}),
    "review_detail": lambda q: ("get", f"/moderation/reviews/{q.flagged.pk}/", {}),
    "hide_review": lambda q: ("post", f"/moderation/reviews/{q.flagged.pk}/hide/", {"hide-reason": "Insults."}),
    "dismiss_flags": lambda q: ("post", f"/moderation/reviews/{q.flagged.pk}/dismiss-flags/", {}),
    "restore_review": lambda q: ("post", f"/moderation/reviews/{q.hidden.pk}/restore/", {}),
    "held_reviews": lambda q: ("get", "/moderation/reviews/held/", {}),
    "publish_held_review": lambda q: ("post", f"/moderation/reviews/{q.held.pk}/held/publish/", {}),
    "hide_held_review": lambda q: (
        "post", f"/moderation/reviews/{q.held_too.pk}/held/hide/", {"hide-reason": "Same text as three others."}
    ),
    "therapist_list": lambda q: ("get", "/moderation/therapists/?q=a", {}),
    "therapist_detail": lambda q: ("get", f"/moderation/therapists/{q.owner.pk}/", {}),
    "suspend_therapist": lambda q: (
        "post", f"/moderation/therapists/{q.owner.pk}/suspend/", {"suspend-reason": "Fake licence."}
    ),
    "unsuspend_therapist": lambda q: ("post", f"/moderation/therapists/{q.suspended.pk}/unsuspend/", {}),
    "decision_log": lambda q: ("get", "/moderation/log/", {}),
    "resend_email": lambda q: ("post", f"/moderation/emails/{q.failed_email.pk}/resend/", {}),
}


def _state(q) -> dict:
    return {
        "credentials": sorted(Credential.objects.values_list("pk", "status")),
        "reviews": sorted(Review.objects.values_list("pk", "status")),
        "therapists": sorted(Therapist.objects.values_list("pk", "status")),
        "decisions": Decision.objects.count(),
        "emails": sorted(Email.objects.values_list("pk", "status", "attempts")),
    }


@pytest.mark.parametrize("name", URLS)
@pytest.mark.parametrize("role", [role for role in ROLES if role != "moderator"])
def test_moderation_url_is_refused_to_everyone_but_moderators(client, login_as, queue, role, name):
    method, path, data = URLS[name](queue)
    login_as(client, role, owner=queue.owner, review=queue.flagged)
    before = _state(queue)
    response = getattr(client, method)(path, data)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 403
    assert _state(queue) == before


@pytest.mark.parametrize("name", URLS)
@pytest.mark.parametrize("verb", ["get", "post"])
def test_anonymous_is_sent_to_login_whatever_the_method(client, queue, name, verb):
    _, path, data = URLS[name](queue)
    before = _state(queue)
    response = getattr(client, verb)(path, data)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert _state(queue) == before


@pytest.mark.parametrize("name", URLS)
def test_moderator_who_is_not_staff_may_use_every_moderation_url(client, queue, name):
    method, path, data = URLS[name](queue)
    moderator = UserFactory(moderator=True)
    assert not moderator.is_staff
    client.force_login(moderator)
    response = getattr(client, method)(path, data)
    assert response.status_code == (200 if method == "get" else 302)
    if method == "post":
        assert Decision.objects.filter(actor=moderator).count() == 1


POST_ONLY = [name for name in URLS if name.split("_")[0] in {"verify", "reject", "revoke", "hide", "dismiss",
                                                               "restore", "suspend", "unsuspend", "resend",
                                                               "publish"}]


@pytest.mark.parametrize("name", POST_ONLY)
def test_decision_urls_refuse_get_so_a_link_cannot_decide(client, moderator, queue, name):
    _, path, _ = URLS[name](queue)
    client.force_login(moderator)
    response = client.get(path)
    assert response.status_code == 405
    assert Decision.objects.count() == 0
