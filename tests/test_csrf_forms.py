"""Every <form method="post"> a page renders carries a CSRF token, for every role.

`{% include … only %}` drops what context processors add, `csrf_token` among them, so a fragment
with a POST form included that way renders a form the server then refuses with 403 (issue 13: the
"Report this review" form on every profile). The test client does not enforce CSRF, so only
parsing the pages catches it.
"""

import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

from tests.factories import (
    CredentialFactory,
    ReviewFactory,
    ReviewFlagFactory,
    ReviewReplyFactory,
    TherapistFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


class PostForms(HTMLParser):
    """Collects each POST form's action and the CSRF token value inside it (None when missing)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "get").lower() == "post":
            self._current = {"action": attributes.get("action", ""), "token": None}
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and attributes.get("name") == "csrfmiddlewaretoken":
            self._current["token"] = attributes.get("value") or None

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def post_forms(html: str) -> list[dict]:
    parser = PostForms()
    parser.feed(html)
    return parser.forms


@pytest.fixture
def site(db):
    """A therapist with reviews in every state a page shows actions for, and one of each role."""
    owner = TherapistFactory(display_name="Clara Weber")
    author = UserFactory(name="Anna Kowalski")
    own_review = ReviewFactory(therapist=owner, author=author, title="Helped my neck")
    replied = ReviewFactory(therapist=owner)
    ReviewReplyFactory(review=replied)
    flagged = ReviewFactory(therapist=owner)
    ReviewFlagFactory(review=flagged)
    hidden = ReviewFactory(therapist=owner, hidden=True)
    ReviewFactory(therapist=TherapistFactory(), author=author)
    pending = CredentialFactory(therapist=owner)
    CredentialFactory(therapist=owner, verified=True, certificate=True)
    CredentialFactory(therapist=owner, rejected=True)
    return SimpleNamespace(
        owner=owner,
        author=author,
        own_review=own_review,
        replied=replied,
        flagged=flagged,
        hidden=hidden,
        pending=pending,
        suspended=TherapistFactory(suspended=True),
        draft_owner=TherapistFactory(draft=True),
        moderator=UserFactory(moderator=True),
        client=UserFactory(),
    )


def pages(site) -> dict[str, list[str]]:
    """The pages each role can open, by the paths people reach them at."""
    profile = f"/therapists/{site.owner.slug}/"
    public = ["/", "/therapists/", profile, f"{profile}?page=1", "/how-we-rank/"]
    reader = [*public, f"{profile}review/", f"/reviews/{site.flagged.pk}/flag/", "/accounts/reviews/"]
    return {
        "anonymous": public,
        "client": [*reader, "/dashboard/"],
        "author": [*reader, "/dashboard/"],
        "owner": [
            *public,
            "/dashboard/",
            "/dashboard/profile/",
            "/dashboard/photo/",
            "/dashboard/credentials/new/",
            f"/dashboard/credentials/{site.pending.pk}/",
            f"/reviews/{site.own_review.pk}/reply/",
            f"/reviews/{site.replied.pk}/reply/",
        ],
        "draft_owner": ["/dashboard/", "/dashboard/profile/"],
        "moderator": [
            *reader,
            "/moderation/",
            "/moderation/credentials/",
            f"/moderation/credentials/{site.pending.pk}/",
            "/moderation/reviews/",
            "/moderation/reviews/hidden/",
            f"/moderation/reviews/{site.flagged.pk}/",
            f"/moderation/reviews/{site.hidden.pk}/",
            "/moderation/therapists/",
            f"/moderation/therapists/{site.owner.pk}/",
            f"/moderation/therapists/{site.suspended.pk}/",
            "/moderation/log/",
        ],
    }


def log_in(client, site, role):
    users = {
        "client": site.client,
        "author": site.author,
        "owner": site.owner.user,
        "draft_owner": site.draft_owner.user,
        "moderator": site.moderator,
    }
    if role in users:
        client.force_login(users[role])


@pytest.mark.parametrize("role", ["anonymous", "client", "author", "owner", "draft_owner", "moderator"])
def test_every_post_form_on_each_page_carries_a_csrf_token(client, site, role):
    log_in(client, site, role)
    missing, seen = [], 0
    for path in pages(site)[role]:
        response = client.get(path)
        assert response.status_code == 200, f"{role} cannot open {path}: {response.status_code}"
        for form in post_forms(response.content.decode()):
            seen += 1
            if not form["token"]:
                missing.append(f"{path}: form to {form['action'] or 'itself'}")
    assert not missing, f"POST forms without a CSRF token for {role}:\n" + "\n".join(missing)
    if role != "anonymous":
        assert seen, f"no POST form found for {role}: the test would pass vacuously"


def test_the_profile_offers_readers_a_report_form_per_review_each_with_a_token(client, site):
    client.force_login(site.client)
    forms = post_forms(client.get(f"/therapists/{site.owner.slug}/").content.decode())
    flag_actions = [form["action"] for form in forms if form["action"].endswith("/flag/")]
    review_flags = [action for action in flag_actions if not action.endswith("/reply/flag/")]
    assert len(review_flags) == 3  # the three published reviews; the hidden one is not shown
    assert (
        len(flag_actions) - len(review_flags)
        == site.owner.reviews.published().filter(reply__status="published").count()
    )
    assert all(form["token"] for form in forms)


TEMPLATES = Path(settings.BASE_DIR) / "templates"
INCLUDE = re.compile(r"{%\s*include\s+[\"']([^\"']+)[\"']([^%]*)%}")


def has_post_form(name: str, seen: frozenset = frozenset()) -> bool:
    """Whether the template, or any template it includes, renders a POST form."""
    source = (TEMPLATES / name).read_text()
    if re.search(r"<form[^>]*method=[\"']post", source, re.I):
        return True
    return any(
        has_post_form(included, seen | {name}) for included, _ in INCLUDE.findall(source) if included not in seen
    )


def test_fragments_with_a_post_form_included_with_only_are_given_the_csrf_token():
    """Catches a new `only` include on a page the rendering test above does not open."""
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for included, arguments in INCLUDE.findall(path.read_text()):
            passes_token = "csrf_token=csrf_token" in arguments
            if re.search(r"\bonly\s*$", arguments) and not passes_token and has_post_form(included):
                offenders.append(f"{path.relative_to(TEMPLATES)} includes {included}")
    assert not offenders, "pass csrf_token=csrf_token (or drop `only`):\n" + "\n".join(offenders)


def test_the_template_check_sees_a_post_form_through_nested_includes():
    assert has_post_form("includes/review_card.html")
    assert not has_post_form("includes/therapist_card.html")
