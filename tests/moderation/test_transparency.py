"""/how-reviews-work/: the rules printed from the code, and the monthly figures from the decision log."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from moderation import transparency
from moderation.models import Decision
from reviews import rules
from reviews import services as review_services
from reviews.models import InsiderRefusal, ReviewFlag
from tests.factories import ReviewFactory, ReviewReplyFactory, UserFactory

pytestmark = pytest.mark.django_db


def at(monkeypatch, when):
    """Record decisions as if made at `when` (created_at is auto_now_add, read from timezone.now)."""
    monkeypatch.setattr(timezone, "now", lambda: when)


def record(action, review, actor=None, **after):
    return Decision.objects.record(actor=actor, action=action, target=review, after=after)


def test_the_figures_count_a_known_set_of_decisions_per_month(monkeypatch):
    review = ReviewFactory()
    moderator = UserFactory(moderator=True)
    november = timezone.make_aware(datetime(2026, 11, 10, 12))
    october = timezone.make_aware(datetime(2026, 10, 31, 23, 30))
    long_ago = timezone.make_aware(datetime(2025, 11, 30, 12))  # 13th month back: outside the table
    at(monkeypatch, november)
    for _ in range(3):
        record(Decision.Action.PUBLISH_REVIEW, review, review.author)
    record(Decision.Action.RELEASE_REVIEW, review, moderator)
    record(Decision.Action.HOLD_REVIEW, review)
    record(Decision.Action.HIDE_REVIEW, review, moderator, criterion=ReviewFlag.Reason.OFFENSIVE)
    record(Decision.Action.HIDE_REVIEW, review, moderator, criterion=ReviewFlag.Reason.FAKE)
    record(Decision.Action.HIDE_REVIEW, review, moderator)  # logged before criteria: counted as "other"
    record(Decision.Action.WITHDRAW_REVIEW, review, review.author)
    InsiderRefusal.objects.create(therapist=review.therapist, created_at=november)
    at(monkeypatch, october)
    record(Decision.Action.PUBLISH_REVIEW, review, review.author)
    record(Decision.Action.RESTORE_REVIEW, review, moderator)
    at(monkeypatch, long_ago)
    record(Decision.Action.PUBLISH_REVIEW, review, review.author)
    monkeypatch.undo()

    rows = transparency.compute_table(today=datetime(2026, 12, 1).date())
    assert len(rows) == transparency.TRANSPARENCY_MONTHS
    assert [row.month.isoformat() for row in rows[:3]] == ["2026-12-01", "2026-11-01", "2026-10-01"]
    december, nov, octo = rows[:3]
    assert (december.published, december.hidden_total) == (0, 0)
    assert (nov.published, nov.held, nov.withdrawn, nov.insider_refused, nov.restored) == (4, 1, 1, 1, 0)
    assert nov.hidden == {"fake": 1, "offensive": 1, "private": 0, "wrong_therapist": 0, "other": 1}
    assert (octo.published, octo.restored) == (1, 1)
    assert sum(row.published for row in rows) == 5  # the one from 13 months ago is not counted


def test_the_table_is_cached_for_the_day_and_recomputed_the_next(monkeypatch):
    review = ReviewFactory()
    today = timezone.localdate()
    first = transparency.table(today=today)
    record(Decision.Action.PUBLISH_REVIEW, review, review.author)
    assert transparency.table(today=today)["rows"][0].published == first["rows"][0].published == 0
    tomorrow = transparency.table(today=today + timedelta(days=1))
    assert tomorrow["as_of"] == today + timedelta(days=1)
    assert sum(row.published for row in tomorrow["rows"]) == 1


def test_the_page_prints_the_rules_and_the_table_without_personal_data(client):
    review = ReviewFactory()
    record(Decision.Action.WITHDRAW_REVIEW, review, review.author)
    response = client.get("/how-reviews-work/")
    assert response.status_code == 200
    page = response.content.decode()
    for _, label in ReviewFlag.Reason.choices:
        assert label in page
    assert rules.INSIDER_QUESTION.replace("(", "").split()[0] in page
    assert f"{rules.BURST_MIN_REVIEWS} or more reviews within 60 minutes" in page
    assert f"for {rules.RETENTION_MONTHS} months" in page
    assert 'href="/how-we-rank/"' in page
    assert review.author.email not in page and review.title not in page


def test_the_page_follows_a_changed_rule_constant(client, monkeypatch):
    monkeypatch.setattr(rules, "BURST_MIN_REVIEWS", 7)
    monkeypatch.setattr(rules, "BURST_YOUNG_ACCOUNT", timedelta(days=14))
    monkeypatch.setattr(rules, "RETENTION_MONTHS", 18)
    monkeypatch.setattr(rules, "EDIT_WINDOW", timedelta(days=10))
    page = client.get("/how-reviews-work/").content.decode()
    assert "7 or more reviews within 60 minutes from accounts younger than 14 days" in page
    assert "for 18 months" in page
    assert "edit it for 10 days" in page


def test_the_edit_rule_the_page_states_is_the_one_the_service_applies(monkeypatch):

    review = ReviewFactory(created_at=timezone.now() - timedelta(days=12))
    assert review_services.can_edit(review)
    monkeypatch.setattr(rules, "EDIT_WINDOW", timedelta(days=10))
    assert not review_services.can_edit(review)


@pytest.mark.parametrize("path", ["/", "/how-we-rank/"])
def test_the_footer_links_the_page_everywhere(client, path):
    assert 'href="/how-reviews-work/"' in client.get(path).content.decode()


def test_the_profile_review_list_links_the_page(client):
    review = ReviewFactory()
    assert 'href="/how-reviews-work/"' in client.get(review.therapist.get_absolute_url()).content.decode()


def test_the_page_states_the_review_orders_the_profile_offers(client, monkeypatch):
    page = client.get("/how-reviews-work/").content.decode()
    assert "Newest first, by the date the review was published" in page
    assert "“newest first”, “highest rating first” or “lowest rating first”" in page
    assert "each rating bar is a link to its reviews" in page
    monkeypatch.setitem(rules.SORTS, "newest", "Most recent first")
    assert "Most recent first, by the date" in client.get("/how-reviews-work/").content.decode()


def test_the_page_prints_the_reply_rule_and_the_reasons_a_reply_can_be_reported_for(client, monkeypatch):
    page = client.get("/how-reviews-work/").content.decode()
    assert rules.REPLY_RULE in page
    section = page[page.index('id="reply"') : page.index('id="withdraw"')]
    assert "Private information" in section and "Offensive" in section
    assert "Fake or conflict of interest" not in section
    assert "a moderator can restore it, again giving a reason" in section
    monkeypatch.setattr(rules, "REPLY_RULE", "Say nothing about the visit.")
    assert "“Say nothing about the visit.”" in client.get("/how-reviews-work/").content.decode()


def test_hidden_replies_are_counted_apart_from_hidden_reviews(monkeypatch):
    reply = ReviewReplyFactory()
    moderator = UserFactory(moderator=True)
    november = timezone.make_aware(datetime(2026, 11, 10, 12))
    at(monkeypatch, november)
    Decision.objects.record(
        actor=moderator, action=Decision.Action.HIDE_REPLY, target=reply, after={"criterion": "private"}
    )
    Decision.objects.record(actor=moderator, action=Decision.Action.HIDE_REPLY, target=reply)
    Decision.objects.record(actor=moderator, action=Decision.Action.RESTORE_REPLY, target=reply)
    Decision.objects.record(actor=moderator, action=Decision.Action.DISMISS_FLAGS, target=reply)
    monkeypatch.undo()
    nov = transparency.compute_table(today=datetime(2026, 11, 30).date())[0]
    assert nov.replies_hidden == 2
    assert (nov.hidden_total, nov.restored, nov.published) == (0, 0, 0)
