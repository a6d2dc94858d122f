import pytest
from playwright.sync_api import expect

from tests.factories import CredentialFactory, ModalityFactory, ReviewFactory, TherapistFactory
from therapists.scores import recompute_score

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_client_searches_a_city_filters_by_massage_type_and_reads_a_profile(live_server, page, screenshot):
    thai = ModalityFactory(slug="thai", name="Thai massage")
    swedish = ModalityFactory(slug="swedish", name="Swedish massage")
    clara = TherapistFactory(display_name="Clara Weber", modalities=[thai, swedish], city="Berlin")
    TherapistFactory(display_name="Ben Brandt", modalities=[swedish], city="Berlin")
    TherapistFactory(display_name="Paula Rossi", modalities=[thai], city="Rome", latitude=41.9, longitude=12.5)
    CredentialFactory(therapist=clara, verified=True)
    ReviewFactory(therapist=clara, rating=5)
    recompute_score(therapist_id=clara.pk)

    page.goto(live_server.url + "/")
    page.get_by_label("City").fill("Berlin")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="2 therapists found")).to_be_visible()
    expect(page.get_by_role("link", name="Ben Brandt")).to_be_visible()
    assert page.get_by_role("link", name="Paula Rossi").count() == 0

    page.get_by_role("group", name="Massage type").get_by_label("Thai massage").check()
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 therapist found")).to_be_visible()
    expect(page.get_by_role("link", name="Remove filter: Massage type: Thai massage")).to_be_visible()
    expect(page.get_by_text("km away")).to_be_visible()
    screenshot("search-results")

    page.get_by_role("link", name="Clara Weber").click()
    expect(page.get_by_role("heading", name="Clara Weber", level=1)).to_be_visible()
    breakdown = page.get_by_role("table").filter(has_text="What we look at")
    expect(breakdown.get_by_role("rowheader", name="Verified licence")).to_be_visible()
    expect(breakdown.get_by_text("20 / 20")).to_be_visible()
    expect(page.get_by_role("heading", name="Before you book")).to_be_visible()
    screenshot("profile")
