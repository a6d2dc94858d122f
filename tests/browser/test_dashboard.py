import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import ModalityFactory
from tests.therapists.uploads import image_bytes, pdf_bytes
from therapists.models import Credential, Therapist

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-enough-pass"


def test_new_therapist_signs_up_builds_a_profile_and_submits_a_licence(live_server, page, screenshot):
    # Transactional tests flush the seeded reference data, so make sure this one exists.
    ModalityFactory(slug="sports", name="Sports massage")

    page.goto(live_server.url + "/accounts/signup/")
    screenshot("dashboard-01-signup")
    page.get_by_label("Email").fill("anna@example.com")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Confirm your email address")).to_be_visible()
    screenshot("dashboard-02-verification-sent")

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(live_server.url + link[link.index("/accounts/"):])
    page.get_by_role("button", name="Confirm").click()

    page.goto(live_server.url + "/dashboard/")
    screenshot("dashboard-03-start")
    page.get_by_label("Your name as clients will see it").fill("Anna Schmidt")
    page.get_by_role("button", name="Create my therapist profile").click()
    expect(page.get_by_role("heading", name="Edit your profile")).to_be_visible()

    page.get_by_label("Headline").fill("Sports and deep tissue massage in Hamburg")
    page.get_by_label("City").fill("Hamburg")
    page.get_by_label("Country").select_option("DE")
    page.get_by_label("Year you started practising").fill(str(timezone.localdate().year - 8))
    page.get_by_label("Sports massage").check()
    screenshot("dashboard-04-profile-form")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()

    page.get_by_role("link", name="Add a photo").click()
    page.get_by_label("Profile photo").set_input_files(
        files=[{"name": "anna.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG", size=(900, 1200))}]
    )
    page.get_by_role("button", name="Upload photo").click()
    expect(page.get_by_text("Your new photo is uploaded.")).to_be_visible()
    # No broker in the test server: the resize task ran right after the commit, before the redirect.
    expect(page.get_by_role("img", name="Your profile photo")).to_be_visible()

    page.get_by_role("link", name="Submit a licence or certificate").click()
    page.get_by_label("Type", exact=True).select_option("licence")
    page.get_by_label("Title").fill("State-certified massage therapist")
    page.get_by_label("Issued by").fill("Hamburg Health Authority")
    page.get_by_label("Licence or certificate number").fill("HH-2017-0042")
    page.get_by_label("Issue date").fill((timezone.localdate() - timedelta(days=3000)).isoformat())
    page.get_by_label("Document").set_input_files(
        files=[{"name": "licence.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    screenshot("dashboard-05-credential-form")
    page.get_by_role("button", name="Submit for verification").click()

    row = page.get_by_role("row", name=re.compile("State-certified massage therapist"))
    expect(row.get_by_text("Pending review")).to_be_visible()
    page.get_by_role("button", name="Publish my profile").click()
    expect(page.get_by_text("Your profile is published")).to_be_visible()
    screenshot("dashboard-06-home")

    therapist = Therapist.objects.get(user__email="anna@example.com")
    assert therapist.status == Therapist.Status.PUBLISHED
    assert therapist.photo and therapist.latitude is not None
    assert therapist.credentials.get().status == Credential.Status.PENDING


def test_bad_photo_shows_the_error_next_to_the_field(live_server, page, screenshot):
    from tests.factories import TEST_PASSWORD, TherapistFactory

    therapist = TherapistFactory(user__email="ben@example.com")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(therapist.user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(live_server.url + "/dashboard/photo/")
    page.get_by_label("Profile photo").set_input_files(
        files=[{"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"not an image at all"}]
    )
    page.get_by_role("button", name="Upload photo").click()

    expect(page.get_by_text("Upload a photo in JPEG, PNG or WebP format.")).to_be_visible()
    screenshot("dashboard-07-photo-error")
    therapist.refresh_from_db()
    assert not therapist.photo, "a refused upload must not be saved"
