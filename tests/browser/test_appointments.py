"""The whole verified-visit journey in Chromium, at 1280 and 360 px.

A client requests an appointment on a profile, the therapist accepts it in the inbox, the clock
moves past the visit (settings.CLOCK_OFFSET, read by appointments.clock in the live server's
thread), the therapist marks it attended, the client opens the emailed invitation, writes the
review, and the profile shows it as a verified visit.
"""

import re
from datetime import timedelta

import pytest
from django.utils import formats
from playwright.sync_api import expect

from appointments.models import Appointment, AppointmentRequest
from reviews.models import Review
from tests.browser.conftest import ARTIFACTS
from tests.factories import TEST_PASSWORD, ModalityFactory, TherapistFactory, UserFactory, in_days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = (1280, 360)


def log_in(page, live_server, user):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def shots(page, name, *, fits=True):
    """The current page at both widths; `fits`: also check nothing is wider than the screen."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert not fits or overflow <= 0, f"{name} is {overflow}px wider than {width}px"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_request_accept_attend_invite_review_verified(live_server, browser, page, screenshot, settings, mailoutbox):
    settings.SITE_URL = live_server.url
    settings.CLOCK_OFFSET = timedelta(0)
    therapist = TherapistFactory(
        display_name="Clara Weber",
        bookable=True,
        modalities=[ModalityFactory(slug="classic-swedish", name="Classic Swedish")],
    )
    client = UserFactory(email="anna@example.com", name="Anna Berg")
    start = in_days(2, 10)

    # The client finds the request button on the profile.
    log_in(page, live_server, client)
    page.goto(live_server.url + therapist.get_absolute_url())
    expect(page.get_by_text("Open today 8:00–20:00")).to_be_visible()
    shots(page, "appointments-profile")
    page.get_by_role("link", name="Request an appointment").click()
    expect(page.get_by_role("heading", name="Request an appointment with Clara Weber")).to_be_visible()
    shots(page, "appointments-request-form")

    # A time outside the opening hours is refused on the page, and nothing is sent.
    page.get_by_label("Massage type").select_option(label="Classic Swedish")
    page.get_by_label("Proposed start 1").fill(in_days(2, 6).strftime("%Y-%m-%dT%H:%M"))
    for question in ("tumour", "skin condition", "chronic illness"):
        page.get_by_role("group", name=re.compile(question)).get_by_label("No").check()
    page.get_by_role("group", name=re.compile("acute flare-up")).get_by_label("Yes").check()
    page.get_by_role("button", name="Send request").click()
    screenshot("appointments-request-refused")
    expect(page.get_by_text("outside Clara Weber's opening hours")).to_be_visible()
    assert not AppointmentRequest.objects.exists()

    # A "yes" shows the advice first; the client still sends.
    page.get_by_label("Proposed start 1").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Message to the therapist").fill("My lower back is stiff.")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", name="Please talk to your doctor first")).to_be_visible()
    shots(page, "appointments-request-advice")
    page.get_by_role("button", name="Send my request anyway").click()
    expect(page.get_by_text("Your request is sent.")).to_be_visible()
    expect(page.locator(".appointment-card").get_by_text("Requested")).to_be_visible()
    shots(page, "appointments-mine-requested")
    appointment_request = AppointmentRequest.objects.get()
    assert appointment_request.health_answers.yes_answers == ["Acute flare-up of back pain"]

    # The therapist sees the answer and accepts the proposed time.
    therapist_context = browser.new_context(viewport={"width": 1280, "height": 900})
    therapist_page = therapist_context.new_page()
    log_in(therapist_page, live_server, therapist.user)
    therapist_page.goto(live_server.url + "/dashboard/")
    therapist_page.get_by_role("link", name="Requests inbox").click()
    card = therapist_page.locator(f"#request-{appointment_request.pk}")
    expect(card.get_by_text("Acute flare-up of back pain")).to_be_visible()
    shots(therapist_page, "appointments-inbox")
    when = formats.date_format(start, "l j F Y, H:i")
    card.get_by_label(when).check()
    card.get_by_role("button", name="Accept").click()
    expect(therapist_page.get_by_text("Accepted:")).to_be_visible()
    appointment = Appointment.objects.get()
    assert appointment.starts_at == start
    acceptance = [message for message in mailoutbox if message.to == [client.email]][-1]
    assert acceptance.attachments[0][0] == "appointment.ics"

    # Marking before the end is not offered; after the clock moves past the visit it is.
    expect(therapist_page.get_by_text("Nothing to mark.")).to_be_visible()
    settings.CLOCK_OFFSET = (appointment.ends_at + timedelta(hours=1)) - appointment.created_at
    therapist_page.reload()
    therapist_page.locator(f"#appointment-{appointment.pk}").get_by_role("button", name="Attended").click()
    expect(therapist_page.get_by_text("Marked attended.")).to_be_visible()
    shots(therapist_page, "appointments-inbox-after-marking")
    therapist_context.close()

    # The client opens the emailed invitation and reviews the visit.
    invitation = [message for message in mailoutbox if "How was your visit" in message.subject][-1]
    link = re.search(r"http\S+invitation=\S+", invitation.body).group(0)
    page.goto(link)
    expect(page.get_by_text("your review will show “Verified visit”")).to_be_visible()
    shots(page, "appointments-review-form")
    page.get_by_role("group", name="Do you work for this therapist").get_by_label("No").check()
    page.get_by_role("group", name="Before the session").get_by_label("Yes").check()
    page.get_by_role("group", name="During or after the session").get_by_label("No").check()
    page.get_by_role("group", name="personal advice").get_by_label("Yes").check()
    page.get_by_label("5 stars").check()
    page.get_by_label("Title").fill("Careful and kind")
    page.get_by_label("Your review").fill("She asked about my back first, and the pressure was right.")
    page.get_by_role("button", name="Publish review").click()
    expect(page.get_by_text("Thank you, your review is published.")).to_be_visible()
    month = formats.date_format(appointment.local_starts_at, "F Y")
    expect(page.get_by_text(f"Verified visit · {month}")).to_be_visible()
    # Not checked for width: with a review, the profile's score table is 8 px too wide at 360 px
    # on main too (its explanations); the mobile layout of the profile is issue 13's.
    shots(page, "appointments-profile-verified", fits=False)
    review = Review.objects.get()
    assert review.appointment == appointment

    # The link works once.
    page.goto(link)
    expect(page.get_by_text("This invitation has already been used")).to_be_visible()
    page.goto(live_server.url + "/appointments/")
    expect(page.locator(".appointment-card").get_by_text("Attended")).to_be_visible()
    shots(page, "appointments-mine-attended")
