"""The monthly transparency table on /how-reviews-work/: counts from the decision log, no personal data.

Each figure is a count of decision-log entries (Decision.objects.record is the one writer) per
calendar month, for the last TRANSPARENCY_MONTHS months including the current one. The table is
computed once a day and kept in the shared cache, so every process serves the same figures and the
page costs no aggregate query per visit.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from moderation.models import Decision
from reviews.models import InsiderRefusal, ReviewFlag

TRANSPARENCY_MONTHS = 12
CACHE_KEY = "transparency:v2:{day}"
# A little over a day: the key changes at midnight, the timeout only clears yesterday's entry.
CACHE_SECONDS = 26 * 3600

PUBLISHED_ACTIONS = (Decision.Action.PUBLISH_REVIEW, Decision.Action.RELEASE_REVIEW)
# Hidden reviews are counted under the removal criteria, which are the flag reasons.
CRITERIA = list(ReviewFlag.Reason.choices)


@dataclass
class MonthRow:
    month: date
    published: int = 0
    held: int = 0
    hidden: dict = field(default_factory=dict)
    restored: int = 0
    withdrawn: int = 0
    insider_refused: int = 0
    # Therapists' replies a moderator hid, whatever the reason (a reply counts for nothing in the score).
    replies_hidden: int = 0

    @property
    def hidden_total(self) -> int:
        return sum(self.hidden.values())


def _months(today: date, count: int) -> list[date]:
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def _month_key(value) -> date:
    # TruncMonth gives an aware datetime in the current time zone on a DateTimeField.
    return timezone.localtime(value).date().replace(day=1) if hasattr(value, "hour") else value.replace(day=1)


def compute_table(today: date | None = None) -> list[MonthRow]:
    """The table for the 12 months up to `today`'s, newest month first."""
    today = today or timezone.localdate()
    months = _months(today, TRANSPARENCY_MONTHS)
    rows = {month: MonthRow(month=month, hidden={value: 0 for value, _ in CRITERIA}) for month in months}
    start = timezone.make_aware(datetime(months[-1].year, months[-1].month, 1))
    decisions = (
        Decision.objects.filter(created_at__gte=start, target_type__in=["reviews.review", "reviews.reviewreply"])
        .annotate(month=TruncMonth("created_at"))
        .values_list("month", "target_type", "action", "after__criterion")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for month, target_type, action, criterion, n in decisions:
        row = rows.get(_month_key(month))
        if row is None:
            continue
        if target_type == "reviews.reviewreply":
            if action == Decision.Action.HIDE_REPLY:
                row.replies_hidden += n
        elif action in PUBLISHED_ACTIONS:
            row.published += n
        elif action == Decision.Action.HOLD_REVIEW:
            row.held += n
        elif action == Decision.Action.HIDE_REVIEW:
            key = criterion if criterion in row.hidden else ReviewFlag.Reason.OTHER
            row.hidden[key] += n
        elif action == Decision.Action.RESTORE_REVIEW:
            row.restored += n
        elif action == Decision.Action.WITHDRAW_REVIEW:
            row.withdrawn += n
    refusals = (
        InsiderRefusal.objects.filter(created_at__gte=start)
        .annotate(month=TruncMonth("created_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for month, n in refusals:
        row = rows.get(_month_key(month))
        if row is not None:
            row.insider_refused += n
    return [rows[month] for month in months]


def table(today: date | None = None) -> dict:
    """The cached table with the day it was computed (refreshed by the first request of each day)."""
    today = today or timezone.localdate()
    return cache.get_or_set(
        CACHE_KEY.format(day=today.isoformat()),
        lambda: {"as_of": today, "rows": compute_table(today), "criteria": CRITERIA},
        CACHE_SECONDS,
    )
