"""The pure score function: hand-computed values, the design's ordering example, and properties."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from therapists.scoring import WEIGHTS, ScoreInputs, advice, compute_score


def points(breakdown):
    return {c.key: c.points for c in breakdown.components}


def test_weights_sum_to_100():
    assert sum(WEIGHTS.values()) == 100


def test_new_therapist_with_nothing_gets_priors_only():
    breakdown = compute_score(ScoreInputs())
    # rating: prior 3.5★ -> 25 * 2.5/4 = 15.625 -> 15.6; shares: prior 0.5 of 10, 10, 5.
    assert points(breakdown) == {
        "licence": 0.0, "certificates": 0.0, "experience": 0.0, "rating": 15.6,
        "consultation": 5.0, "technique": 5.0, "aftercare": 2.5,
    }
    assert breakdown.score == 28.1
    assert breakdown.rating_avg is None
    assert breakdown.review_count == 0


def test_established_therapist_hand_computed():
    inputs = ScoreInputs(
        has_licence=True, certificate_count=2, years_of_experience=10, review_count=20, rating_sum=90,
        consultation_yes=18, no_unwanted_effects=19, aftercare_yes=10,
    )
    breakdown = compute_score(inputs)
    # certificates: 15 * (1 - 0.25) = 11.25 -> 11.2 (banker's rounding of the float 11.25)
    # experience: 15 * ln(11)/ln(21) = 15 * 0.78760 = 11.81 -> 11.8
    # rating: (35 + 90) / 30 = 4.1667 -> 25 * 3.1667/4 = 19.79 -> 19.8
    # consultation: (18 + 2.5)/25 = 0.82 -> 8.2; technique (19+2.5)/25 = 0.86 -> 8.6; aftercare 12.5/25*5 = 2.5
    assert points(breakdown) == {
        "licence": 20.0, "certificates": 11.2, "experience": 11.8, "rating": 19.8,
        "consultation": 8.2, "technique": 8.6, "aftercare": 2.5,
    }
    assert breakdown.score == 82.1
    assert breakdown.rating_avg == 4.5
    assert breakdown.rating_weighted == pytest.approx(4.167, abs=0.001)


def test_experience_saturates_at_twenty_years():
    assert points(compute_score(ScoreInputs(years_of_experience=20)))["experience"] == 15.0
    assert points(compute_score(ScoreInputs(years_of_experience=40)))["experience"] == 15.0
    assert points(compute_score(ScoreInputs(years_of_experience=1)))["experience"] == round(
        15 * math.log(2) / math.log(21), 1
    )


def test_one_five_star_review_does_not_outrank_two_hundred_of_four_point_eight():
    one_perfect = compute_score(ScoreInputs(review_count=1, rating_sum=5, consultation_yes=1,
                                            no_unwanted_effects=1, aftercare_yes=1))
    many_good = compute_score(ScoreInputs(review_count=200, rating_sum=960, consultation_yes=200,
                                          no_unwanted_effects=200, aftercare_yes=200))
    assert many_good.rating_weighted > one_perfect.rating_weighted
    assert many_good.score > one_perfect.score


def test_breakdown_explains_each_component_in_words():
    breakdown = compute_score(ScoreInputs(has_licence=True, review_count=41, rating_sum=180, consultation_yes=36))
    text = {c.key: c.explanation for c in breakdown.components}
    assert text["licence"] == "Licence verified by a moderator"
    assert text["consultation"] == "88% of 41 clients say they got a consultation first"
    assert text["certificates"] == "No verified certificates yet"


def test_advice_names_the_missing_points():
    stored = compute_score(ScoreInputs()).as_json()
    licence = next(c for c in stored if c["key"] == "licence")
    assert advice(licence) == "Submit your licence for verification: up to +20 points."
    full = {**licence, "points": 20.0}
    assert advice(full) == ""


score_inputs = st.builds(
    lambda licence, certs, years, n, ratings, c, t, a: ScoreInputs(
        has_licence=licence, certificate_count=certs, years_of_experience=years, review_count=n,
        rating_sum=sum(ratings[:n]) if n <= len(ratings) else n * 3,
        consultation_yes=min(c, n), no_unwanted_effects=min(t, n), aftercare_yes=min(a, n),
    ),
    st.booleans(), st.integers(0, 30), st.integers(0, 60), st.integers(0, 300),
    st.lists(st.integers(1, 5), min_size=300, max_size=300),
    st.integers(0, 300), st.integers(0, 300), st.integers(0, 300),
)


@given(score_inputs)
def test_score_stays_within_0_and_100_and_breakdown_sums_to_it(inputs):
    breakdown = compute_score(inputs)
    assert 0 <= breakdown.score <= 100
    assert breakdown.score == pytest.approx(sum(c.points for c in breakdown.components), abs=1e-9)
    for component in breakdown.components:
        assert 0 <= component.points <= component.max_points


@given(score_inputs)
def test_verifying_one_more_credential_never_lowers_the_score(inputs):
    before = compute_score(inputs).score
    more_certificates = ScoreInputs(**{**inputs.__dict__, "certificate_count": inputs.certificate_count + 1})
    with_licence = ScoreInputs(**{**inputs.__dict__, "has_licence": True})
    assert compute_score(more_certificates).score >= before
    assert compute_score(with_licence).score >= before


@given(score_inputs)
def test_one_more_year_of_practice_never_lowers_the_score(inputs):
    later = ScoreInputs(**{**inputs.__dict__, "years_of_experience": inputs.years_of_experience + 1})
    assert compute_score(later).score >= compute_score(inputs).score


@given(score_inputs)
def test_one_more_perfect_review_never_lowers_the_score(inputs):
    fields = inputs.__dict__
    more = ScoreInputs(**{
        **fields,
        "review_count": fields["review_count"] + 1,
        "rating_sum": fields["rating_sum"] + 5,
        "consultation_yes": fields["consultation_yes"] + 1,
        "no_unwanted_effects": fields["no_unwanted_effects"] + 1,
        "aftercare_yes": fields["aftercare_yes"] + 1,
    })
    assert compute_score(more).score >= compute_score(inputs).score
