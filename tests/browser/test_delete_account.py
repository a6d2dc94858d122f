"""Deleting one's account from the account pages, on a phone and on a desktop (issue 23)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import User
from moderation.models import Decision
from outbox.models import Email
from reviews import rules
from reviews.models import Review
from tests.browser.test_phone_width import OVERFLOW
from tests.browser.test_reviews import log_in
from tests.factories import ReviewFactory, TherapistFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-privacy23")


@pytest.mark.parametrize("width", [360, 1280])
def test_a_client_deletes_their_account_and_keeps_their_review_anonymised(live_server, page, width):
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    clara = TherapistFactory(display_name="Clara Weber")
    anna = UserFactory(email=f"anna{width}@example.com", name="Anna Kowalski")
    review = ReviewFactory(therapist=clara, author=anna, title="Careful and effective")

    def shot(name):
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        assert page.evaluate(OVERFLOW)["page"] <= 0, f"{name} scrolls sideways at {width} px"

    log_in(page, live_server, anna)
    page.goto(live_server.url + "/accounts/reviews/")
    page.get_by_role("link", name="Delete your account").click()
    expect(page.get_by_role("heading", name="Delete your account", level=1)).to_be_visible()
    expect(page.get_by_text("Your 1 review (Clara Weber)")).to_be_visible()
    shot("delete-confirmation")

    # A wrong password: a clear message, and nothing happens.
    page.get_by_label("Keep it").check()
    page.get_by_label("Your password").fill("not-my-password")
    page.get_by_role("button", name="Delete my account now").click()
    expect(page.get_by_text("That is not your password. Nothing was deleted.")).to_be_visible()
    shot("delete-wrong-password")
    assert User.objects.filter(pk=anna.pk).exists()

    page.get_by_label("Keep it").check()
    page.get_by_label("Your password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Delete my account now").click()
    expect(page.get_by_role("heading", name="Your account has been deleted")).to_be_visible()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    shot("delete-done")

    assert not User.objects.filter(pk=anna.pk).exists()
    review.refresh_from_db()
    assert (review.author_id, review.author_display_name, review.status) == (
        None,
        rules.FORMER_CLIENT_NAME,
        Review.Status.PUBLISHED,
    )
    assert Decision.objects.filter(action=Decision.Action.ERASE_ACCOUNT).count() == 1
    assert Email.objects.filter(to=anna.email, kind="privacy.account_deleted").exists()

    page.goto(live_server.url + clara.get_absolute_url())
    expect(page.get_by_text(rules.FORMER_CLIENT_NAME).first).to_be_visible()
    shot("profile-former-client")
