"""The qualification score (version 2): 0–100 points, and evidence earns them, absence does not.

Pure arithmetic, no ORM: `compute_score(ScoreInputs)` returns a `ScoreBreakdown`. The inputs are
aggregated in SQL by therapists.scores; only verified, unexpired credentials and published
reviews reach them (held, hidden and withdrawn reviews count for nothing; DESIGN.md, "honest").

The weights (WEIGHTS below, summing to 100) and why:

licence (20)
    At least one verified, unexpired licence. The first thing every guide says to check, and the
    one sign a client cannot judge alone, so it is all or nothing.
certificates (15)
    Verified, unexpired certificates, with diminishing returns: the first earns half the points,
    each further one half of what is left (7.5, 11.3, 13.1, …), so a wall of certificates cannot
    buy the ranking. Capped at the weight.
experience (15)
    Years of practice on a log curve that saturates at 20 years (the gap between 1 and 5 years
    matters more than the one between 15 and 20). Years since the issue of the earliest licence a
    moderator verified (it may have expired since: the years happened) count fully; years the
    therapist declares before that count SELF_DECLARED_YEAR_SHARE each, because nobody checked them.
client rating (25), consultation (10), technique (10), aftercare (5)
    What clients report, each as a *lower credible bound*: the value we are confident of given how
    much evidence there is, not the raw average. We use the Wilson score lower bound (z =
    CONFIDENCE_Z, a one-sided 95 % bound) on the share of "yes" answers, and on the rating mapped
    to 0–1 (1★ = 0, 5★ = 1; a rating counts as that fraction of a "yes"). With no reviews the
    bound is 0, so an empty profile earns nothing here; with one 5★ review it is 0.27, with 200
    reviews of 4.8★ it is 0.92, so one perfect review cannot beat two hundred very good ones, and
    at a fixed average more reviews only ever raise it. Earlier versions shrank toward a neutral
    prior, which paid 28 points for having no reviews at all.

How much a review weighs in those four (REVIEW_WEIGHTS):
    a review tied to an attended appointment (a "Verified visit") weighs 1, one without weighs
    0.5; a review's weight is multiplied by AGE_DECAY_PER_YEAR for each whole year since it was
    written, floored at AGE_WEIGHT_FLOOR. Whole years, so a score changes only on the day one of
    its reviews crosses an anniversary and the daily recompute rewrites few rows.

Below MIN_REVIEWS_FOR_RATING reviews the profile and the cards say "Not enough reviews yet" instead
of showing the (small) review points as if they were earned.

Monotone by construction: every component is a non-decreasing function of its evidence, so
verifying a credential, a longer verified career, or one more 5★ review with good answers never
lowers the score (tests/therapists/test_scoring.py checks each with hypothesis). Each component is
rounded to one decimal and the score is their sum, so the stored breakdown adds up to the score.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

WEIGHTS: dict[str, int] = {
    "licence": 20,
    "certificates": 15,
    "experience": 15,
    "rating": 25,
    "consultation": 10,
    "technique": 10,
    "aftercare": 5,
}
assert sum(WEIGHTS.values()) == 100, "the weights must sum to 100"

LABELS: dict[str, str] = {
    "licence": "Verified licence",
    "certificates": "Verified certificates",
    "experience": "Years of experience",
    "rating": "Client rating",
    "consultation": "Consultation before the session",
    "technique": "Right technique and intensity",
    "aftercare": "Personal aftercare advice",
}
REVIEW_COMPONENTS = ("rating", "consultation", "technique", "aftercare")
# The three a result card shows, in this order, so cards compare at a glance.
CARD_COMPONENTS = ("licence", "rating", "experience")

EXPERIENCE_SATURATION_YEARS = 20
SELF_DECLARED_YEAR_SHARE = 0.5
CONFIDENCE_Z = 1.645
REVIEW_WEIGHTS = {"verified_visit": 1.0, "not_verified": 0.5}
AGE_DECAY_PER_YEAR = 0.8
AGE_WEIGHT_FLOOR = 0.3
# From this many whole years on a review weighs the floor: 0.8**6 = 0.26 < 0.3. The SQL groups
# reviews by age up to this step, so older ones share one group.
AGE_STEPS = math.ceil(math.log(AGE_WEIGHT_FLOOR) / math.log(AGE_DECAY_PER_YEAR))
MIN_REVIEWS_FOR_RATING = 3


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier; 29 February becomes 28 February in a year without it."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class ReviewGroup:
    """Published reviews of one therapist that weigh the same: one verification state, one age step."""

    verified: bool = False
    age_years: int = 0
    count: int = 0
    rating_sum: int = 0
    consultation_yes: int = 0
    no_unwanted_effects: int = 0
    aftercare_yes: int = 0

    @property
    def weight(self) -> float:
        """The weight of one review of this group."""
        base = REVIEW_WEIGHTS["verified_visit" if self.verified else "not_verified"]
        return base * max(AGE_WEIGHT_FLOOR, AGE_DECAY_PER_YEAR ** max(0, self.age_years))


@dataclass(frozen=True)
class ScoreInputs:
    has_licence: bool = False
    certificate_count: int = 0
    # Whole years since practising_since (self-declared) and since the earliest verified licence.
    years_of_experience: int = 0
    verified_years: int = 0
    reviews: tuple[ReviewGroup, ...] = ()

    @property
    def review_count(self) -> int:
        return sum(group.count for group in self.reviews)

    @property
    def verified_review_count(self) -> int:
        return sum(group.count for group in self.reviews if group.verified)

    @property
    def rating_sum(self) -> int:
        return sum(group.rating_sum for group in self.reviews)

    def with_reviews(self, *groups: ReviewGroup) -> "ScoreInputs":
        return replace(self, reviews=(*self.reviews, *groups))


@dataclass(frozen=True)
class Component:
    key: str
    label: str
    points: float
    max_points: int
    explanation: str
    # True for a review component while there are too few reviews to show its points as earned.
    provisional: bool = False

    @property
    def is_full(self) -> bool:
        return self.points >= self.max_points


@dataclass(frozen=True)
class ScoreBreakdown:
    score: float
    review_count: int
    rating_avg: float | None
    rating_weighted: float
    components: tuple[Component, ...]

    def as_json(self) -> list[dict]:
        """The form stored in Therapist.score_breakdown and shown on the profile and in the API."""
        return [
            {
                "key": c.key,
                "label": c.label,
                "points": c.points,
                "max": c.max_points,
                "explanation": c.explanation,
                "provisional": c.provisional,
            }
            for c in self.components
        ]


def wilson_lower_bound(successes: float, total: float, z: float = CONFIDENCE_Z) -> float:
    """The lower end of the Wilson score interval for a share; 0 when there is no evidence.

    Defined for fractional counts too (weighted reviews, ratings as fractions of a "yes").
    """
    if total <= 0:
        return 0.0
    share = min(1.0, max(0.0, successes / total))
    z2 = z * z
    centre = share + z2 / (2 * total)
    margin = z * math.sqrt(share * (1 - share) / total + z2 / (4 * total * total))
    return max(0.0, (centre - margin) / (1 + z2 / total))


@dataclass(frozen=True)
class _Evidence:
    """Weighted sums over the review groups (each review counted at its weight)."""

    weight: float
    rating: float
    consultation: float
    technique: float
    aftercare: float


def _weighted(groups: Iterable[ReviewGroup]) -> _Evidence:
    totals = [0.0] * 5
    # A fixed order, so the same groups always sum to the same float.
    for group in sorted(groups, key=lambda g: (g.verified, g.age_years)):
        w = group.weight
        totals[0] += w * group.count
        totals[1] += w * (group.rating_sum - group.count) / 4
        totals[2] += w * group.consultation_yes
        totals[3] += w * group.no_unwanted_effects
        totals[4] += w * group.aftercare_yes
    return _Evidence(*totals)


def effective_years(inputs: ScoreInputs) -> float:
    verified = max(0, inputs.verified_years)
    declared_before = max(0, inputs.years_of_experience - verified)
    return verified + SELF_DECLARED_YEAR_SHARE * declared_before


def _points(key: str, fraction: float) -> float:
    return round(WEIGHTS[key] * min(1.0, max(0.0, fraction)), 1)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _not_enough(n: int) -> str:
    return f"Not enough reviews yet: {n} so far, points are shown from {MIN_REVIEWS_FOR_RATING}"


def _share_sentence(yes: int, total: int, what: str) -> str:
    if total < MIN_REVIEWS_FOR_RATING:
        return _not_enough(total)
    return f"{round(100 * yes / total)}% of {_plural(total, 'client')} say {what}"


def _experience_sentence(inputs: ScoreInputs) -> str:
    verified = max(0, inputs.verified_years)
    declared_before = max(0, inputs.years_of_experience - verified)
    if verified and declared_before:
        return f"{_plural(verified, 'year')} verified by licence, {declared_before} more self-declared"
    if verified:
        return f"{_plural(verified, 'year')} verified by licence"
    if declared_before:
        return f"{_plural(declared_before, 'year')} of practice, self-declared"
    return "Less than a year of practice"


def _rating_sentence(inputs: ScoreInputs, lower_bound_stars: float) -> str:
    n = inputs.review_count
    if n < MIN_REVIEWS_FOR_RATING:
        return _not_enough(n)
    verified = inputs.verified_review_count
    return (
        f"{inputs.rating_sum / n:.1f}★ average from {_plural(n, 'review')} "
        f"({verified} verified {'visit' if verified == 1 else 'visits'}); "
        f"counted as {lower_bound_stars:.2f}★, what the evidence supports"
    )


def compute_score(inputs: ScoreInputs) -> ScoreBreakdown:
    n = inputs.review_count
    evidence = _weighted(inputs.reviews)
    rating_bound = wilson_lower_bound(evidence.rating, evidence.weight)
    lower_bound_stars = 1 + 4 * rating_bound
    provisional = n < MIN_REVIEWS_FOR_RATING

    def share(key: str, yes: float) -> float:
        return _points(key, wilson_lower_bound(yes, evidence.weight))

    def count(field: str) -> int:
        return sum(getattr(group, field) for group in inputs.reviews)

    components = (
        Component(
            "licence",
            LABELS["licence"],
            float(WEIGHTS["licence"]) if inputs.has_licence else 0.0,
            WEIGHTS["licence"],
            "Licence verified by a moderator" if inputs.has_licence else "No verified licence yet",
        ),
        Component(
            "certificates",
            LABELS["certificates"],
            _points("certificates", 1 - 0.5 ** max(0, inputs.certificate_count)),
            WEIGHTS["certificates"],
            f"{_plural(inputs.certificate_count, 'verified certificate')}"
            if inputs.certificate_count
            else "No verified certificates yet",
        ),
        Component(
            "experience",
            LABELS["experience"],
            _points("experience", math.log1p(effective_years(inputs)) / math.log1p(EXPERIENCE_SATURATION_YEARS)),
            WEIGHTS["experience"],
            _experience_sentence(inputs),
        ),
        Component(
            "rating",
            LABELS["rating"],
            _points("rating", rating_bound),
            WEIGHTS["rating"],
            _rating_sentence(inputs, lower_bound_stars),
            provisional,
        ),
        Component(
            "consultation",
            LABELS["consultation"],
            share("consultation", evidence.consultation),
            WEIGHTS["consultation"],
            _share_sentence(count("consultation_yes"), n, "they got a consultation first"),
            provisional,
        ),
        Component(
            "technique",
            LABELS["technique"],
            share("technique", evidence.technique),
            WEIGHTS["technique"],
            _share_sentence(count("no_unwanted_effects"), n, "they had no bruising or lasting pain"),
            provisional,
        ),
        Component(
            "aftercare",
            LABELS["aftercare"],
            share("aftercare", evidence.aftercare),
            WEIGHTS["aftercare"],
            _share_sentence(count("aftercare_yes"), n, "they got personal aftercare advice"),
            provisional,
        ),
    )
    score = round(sum(c.points for c in components), 1)
    return ScoreBreakdown(
        score=score,
        review_count=n,
        rating_avg=round(inputs.rating_sum / n, 2) if n else None,
        rating_weighted=round(lower_bound_stars, 3),
        components=components,
    )


# What "a few more good reviews" means in the dashboard's advice: verified visits, 5★, all good answers.
ADVICE_REVIEWS = 3


@dataclass(frozen=True)
class NextStep:
    key: str
    text: str
    points: float


def _points_text(points: float) -> str:
    return f"{points:g} point{'' if points == 1 else 's'}"


def next_steps(inputs: ScoreInputs) -> list[NextStep]:
    """What the therapist can do next and what it is worth now, by computing the score with it done.

    Largest gain first. Only steps whose gain shows at one decimal are offered.
    """
    now = compute_score(inputs).score

    def gain(changed: ScoreInputs) -> float:
        return round(compute_score(changed).score - now, 1)

    steps = []
    if not inputs.has_licence:
        worth = gain(replace(inputs, has_licence=True))
        steps.append(NextStep("licence", f"Verify your licence: +{_points_text(worth)}", worth))
    worth = gain(replace(inputs, certificate_count=inputs.certificate_count + 1))
    if worth > 0:
        steps.append(NextStep("certificates", f"Verify one more certificate: +{_points_text(worth)}", worth))
    good = ReviewGroup(
        verified=True,
        count=ADVICE_REVIEWS,
        rating_sum=5 * ADVICE_REVIEWS,
        consultation_yes=ADVICE_REVIEWS,
        no_unwanted_effects=ADVICE_REVIEWS,
        aftercare_yes=ADVICE_REVIEWS,
    )
    worth = gain(inputs.with_reviews(good))
    if worth > 0:
        steps.append(
            NextStep(
                "reviews",
                f"{ADVICE_REVIEWS} more good reviews from verified visits: about +{_points_text(worth)}. "
                "Every attended appointment you mark invites the client to review you.",
                worth,
            )
        )
    if inputs.years_of_experience > inputs.verified_years:
        unverified = inputs.years_of_experience - inputs.verified_years
        steps.append(
            NextStep(
                "experience",
                f"{_plural(unverified, 'year')} of your experience count half until a licence issued then is "
                "verified: submit your earliest licence.",
                0.0,
            )
        )
    return sorted(steps, key=lambda step: -step.points)
