from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviews.models import Review, ReviewFlag
from tests.factories import TEST_PASSWORD, ModalityFactory, ReviewFactory, TherapistFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_client_writes_a_review_with_the_three_answers_and_flags_another(live_server, page, screenshot):
    therapist = TherapistFactory(
        display_name="Clara Weber", modalities=[ModalityFactory(slug="classic-swedish", name="Classic Swedish")]
    )
    other_review = ReviewFactory(therapist=therapist, title="Suspiciously perfect")
    client = UserFactory(email="anna@example.com")
    log_in(page, live_server, client)

    page.goto(f"{live_server.url}/therapists/{therapist.slug}/review/")
    expect(page.get_by_role("heading", name="Review Clara Weber")).to_be_visible()
    screenshot("review-form-empty")
    page.get_by_role("button", name="Publish review").click()
    screenshot("review-form-errors")  # the browser's own checks stop the empty submit

    page.get_by_role("group", name="Do you work for this therapist").get_by_label("No").check()
    page.get_by_label("Massage type you received").select_option(label="Classic Swedish")
    page.get_by_label("Date of your visit").fill("2000-01-01")
    page.get_by_role("group", name="Before the session").get_by_label("Yes").check()
    page.get_by_role("group", name="During or after the session").get_by_label("No").check()
    page.get_by_role("group", name="personal advice").get_by_label("Yes").check()
    page.get_by_label("4 stars").check()
    page.get_by_label("Title").fill("Careful and kind")
    page.get_by_label("Your review").fill("She asked about my back first.\nThe stretches she showed me help.")
    # An old visit date gets past the browser's min check only if typed; the server refuses it.
    page.evaluate("document.querySelector('#id_visit_date').removeAttribute('min')")
    page.get_by_role("button", name="Publish review").click()
    expect(page.get_by_text("Please review visits from the last two years only.")).to_be_visible()
    screenshot("review-form-server-error")
    assert not Review.objects.filter(author=client).exists()

    page.get_by_label("Date of your visit").fill(last_week())
    page.get_by_role("button", name="Publish review").click()
    expect(page.get_by_text("Thank you, your review is published.")).to_be_visible()
    screenshot("profile-after-review")
    review = Review.objects.get(author=client)
    assert (review.rating, review.consultation_given, review.unwanted_effects, review.aftercare_given) == (
        4, True, False, True,
    )
    assert review.body == "She asked about my back first.\nThe stretches she showed me help."

    page.goto(f"{live_server.url}/reviews/{other_review.pk}/flag/")
    expect(page.get_by_role("heading", name="Suspiciously perfect")).to_be_visible()
    page.get_by_label("What is wrong with this review?").select_option(label="Other")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Please say what is wrong when you choose “Other”.")).to_be_visible()
    screenshot("flag-form-error")
    page.get_by_label("Note for the moderators").fill("The same text appears on three other profiles.")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("The moderators will look at this review")).to_be_visible()
    flag = ReviewFlag.objects.get()
    assert (flag.review, flag.user, flag.reason) == (other_review, client, "other")


def last_week() -> str:
    return (timezone.localdate() - timedelta(days=7)).isoformat()


def test_therapist_replies_to_a_review_and_cannot_review_themselves(live_server, page, screenshot):
    therapist = TherapistFactory(display_name="Jonas Falk")
    review = ReviewFactory(therapist=therapist, title="Helped my neck", body="Line one.\nLine two.")
    log_in(page, live_server, therapist.user)

    page.goto(f"{live_server.url}/therapists/{therapist.slug}/review/")
    expect(page.get_by_text("You cannot review your own profile.")).to_be_visible()
    screenshot("review-own-profile-refused")

    page.goto(f"{live_server.url}/reviews/{review.pk}/reply/")
    expect(page.get_by_role("heading", name="Helped my neck")).to_be_visible()
    page.get_by_label("Your public reply").fill("Thank you, keep up the stretches.")
    screenshot("reply-form")
    page.get_by_role("button", name="Publish reply").click()
    expect(page.get_by_text("Your reply is published.")).to_be_visible()
    review.refresh_from_db()
    assert review.reply.body == "Thank you, keep up the stretches."
