"""Only moderators (permission moderation.moderate, staff or not) can open or post to any moderation URL."""

import pytest

from moderation.models import Decision
from outbox.models import Email
from reviews.models import Review, ReviewReply, ReviewReplyFlag
from tests.factories import UserFactory
from tests.permissions import ROLES, matrix
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
    "reply_detail": lambda q: ("get", f"/moderation/replies/{q.flagged_reply.pk}/", {}),
    "hide_reply": lambda q: (
        "post", f"/moderation/replies/{q.flagged_reply.pk}/hide/", {"hide-reason": "Names the client's condition."}
    ),
    "dismiss_reply_flags": lambda q: ("post", f"/moderation/replies/{q.flagged_reply.pk}/dismiss-flags/", {}),
    "restore_reply": lambda q: (
        "post", f"/moderation/replies/{q.hidden_reply.pk}/restore/", {"restore-reason": "The review says as much."}
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
        "replies": sorted(ReviewReply.objects.values_list("pk", "status", "body")),
        "reply_flags": sorted(ReviewReplyFlag.objects.values_list("pk", "resolution")),
        "therapists": sorted(Therapist.objects.values_list("pk", "status")),
        "decisions": Decision.objects.count(),
        "emails": sorted(Email.objects.values_list("pk", "status", "attempts")),
    }


@pytest.mark.parametrize("name", URLS)
@pytest.mark.parametrize("role", [role for role in ROLES if role not in ("moderator", "owner_moderator")])
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


# A moderator who is also the therapist concerned (issue 13, item 11): every decision on their own
# profile, its credentials and its reviews is refused with the reason, and nothing changes. The
# owner is queue.owner, except for lifting a suspension, which needs their own suspended profile.
OWN_DECISIONS = [name for name in POST_ONLY if name != "resend_email"]
OWN_CAUSE = {
    "verify_credential": "This is your own credential",
    "reject_credential": "This is your own credential",
    "revoke_credential": "This is your own credential",
    "hide_review": "This review is of your own profile",
    "dismiss_flags": "This review is of your own profile",
    "restore_review": "This review is of your own profile",
    "publish_held_review": "This review is of your own profile",
    "hide_held_review": "This review is of your own profile",
    "hide_reply": "This is your own reply",
    "dismiss_reply_flags": "This is your own reply",
    "restore_reply": "This is your own reply",
    "suspend_therapist": "This is your own profile",
    "unsuspend_therapist": "This is your own profile",
}


@pytest.mark.parametrize("name", OWN_DECISIONS)
@pytest.mark.parametrize(("role", "refused"), matrix({"moderator": False, "owner_moderator": True}))
def test_a_moderator_cannot_decide_on_their_own_profile(client, login_as, queue, role, refused, name):
    method, path, data = URLS[name](queue)
    owner = queue.suspended if name == "unsuspend_therapist" else queue.owner
    user = login_as(client, role, owner=owner)
    before = _state(queue)
    # The held-review buttons sit in the queue itself, which says why on the page it sends back to.
    response = getattr(client, method)(path, data, follow="held" in name)
    if refused:
        assert response.status_code == 200
        assert f"{OWN_CAUSE[name]}: another moderator decides on it. Nothing was changed." in response.content.decode()
        assert _state(queue) == before
        assert not Decision.objects.filter(actor=user).exists()
    else:
        assert response.status_code == (200 if "held" in name else 302)
        assert Decision.objects.filter(actor=user).count() == 1


QUEUES = {  # queue URL -> the object of queue.owner's that a plain moderator finds listed there
    "credential_queue": ("/moderation/credentials/", lambda q: f"/moderation/credentials/{q.pending.pk}/"),
    "flag_queue": ("/moderation/reviews/", lambda q: f"/moderation/reviews/{q.flagged.pk}/"),
    "hidden_reviews": ("/moderation/reviews/hidden/", lambda q: f"/moderation/reviews/{q.hidden.pk}/"),
    "flagged_replies": ("/moderation/reviews/", lambda q: f"/moderation/replies/{q.flagged_reply.pk}/"),
    "hidden_replies": ("/moderation/reviews/hidden/", lambda q: f"/moderation/replies/{q.hidden_reply.pk}/"),
    "held_reviews": ("/moderation/reviews/held/", lambda q: f"/moderation/reviews/{q.held.pk}/held/publish/"),
    "therapist_search": (
        "/moderation/therapists/?q={name}", lambda q: f"/moderation/therapists/{q.owner.pk}/"
    ),
}


@pytest.mark.parametrize("name", QUEUES)
@pytest.mark.parametrize(("role", "listed"), matrix({"moderator": True, "owner_moderator": False}))
def test_the_queues_leave_out_the_moderators_own_items(client, login_as, queue, role, listed, name):
    path, link = QUEUES[name]
    login_as(client, role, owner=queue.owner)
    response = client.get(path.format(name=queue.owner.display_name))
    assert response.status_code == 200
    assert (link(queue) in response.content.decode()) is listed


@pytest.mark.parametrize(
    ("role", "credentials", "flagged", "hidden"), matrix({"moderator": (1, 1, 1), "owner_moderator": (0, 0, 0)})
)
def test_the_moderation_home_counts_only_what_the_moderator_may_decide(
    client, login_as, queue, role, credentials, flagged, hidden
):
    login_as(client, role, owner=queue.owner)
    shown = client.get("/moderation/").context["counts"]
    assert shown["pending_credentials"] == credentials
    assert (shown["flagged_reviews"], shown["hidden_reviews"]) == (flagged, hidden)


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("credential", lambda q: f"/moderation/credentials/{q.pending.pk}/"),
        ("review", lambda q: f"/moderation/reviews/{q.flagged.pk}/"),
        ("therapist", lambda q: f"/moderation/therapists/{q.owner.pk}/"),
    ],
)
def test_an_own_item_opened_by_its_address_shows_why_instead_of_the_decision_forms(client, login_as, queue, name, path):
    login_as(client, "owner_moderator", owner=queue.owner)
    page = client.get(path(queue)).content.decode()
    assert "another moderator decides on it." in page
    assert 'class="decision-form"' not in page
