"""A licence in a board's register, through the browser: the moderator sees the answer, the client the check."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_moderation import _log_in
from tests.factories import CredentialFactory, RegisterEntryFactory, RegisterFactory, TherapistFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [360, 1280])
def test_moderator_verifies_a_licence_the_register_confirms_and_the_profile_says_so(
    live_server, page, screenshot, width
):
    page.set_viewport_size({"width": width, "height": 900})
    register = RegisterFactory(name="Texas TDLR", board="Texas Department of Licensing and Regulation")
    expires = timezone.localdate() + timedelta(days=500)
    RegisterEntryFactory(register=register, number="MT123456", name="NOWAK, IVAN", expires_on=expires)
    therapist = TherapistFactory(display_name="Ivan Nowak", slug="ivan-nowak", status="published")
    credential = CredentialFactory(therapist=therapist, register=register, number="MT123456")
    _log_in(page, live_server, UserFactory(moderator=True))

    page.goto(f"{live_server.url}/moderation/credentials/{credential.pk}/")
    answer = page.locator(".register-answer")
    expect(answer).to_contain_text("name matches (NOWAK, IVAN ↔ Ivan Nowak)")
    expect(page.get_by_role("link", name="Look it up on the board's site")).to_be_visible()
    screenshot(f"registers-moderator-answer-{width}")

    page.get_by_role("button", name="Verify licence").click()
    expect(page.get_by_text("Verified: State massage therapist licence")).to_be_visible()

    page.goto(f"{live_server.url}/therapists/ivan-nowak/")
    today = timezone.localdate()
    expect(page.locator(".register-line")).to_contain_text(f"Checked against Texas TDLR on {today:%-d %B %Y}")
    complaint = page.get_by_role("link", name="File a complaint with Texas Department of Licensing and Regulation")
    expect(complaint).to_have_attribute("href", "https://www.tdlr.texas.gov/complaints/")
    screenshot(f"registers-profile-check-{width}")
