import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from outbox.models import Email
from tests.factories import CredentialFactory, EmailFactory, TherapistFactory, UserFactory
from therapists.scores import recompute_score

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, user):
    """Reuse Django's test login: copy its session cookie into the browser."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])



def test_moderator_verifies_a_licence_and_the_profile_score_rises(live_server, page, screenshot):
    therapist = TherapistFactory(display_name="Clara Weber", slug="clara-weber")
    CredentialFactory(therapist=therapist, title="Berlin massage therapist licence", number="LIC-2024-77")
    before = recompute_score(therapist_id=therapist.pk).score
    _log_in(page, live_server, UserFactory(moderator=True))

    page.goto(live_server.url + "/moderation/")
    page.get_by_role("link", name="Credentials to check").click()
    row = page.get_by_role("row").filter(has_text="LIC-2024-77")
    expect(row.get_by_role("cell", name="Clara Weber", exact=True)).to_be_visible()
    screenshot("moderation-credential-queue")

    row.get_by_role("link", name="Review Berlin massage therapist licence of Clara Weber").click()
    expect(page.get_by_role("heading", name="Licence: Berlin massage therapist licence")).to_be_visible()
    with page.context.expect_page() as document_tab:
        page.get_by_role("link", name="Open the document in a new tab").click()
    document = document_tab.value
    document.wait_for_load_state()
    assert "/dashboard/credentials/" in document.url
    document.close()
    screenshot("moderation-credential-detail")

    page.get_by_role("button", name="Verify licence").click()
    expect(page.get_by_text("Verified: Berlin massage therapist licence")).to_be_visible()
    expect(page.get_by_text("Nothing waiting")).to_be_visible()
    screenshot("moderation-after-verify")

    page.goto(f"{live_server.url}/therapists/clara-weber/")
    expect(page.locator(".profile-header").get_by_text("Verified licence", exact=True)).to_be_visible()
    after = int(page.locator(".profile-score strong").inner_text())
    # The licence's 20 points, and (score v2) the years its issue date proves now count fully.
    therapist.refresh_from_db()
    assert after == round(therapist.score)
    assert therapist.score >= before + 20
    screenshot("moderation-profile-after-verify")


@pytest.mark.parametrize("width", [360, 1280])
def test_moderator_sees_an_undelivered_email_and_sends_it_again(live_server, page, screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    EmailFactory(
        failed=True,
        to="clara@example.com",
        subject="[Therapist directory] Your licence is verified",
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
    )
    _log_in(page, live_server, UserFactory(moderator=True))

    page.goto(live_server.url + "/moderation/")
    table = page.get_by_role("table", name="Failed emails, latest first")
    row = table.get_by_role("row").filter(has_text="clara@example.com")
    expect(row.get_by_role("cell", name="ConnectionRefusedError: [Errno 111] Connection refused")).to_be_visible()
    screenshot(f"moderation-failed-emails-{width}")
    # The page itself never scrolls sideways; only the table's own box may.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth)"
        ".slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"
    )

    row.get_by_role("button", name="Send again").click()
    queued_again = "Queued again: “[Therapist directory] Your licence is verified” to clara@example.com."
    expect(page.get_by_text(queued_again)).to_be_visible()
    expect(page.get_by_text("Every email was delivered or is still being tried.")).to_be_visible()
    assert Email.objects.get().status == Email.Status.SENT
    screenshot(f"moderation-failed-email-resent-{width}")
