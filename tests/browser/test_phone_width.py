"""Every page fits a 360 px phone without sideways scrolling, for each role (issue 13, item 4).

Data is chosen to be wide: long names, a long licence number and email address, decisions with
states, so a table or a word that would push the page wider shows up here.
"""

import pytest

from moderation.models import Decision
from tests.browser.test_reviews import log_in
from tests.factories import (
    CredentialFactory,
    DecisionFactory,
    ReviewFactory,
    ReviewFlagFactory,
    ReviewReplyFactory,
    TherapistFactory,
    UserFactory,
)
from therapists.scores import recompute_score

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What overflows: the page itself, or any box that would make the reader scroll it sideways.
OVERFLOW = """() => {
  const page = document.documentElement.scrollWidth - window.innerWidth;
  const boxes = [...document.querySelectorAll('body *')].filter(e => {
    const style = getComputedStyle(e);
    return ['auto', 'scroll'].includes(style.overflowX) && e.scrollWidth > e.clientWidth + 1;
  }).map(e => e.tagName.toLowerCase() + '.' + e.className);
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 3).map(e => e.tagName.toLowerCase() + '.' + e.className);
  return {page, boxes, wide};
}"""


@pytest.fixture
def site(db):
    owner = TherapistFactory(
        display_name="Maximiliane Hohenzollern-Sigmaringen",
        headline="Manual lymphatic drainage and decongestive therapy after surgery",
        contact_email="maximiliane.hohenzollern-sigmaringen@physiotherapie-praxis.example",
        phone="+49 30 12345678",
        postcode="10115",
    )
    author = UserFactory(name="Anna Kowalski")
    ReviewReplyFactory(review=ReviewFactory(therapist=owner, author=author, title="Careful and effective"))
    flagged = ReviewFactory(therapist=owner, title="Suspiciously perfect")
    ReviewFlagFactory(review=flagged, note="Copied from another profile, word for word.")
    hidden = ReviewFactory(therapist=owner, hidden=True)
    pending = CredentialFactory(
        therapist=owner, number="BY-HEILPRAKTIKER-2019-000123456789", issuer="Bayerisches Landesamt für Gesundheit"
    )
    CredentialFactory(therapist=owner, verified=True, certificate=True)
    CredentialFactory(therapist=owner, rejected=True)
    DecisionFactory(
        action=Decision.Action.VERIFY_CREDENTIAL, target_id=pending.pk,
        target_repr="Licence BY-HEILPRAKTIKER-2019-000123456789 of Maximiliane Hohenzollern-Sigmaringen",
        before={"status": "pending"}, after={"status": "verified", "expires_on": "2028-01-01"},
    )
    recompute_score(therapist_id=owner.pk)
    return {
        "owner": owner, "author": author, "flagged": flagged, "hidden": hidden, "pending": pending,
        "moderator": UserFactory(moderator=True), "client": UserFactory(),
    }


def paths(site, role) -> list[str]:
    owner = site["owner"]
    profile = f"/therapists/{owner.slug}/"
    public = ["/", "/therapists/", "/therapists/?city=Berlin", profile, "/how-we-rank/",
              "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
    reader = [profile, f"{profile}review/", f"/reviews/{site['flagged'].pk}/flag/", "/accounts/reviews/",
              "/accounts/password/change/", "/accounts/email/"]
    return {
        "anonymous": public,
        "client": [*reader, "/dashboard/", "/moderation/"],  # the last two: the start page and a 403
        "author": reader,
        "owner": [profile, "/dashboard/", "/dashboard/profile/", "/dashboard/photo/", "/dashboard/credentials/new/",
                  f"/dashboard/credentials/{site['pending'].pk}/", f"/reviews/{site['flagged'].pk}/reply/"],
        "moderator": [profile, "/moderation/", "/moderation/credentials/",
                      f"/moderation/credentials/{site['pending'].pk}/", "/moderation/reviews/",
                      f"/moderation/reviews/{site['flagged'].pk}/", "/moderation/reviews/hidden/",
                      f"/moderation/reviews/{site['hidden'].pk}/", "/moderation/therapists/?q=Maxi",
                      f"/moderation/therapists/{owner.pk}/", "/moderation/log/"],
    }[role]


@pytest.mark.parametrize("role", ["anonymous", "client", "author", "owner", "moderator"])
def test_every_page_fits_360_px(live_server, page, screenshot, site, role):
    page.set_viewport_size({"width": 360, "height": 740})
    users = {"client": site["client"], "author": site["author"], "owner": site["owner"].user,
             "moderator": site["moderator"]}
    if role in users:
        log_in(page, live_server, users[role])
    too_wide = []
    for path in paths(site, role):
        page.goto(live_server.url + path)
        found = page.evaluate(OVERFLOW)
        if found["page"] > 0 or found["boxes"]:
            too_wide.append(f"{path}: {found['page']} px too wide, scrolling boxes {found['boxes']}, {found['wide']}")
            screenshot(f"too-wide-{role}-{len(too_wide)}")
    assert not too_wide, f"{role} at 360 px:\n" + "\n".join(too_wide)
