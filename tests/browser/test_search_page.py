"""The search page in Chromium: results first on a phone, filters behind "Filters (n)", sort on
change, "Use my location", and the map's markers, with no request leaving loopback."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.factories import ModalityFactory, TherapistFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BERLIN = {"city": "Berlin", "country": "DE", "latitude": 52.52, "longitude": 13.405}


@pytest.fixture
def berlin(db):
    # Named here: a transactional test before this one may have flushed the seeded reference data.
    thai = ModalityFactory(slug="thai", name="Thai massage")
    swedish = ModalityFactory(slug="swedish", name="Swedish massage")
    therapists = [
        TherapistFactory(
            display_name=f"Therapist {number:02d}",
            modalities=[thai, swedish] if number % 3 == 0 else [swedish],
            city="Berlin",
            country="DE",
            latitude=52.52 + number / 200,
            longitude=13.405 + number / 150,
            score=90 - number,
        )
        for number in range(24)
    ]
    return therapists


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def keep_loopback_only(page) -> list[str]:
    """Record every request that would leave the machine, and stop it."""
    outside = []

    def check(route):
        host = urlsplit(route.request.url).hostname
        if host in {"127.0.0.1", "localhost"}:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", check)
    return outside


def shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_on_a_phone_the_results_come_first_and_the_filters_open_and_apply(live_server, phone, berlin):
    outside = keep_loopback_only(phone)
    # The first search of a process loads the gazetteer: give it time on a busy machine.
    phone.goto(live_server.url + "/therapists/?city=Berlin", timeout=60000)
    first = phone.get_by_role("link", name="Therapist 00")
    expect(first).to_be_visible()
    box = first.bounding_box()
    assert box["y"] + box["height"] <= 640, f"first result ends at {box['y'] + box['height']} px"
    filters = phone.locator("details#filters")
    assert filters.get_attribute("open") is None
    shoot(phone, "search-phone-360")

    summary = phone.locator("details#filters > summary")
    expect(summary).to_have_text(re.compile(r"^Filters \(1\)"))
    summary.click()
    expect(filters).to_have_attribute("open", "")
    thai = phone.get_by_role("group", name="Massage type").get_by_label("Thai massage")
    expect(thai).to_be_visible()
    expect(phone.get_by_role("group", name="Massage type").get_by_text("Thai massage (8)")).to_be_visible()
    shoot(phone, "search-phone-360-filters")
    thai.check()
    phone.get_by_role("button", name="Apply filters").click()
    expect(phone.get_by_role("heading", name="8 therapists found")).to_be_visible()
    assert "modality=thai" in phone.url
    assert filters.get_attribute("open") is None
    expect(phone.get_by_text("Filters (2)")).to_be_visible()
    assert outside == []


def test_on_a_wide_screen_the_map_has_a_marker_linking_to_each_profile(live_server, page, berlin):
    outside = keep_loopback_only(page)
    page.goto(live_server.url + "/therapists/?city=Berlin&radius_km=50", timeout=60000)
    expect(page.get_by_role("heading", name="24 therapists found")).to_be_visible()
    expect(page.locator("details#filters")).to_have_attribute("open", "")
    markers = page.locator("#search-map .leaflet-marker-icon")
    expect(markers).to_have_count(20)
    shoot(page, "search-desktop-1280")
    shown = {therapist.display_name: therapist.get_absolute_url() for therapist in berlin}
    for index in range(markers.count()):
        marker = markers.nth(index)
        name = marker.get_attribute("title")
        # The markers overlap at low zoom; the click is dispatched to the marker itself.
        marker.dispatch_event("click")
        # The popup before it may still be fading out: take the one naming this marker.
        link = page.locator(".leaflet-popup-content a", has_text=name)
        expect(link).to_be_visible()
        assert link.get_attribute("href") == shown[name]
        expect(page.locator(".leaflet-popup-content", has_text=name)).to_contain_text("/100")
    assert page.locator("#search-map").get_attribute("aria-hidden") == "true"
    assert outside == []


def test_changing_the_sort_order_applies_it_at_once(live_server, page, berlin):
    page.goto(live_server.url + "/therapists/?city=Berlin")
    expect(page.get_by_role("button", name="Sort")).to_be_hidden()
    with page.expect_navigation():
        page.get_by_label("Sort by").select_option("reviews")
    assert parse_qs(urlsplit(page.url).query)["sort"] == ["reviews"]
    expect(page.get_by_label("Sort by")).to_have_value("reviews")


def test_use_my_location_fills_the_hidden_coordinates_and_searches(live_server, browser, berlin):
    context = browser.new_context(
        viewport={"width": 360, "height": 640}, geolocation={"latitude": 52.53, "longitude": 13.41},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(live_server.url + "/therapists/")
        with page.expect_navigation():
            page.get_by_role("button", name="Use my location").click()
        query = parse_qs(urlsplit(page.url).query)
        assert query["lat"] == ["52.5300"] and query["lon"] == ["13.4100"]
        expect(page.get_by_role("link", name="Remove filter: Within 25 km of your location")).to_be_visible()
        expect(page.get_by_text("km away").first).to_be_visible()
    finally:
        context.close()
