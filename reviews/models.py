from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Case, Count, ExpressionWrapper, Q, Sum, Value, When
from django.utils import timezone

from appointments.models import Appointment
from reviews import rules
from therapists.models import Modality, Therapist
from therapists.scoring import AGE_STEPS, years_before

# The one rule of a verified visit (issue 16): the review came through an attended appointment's invitation.
VERIFIED_VISIT = Q(appointment__isnull=False)

# The profile's review orders, keyed like rules.SORTS. Each ends newest first and then by pk, so equal
# ratings read newest first and consecutive pages never overlap or skip a review.
REVIEW_ORDERS = {
    "newest": ("-created_at", "-pk"),
    "highest": ("-rating", "-created_at", "-pk"),
    "lowest": ("rating", "-created_at", "-pk"),
}


def score_input_expressions() -> dict:
    """Aggregates over published reviews that feed therapists.scoring.ScoreInputs.

    Shared by the one-therapist update and the set-wise recompute, so both count alike.
    """
    return {
        "review_count": Count("pk"),
        "rating_sum": Sum("rating"),
        "consultation_yes": Count("pk", filter=Q(consultation_given=True)),
        "no_unwanted_effects": Count("pk", filter=Q(unwanted_effects=False)),
        "aftercare_yes": Count("pk", filter=Q(aftercare_given=True)),
    }


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def score_group_keys(today: date) -> dict:
    """What sets a review's weight in the score: a verified visit or not, and its whole years of age.

    Age in whole years since it was written (AGE_STEPS and older share one group), computed from
    anniversaries in SQL, so the set-wise and the one-therapist recompute group alike.
    """
    # Compared with the start of each anniversary's next day as an aware datetime, not through
    # created_at__date: converting a million timestamps to dates cost most of the daily recompute.
    age_steps = [
        When(created_at__gte=_start_of_day(years_before(today, years + 1) + timedelta(days=1)), then=Value(years))
        for years in range(AGE_STEPS)
    ]
    return {
        # VERIFIED_VISIT, the rule ReviewQuerySet.verified_visits() reads too.
        "verified": ExpressionWrapper(VERIFIED_VISIT, output_field=BooleanField()),
        "age_years": Case(*age_steps, default=Value(AGE_STEPS)),
    }


# Asked in plain words; the answers feed the consultation, technique and aftercare parts of the score.
QUESTIONS = {
    "consultation_given": (
        "Before the session, did the therapist ask about your needs and your health "
        "(for example pain, injuries, skin or other conditions)?"
    ),
    "unwanted_effects": (
        "During or after the session, did you have unwanted effects such as bruising or pain that lasted?"
    ),
    "aftercare_given": (
        "Did the therapist give you personal advice for after the session (stretching, rest, what to avoid)?"
    ),
}


class ReviewQuerySet(models.QuerySet):
    def published(self):
        """What visitors see and the score aggregates: never held, hidden or withdrawn reviews."""
        return self.filter(status=Review.Status.PUBLISHED)

    def hidden(self):
        return self.filter(status=Review.Status.HIDDEN)

    def decidable_by(self, moderator):
        """Without reviews of the moderator's own profile and reviews they wrote: both are their own cause."""
        return self.exclude(therapist__user=moderator).exclude(author=moderator)

    def held(self):
        return self.filter(status=Review.Status.HELD)

    def verified_visits(self):
        """Reviews of a confirmed, attended visit: the one place this is decided (see is_verified_visit).

        A review is verified when it came through the invitation of an attended appointment (issue 16).
        """
        return self.filter(VERIFIED_VISIT)

    def with_rating(self, stars: int):
        return self.filter(rating=stars)

    def removed(self):
        """Hidden or withdrawn: kept for the retention period, then their text is erased."""
        return self.filter(status__in=[Review.Status.HIDDEN, Review.Status.WITHDRAWN])

    def due_for_erasure(self, now):
        return self.removed().filter(removed_at__lte=now - rules.RETENTION, text_erased_at__isnull=True)

    def anonymise(self, *, now) -> int:
        """Detach these reviews from their author, signed rules.FORMER_CLIENT_NAME: the author deleted
        their account and chose to keep them. Status and text stay as they were; the caller rescores."""
        return self.update(author=None, author_display_name=rules.FORMER_CLIENT_NAME, updated_at=now)

    def in_burst(self, *, therapist_id: int, now):
        """The therapist's reviews of the burst window from accounts younger than the burst age.

        Withdrawn and hidden ones count too: withdrawing part of a burst must not dodge the rule.
        """
        return self.filter(
            therapist_id=therapist_id,
            created_at__gt=now - rules.BURST_WINDOW,
            author__date_joined__gt=now - rules.BURST_YOUNG_ACCOUNT,
        )

    def newest_first(self):
        return self.sorted_by("newest")

    def sorted_by(self, key: str):
        """One of REVIEW_ORDERS (rules.SORTS names them for visitors); a KeyError for anything else."""
        return self.order_by(*REVIEW_ORDERS[key])

    def score_groups(self, today: date):
        """Rows of (therapist_id, verified, age_years) with the score aggregates of each group."""
        return (
            self.annotate(**score_group_keys(today))
            .values("therapist_id", "verified", "age_years")
            .annotate(**score_input_expressions())
            .order_by()
        )

    def rating_distribution(self) -> dict[int, int]:
        return {stars: counts["all"] for stars, counts in self.rating_counts().items()}

    def rating_counts(self) -> dict[int, dict[str, int]]:
        """{stars: {"all": n, "verified": m}} from 5 down to 1, in one query.

        The profile draws its rating bars from "all" and sizes every filtered review list from both
        (a star, verified visits only, or the two together), so a filter costs no COUNT query.
        """
        rows = (
            self.values_list("rating")
            .annotate(all=Count("pk"), verified=Count("pk", filter=VERIFIED_VISIT))
            .order_by()
        )
        found = {stars: {"all": total, "verified": verified} for stars, total, verified in rows}
        return {stars: found.get(stars, {"all": 0, "verified": 0}) for stars in range(5, 0, -1)}


# At module level so Meta.constraints can name its values (a nested class is not visible from Meta).
class ReviewStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    # Held by the burst rule until a moderator publishes or hides it; counts for nothing meanwhile.
    HELD = "held", "Held for a moderator"
    HIDDEN = "hidden", "Hidden by a moderator"
    WITHDRAWN = "withdrawn", "Withdrawn by the author"


class Review(models.Model):
    """One client's structured review of one therapist (the three answers feed the score)."""

    Status = ReviewStatus

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="reviews")
    # Empty once the author deleted their account and kept the review ("A former client", see anonymise()).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=120)
    body = models.TextField(max_length=5000)
    modality = models.ForeignKey(Modality, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    visit_date = models.DateField()
    # The one wording of the three questions: the form asks them, the admin shows them.
    consultation_given = models.BooleanField(help_text=QUESTIONS["consultation_given"])
    unwanted_effects = models.BooleanField(help_text=QUESTIONS["unwanted_effects"])
    aftercare_given = models.BooleanField(help_text=QUESTIONS["aftercare_given"])
    # The attended appointment whose invitation this review came through: shown as "Verified visit".
    # A later visit's invitation moves it to that appointment; the review stays one.
    appointment = models.ForeignKey(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    hidden_reason = models.TextField(blank=True)
    # The name shown with the review, chosen by the author (default User.public_name: first name and initial).
    author_display_name = models.CharField(max_length=60, default="A client")
    # When the burst rule held it (kept after a moderator decides, so a released review is not held again).
    held_at = models.DateTimeField(null=True, blank=True)
    # When it was hidden or withdrawn: the retention period runs from here.
    removed_at = models.DateTimeField(null=True, blank=True)
    # Set by the erasure task once the text of a long-removed review is gone.
    text_erased_at = models.DateTimeField(null=True, blank=True)
    # A default, not auto_now_add, so imported and demo reviews keep their real dates.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["therapist", "status", "-created_at"], name="review_by_therapist_idx"),
            models.Index(fields=["author", "-created_at"], name="review_by_author_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["therapist", "author"], name="review_one_per_author_per_therapist"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"),
            models.CheckConstraint(condition=Q(status__in=ReviewStatus.values), name="review_status_valid"),
            # A removed review knows since when, so the retention clock cannot be skipped.
            models.CheckConstraint(
                condition=~Q(status__in=[ReviewStatus.HIDDEN, ReviewStatus.WITHDRAWN]) | Q(removed_at__isnull=False),
                name="review_removed_has_removed_at",
            ),
            models.CheckConstraint(
                condition=~Q(author_display_name=""), name="review_display_name_not_empty"
            ),
        ]

    def __str__(self):
        return f"{self.rating}★ {self.title} ({self.therapist})"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_verified_visit(self) -> bool:
        return self.appointment_id is not None

    @property
    def published_reply(self) -> "ReviewReply | None":
        """The reply visitors see: None when there is none or a moderator hid it. Reads .reply: select_related it."""
        try:
            reply = self.reply
        except ReviewReply.DoesNotExist:
            return None
        return reply if reply.is_published else None

    @property
    def editable_until(self) -> datetime:
        return self.created_at + rules.EDIT_WINDOW

    # The rules, for templates that receive only the review (the review card).
    @property
    def edit_days(self) -> int:
        return rules.EDIT_WINDOW.days

    @property
    def retention_months(self) -> int:
        return rules.RETENTION_MONTHS

    @property
    def is_editable(self) -> bool:
        """Whether the author may still change it (withdrawing is always allowed)."""
        return timezone.now() <= self.editable_until


class ReviewReplyQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ReplyStatus.PUBLISHED)

    def hidden(self):
        return self.filter(status=ReplyStatus.HIDDEN)

    def decidable_by(self, moderator):
        """Without the moderator's own replies and replies to reviews they wrote: both are their own cause."""
        return self.exclude(author=moderator).exclude(review__author=moderator)

    def flagged(self):
        """Replies with at least one open flag (each once)."""
        return self.filter(flags__resolution=ReviewFlag.Resolution.OPEN).distinct()

    def due_for_erasure(self, now):
        return self.hidden().filter(removed_at__lte=now - rules.RETENTION, text_erased_at__isnull=True)


class ReplyStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    HIDDEN = "hidden", "Hidden by a moderator"


class ReviewReply(models.Model):
    """The reviewed therapist's one public answer to a review; a moderator may hide it (reviews.rules.REPLY_RULE)."""

    Status = ReplyStatus

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="reply")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=3000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    hidden_reason = models.TextField(blank=True)
    # When a moderator hid it: the retention period runs from here, as for a hidden review.
    removed_at = models.DateTimeField(null=True, blank=True)
    text_erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReviewReplyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "review replies"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReplyStatus.values), name="reply_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=ReplyStatus.HIDDEN) | Q(removed_at__isnull=False),
                name="reply_hidden_has_removed_at",
            ),
        ]

    def __str__(self):
        return f"Reply to {self.review_id}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ReviewFlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolution=ReviewFlag.Resolution.OPEN)


class ReviewFlag(models.Model):
    """A user's report that a review breaks the rules; moderators resolve it."""

    class Reason(models.TextChoices):
        FAKE = "fake", "Fake or conflict of interest"
        OFFENSIVE = "offensive", "Offensive"
        PRIVATE_INFORMATION = "private", "Private information"
        WRONG_THERAPIST = "wrong_therapist", "Not about this therapist"
        OTHER = "other", "Other"

    class Resolution(models.TextChoices):
        OPEN = "open", "Open"
        UPHELD = "upheld", "Upheld (review hidden)"
        DISMISSED = "dismissed", "Dismissed"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_flags")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(blank=True, max_length=1000)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, default=Resolution.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReviewFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["resolution", "review"], name="flag_queue_idx")]
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="flag_one_per_user_per_review"),
            models.CheckConstraint(
                condition=~Q(reason="other") | ~Q(note=""), name="flag_other_needs_note"
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} on review {self.review_id}"


# A reply can break fewer rules than a review: it is the reviewed therapist's own, so "fake" and "not about this
# therapist" do not apply. Private information comes first: the reply rule is about the client's health and visit.
REPLY_FLAG_REASONS = [
    ReviewFlag.Reason.PRIVATE_INFORMATION,
    ReviewFlag.Reason.OFFENSIVE,
    ReviewFlag.Reason.OTHER,
]


class ReviewReplyFlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolution=ReviewFlag.Resolution.OPEN)


class ReviewReplyFlag(models.Model):
    """A user's report that a therapist's reply breaks the rules; moderators resolve it, as for reviews."""

    reply = models.ForeignKey(ReviewReply, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reply_flags")
    reason = models.CharField(max_length=20, choices=[(reason.value, reason.label) for reason in REPLY_FLAG_REASONS])
    note = models.TextField(blank=True, max_length=1000)
    resolution = models.CharField(
        max_length=10, choices=ReviewFlag.Resolution.choices, default=ReviewFlag.Resolution.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReviewReplyFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["resolution", "reply"], name="reply_flag_queue_idx")]
        constraints = [
            models.UniqueConstraint(fields=["reply", "user"], name="reply_flag_one_per_user_per_reply"),
            models.CheckConstraint(condition=~Q(reason="other") | ~Q(note=""), name="reply_flag_other_needs_note"),
            models.CheckConstraint(
                condition=Q(reason__in=[reason.value for reason in REPLY_FLAG_REASONS]), name="reply_flag_reason_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} on reply {self.reply_id}"


class InsiderRefusal(models.Model):
    """One review refused because its author declared a relationship with the therapist.

    Counted for the transparency table; it keeps no author and no text, only which profile and when.
    """

    therapist = models.ForeignKey(Therapist, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return f"Insider review refused {self.created_at:%Y-%m-%d}"
