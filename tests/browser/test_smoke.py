import pytest
from playwright.sync_api import expect

from tests.factories import TherapistFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_lists_top_therapist_and_links_to_how_we_rank(live_server, page, screenshot):
    TherapistFactory(display_name="Clara Weber", score=80)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Find a massage therapist you can trust")).to_be_visible()
    expect(page.get_by_role("link", name="Clara Weber")).to_be_visible()
    screenshot("home")
    page.get_by_role("link", name="How we rank").first.click()
    expect(page.get_by_role("heading", name="How we rank therapists")).to_be_visible()
    assert page.url == live_server.url + "/how-we-rank/"
    expect(page.get_by_role("rowheader", name="Verified licence")).to_be_visible()
