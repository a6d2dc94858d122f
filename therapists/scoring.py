"""The qualification score: 0–100 points built from the signs of a good therapist.

Pure arithmetic, no ORM: `compute_score(ScoreInputs)` returns a `ScoreBreakdown`. The inputs are
aggregated in SQL by therapists.scores; only verified, unexpired credentials and published
reviews are counted there (DESIGN.md, "honest").

The weights (WEIGHTS below, summing to 100) and why:

licence (20)
    At least one verified, unexpired licence. The first thing every guide says to check, and the
    one sign a client cannot judge alone, so it is all or nothing.
certificates (15)
    Verified, unexpired certificates, with diminishing returns: the first earns half the points,
    each further one half of what is left (7.5, 11.3, 13.1, …), so a wall of certificates cannot
    buy the ranking. Capped at the weight.
experience (15)
    Years since `practising_since`, on a log curve that saturates at 20 years: the gap between 1
    and 5 years matters more than the gap between 15 and 20.
client rating (25)
    A Bayesian average of published ratings: RATING_PRIOR_WEIGHT imaginary reviews of
    RATING_PRIOR_MEAN stars are added, so one 5★ review (3.64) does not beat 200 reviews of 4.8★
    (4.74). 1★ maps to 0 points, 5★ to 25.
consultation (10), technique (10), aftercare (5)
    The share of published reviews saying there was a consultation before the session, that
    there were no unwanted effects (bruising, lasting pain), and that personal aftercare advice
    was given. Each share is shrunk toward SHARE_PRIOR with SHARE_PRIOR_WEIGHT imaginary
    reviews, so with no reviews a component earns half its points, not zero and not full marks.

Monotone by construction: every component is a non-decreasing function of its input, so
verifying a credential, a longer career, or one more 5★ review with good answers never lowers
the score. Each component is rounded to one decimal and the score is their sum, so the stored
breakdown always adds up to the stored score.
"""

import math
from dataclasses import dataclass

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

EXPERIENCE_SATURATION_YEARS = 20
RATING_PRIOR_MEAN = 3.5
RATING_PRIOR_WEIGHT = 10
SHARE_PRIOR = 0.5
SHARE_PRIOR_WEIGHT = 5


@dataclass(frozen=True)
class ScoreInputs:
    has_licence: bool = False
    certificate_count: int = 0
    years_of_experience: int = 0
    review_count: int = 0
    rating_sum: int = 0
    consultation_yes: int = 0
    no_unwanted_effects: int = 0
    aftercare_yes: int = 0


@dataclass(frozen=True)
class Component:
    key: str
    label: str
    points: float
    max_points: int
    explanation: str

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
            }
            for c in self.components
        ]


def bayesian_rating(review_count: int, rating_sum: int) -> float:
    return (RATING_PRIOR_MEAN * RATING_PRIOR_WEIGHT + rating_sum) / (RATING_PRIOR_WEIGHT + review_count)


def shrunk_share(yes: int, total: int) -> float:
    return (yes + SHARE_PRIOR * SHARE_PRIOR_WEIGHT) / (total + SHARE_PRIOR_WEIGHT)


def _points(key: str, fraction: float) -> float:
    return round(WEIGHTS[key] * min(1.0, max(0.0, fraction)), 1)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _share_sentence(yes: int, total: int, what: str, nobody: str) -> str:
    if total == 0:
        return nobody
    return f"{round(100 * yes / total)}% of {_plural(total, 'client')} say {what}"


def compute_score(inputs: ScoreInputs) -> ScoreBreakdown:
    n = inputs.review_count
    weighted = bayesian_rating(n, inputs.rating_sum)
    rating_avg = round(inputs.rating_sum / n, 2) if n else None
    years = max(0, inputs.years_of_experience)

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
            _points("experience", math.log1p(years) / math.log1p(EXPERIENCE_SATURATION_YEARS)),
            WEIGHTS["experience"],
            f"{_plural(years, 'year')} of practice" if years else "Less than a year of practice",
        ),
        Component(
            "rating",
            LABELS["rating"],
            _points("rating", (weighted - 1) / 4),
            WEIGHTS["rating"],
            f"{rating_avg:.1f}★ average from {_plural(n, 'review')} (weighted {weighted:.2f}★)"
            if n
            else f"No reviews yet (counted as {RATING_PRIOR_MEAN}★ until clients review)",
        ),
        Component(
            "consultation",
            LABELS["consultation"],
            _points("consultation", shrunk_share(inputs.consultation_yes, n)),
            WEIGHTS["consultation"],
            _share_sentence(inputs.consultation_yes, n, "they got a consultation first", "No client has answered yet"),
        ),
        Component(
            "technique",
            LABELS["technique"],
            _points("technique", shrunk_share(inputs.no_unwanted_effects, n)),
            WEIGHTS["technique"],
            _share_sentence(
                inputs.no_unwanted_effects, n, "they had no bruising or lasting pain", "No client has answered yet"
            ),
        ),
        Component(
            "aftercare",
            LABELS["aftercare"],
            _points("aftercare", shrunk_share(inputs.aftercare_yes, n)),
            WEIGHTS["aftercare"],
            _share_sentence(
                inputs.aftercare_yes, n, "they got personal aftercare advice", "No client has answered yet"
            ),
        ),
    )
    score = round(sum(c.points for c in components), 1)
    return ScoreBreakdown(
        score=score, review_count=n, rating_avg=rating_avg, rating_weighted=round(weighted, 3), components=components
    )


def advice(component: dict) -> str:
    """What a therapist can do to earn the points a stored breakdown component is missing."""
    missing = f"{round(component['max'] - component['points'], 1):g}"
    if component["points"] >= component["max"]:
        return ""
    return {
        "licence": f"Submit your licence for verification: up to +{missing} points.",
        "certificates": f"Submit your certificates for verification: up to +{missing} points.",
        "experience": "Experience grows every year you practise; check the year you started is right.",
        "rating": "Ask your clients for reviews: good ratings from many clients raise this.",
        "consultation": "Ask about needs, health and contraindications before every session.",
        "technique": "Adapt pressure and technique so clients leave without bruising or lasting pain.",
        "aftercare": "Give each client personal advice for after the session (stretching, rest, what to avoid).",
    }[component["key"]]
