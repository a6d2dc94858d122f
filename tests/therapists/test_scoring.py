"""The pure score function (v2): hand-computed values, the issue's rules as hypothesis properties."""

import math
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from therapists import scoring
from therapists.scoring import (
    AGE_STEPS,
    REVIEW_COMPONENTS,
    WEIGHTS,
    ReviewGroup,
    ScoreInputs,
    compute_score,
    next_steps,
    wilson_lower_bound,
    years_before,
)


def points(breakdown):
    return {c.key: c.points for c in breakdown.components}


def review_points(breakdown) -> float:
    return sum(c.points for c in breakdown.components if c.key in REVIEW_COMPONENTS)


def reviews(count, stars, yes_share=1.0, *, verified=True, age_years=0):
    """`count` reviews averaging `stars`, each answer good in `yes_share` of them."""
    yes = round(count * yes_share)
    return ReviewGroup(
        verified=verified, age_years=age_years, count=count, rating_sum=round(count * stars),
        consultation_yes=yes, no_unwanted_effects=yes, aftercare_yes=yes,
    )


def test_weights_sum_to_100():
    assert sum(WEIGHTS.values()) == 100


def test_new_therapist_with_nothing_earns_nothing_for_reviews():
    breakdown = compute_score(ScoreInputs())
    assert points(breakdown) == {
        "licence": 0.0, "certificates": 0.0, "experience": 0.0, "rating": 0.0,
        "consultation": 0.0, "technique": 0.0, "aftercare": 0.0,
    }
    assert breakdown.score == 0.0
    assert breakdown.rating_avg is None


def test_the_issue_example_an_empty_new_profile_no_longer_outranks_41_reviews():
    """A brand-new therapist scored 38 in v1, above one with 41 reviews (37)."""
    empty = compute_score(ScoreInputs(years_of_experience=3))
    reviewed = compute_score(ScoreInputs(years_of_experience=3).with_reviews(reviews(41, 4.2, 0.7, verified=False)))
    assert reviewed.score > empty.score + 20


def test_wilson_lower_bound_hand_computed():
    # 8 of 10, z = 1.645: (0.8 + 0.1353 - 1.645 * sqrt(0.016 + 0.000677)) / 1.2706 = 0.5408
    assert wilson_lower_bound(8, 10) == pytest.approx(0.5408, abs=1e-4)
    assert wilson_lower_bound(0, 0) == 0.0
    # all yes: n / (n + z^2)
    assert wilson_lower_bound(1, 1) == pytest.approx(1 / (1 + 1.645**2))


def test_established_therapist_hand_computed():
    inputs = ScoreInputs(
        has_licence=True, certificate_count=2, years_of_experience=10, verified_years=10,
        reviews=(ReviewGroup(verified=True, count=20, rating_sum=90, consultation_yes=18, no_unwanted_effects=19,
                             aftercare_yes=10),),
    )
    breakdown = compute_score(inputs)
    # certificates 15 * 0.75 = 11.25 -> 11.2; experience 15 * ln(11)/ln(21) = 11.81 -> 11.8
    # rating: "yes" share (90 - 20) / 4 / 20 = 0.875 -> Wilson(17.5, 20) = 0.7077 -> 25 * 0.7077 = 17.69 -> 17.7
    # consultation Wilson(18, 20) = 0.7383 -> 7.4; technique Wilson(19, 20) = 0.8040 -> 8.0;
    # aftercare Wilson(10, 20) = 0.3274 -> 1.6
    assert points(breakdown) == {
        "licence": 20.0, "certificates": 11.2, "experience": 11.8, "rating": 17.7,
        "consultation": 7.4, "technique": 8.0, "aftercare": 1.6,
    }
    assert breakdown.score == 77.7
    assert breakdown.rating_avg == 4.5
    assert breakdown.rating_weighted == pytest.approx(1 + 4 * 0.7077, abs=0.001)


def test_experience_verified_by_licence_counts_fully_and_self_declared_years_half():
    inputs = ScoreInputs(years_of_experience=13, verified_years=8)
    [experience] = [c for c in compute_score(inputs).components if c.key == "experience"]
    assert experience.explanation == "8 years verified by licence, 5 more self-declared"
    # 8 + 5 / 2 = 10.5 years
    assert experience.points == round(15 * math.log1p(10.5) / math.log1p(20), 1)


def test_experience_saturates_at_twenty_verified_years():
    assert points(compute_score(ScoreInputs(years_of_experience=20, verified_years=20)))["experience"] == 15.0
    assert points(compute_score(ScoreInputs(years_of_experience=40, verified_years=40)))["experience"] == 15.0
    # 40 self-declared years count as 20.
    assert points(compute_score(ScoreInputs(years_of_experience=40)))["experience"] == 15.0


def test_one_five_star_review_does_not_outrank_two_hundred_of_four_point_eight():
    one_perfect = compute_score(ScoreInputs().with_reviews(reviews(1, 5)))
    many_good = compute_score(ScoreInputs().with_reviews(reviews(200, 4.8)))
    assert many_good.rating_weighted > one_perfect.rating_weighted
    assert many_good.score > one_perfect.score


def test_twenty_reviews_of_four_stars_and_75_percent_yes_outrank_no_reviews():
    base = ScoreInputs(has_licence=True, years_of_experience=6)
    assert compute_score(base.with_reviews(reviews(20, 4.0, 0.75))).score > compute_score(base).score


def test_a_verified_visit_weighs_twice_a_review_without_one():
    verified = compute_score(ScoreInputs().with_reviews(reviews(10, 4.5, verified=True)))
    twice_as_many_unverified = compute_score(ScoreInputs().with_reviews(reviews(20, 4.5, verified=False)))
    assert verified.score == twice_as_many_unverified.score
    assert compute_score(ScoreInputs().with_reviews(reviews(10, 4.5, verified=False))).score < verified.score


def test_review_weight_steps_down_each_year_to_the_floor():
    assert ReviewGroup(verified=True, age_years=0).weight == 1.0
    assert ReviewGroup(verified=True, age_years=1).weight == pytest.approx(0.8)
    assert ReviewGroup(verified=True, age_years=2).weight == pytest.approx(0.64)
    assert ReviewGroup(verified=True, age_years=AGE_STEPS).weight == 0.3
    assert ReviewGroup(verified=True, age_years=40).weight == 0.3
    assert ReviewGroup(verified=False, age_years=1).weight == pytest.approx(0.4)
    assert AGE_STEPS == 6  # 0.8 ** 6 = 0.26 is the first below the 0.3 floor


def test_fewer_than_three_reviews_are_marked_provisional_with_words():
    two = compute_score(ScoreInputs().with_reviews(reviews(2, 5)))
    three = compute_score(ScoreInputs().with_reviews(reviews(3, 5)))
    for component in two.components:
        assert component.provisional == (component.key in REVIEW_COMPONENTS)
        if component.key in REVIEW_COMPONENTS:
            assert component.explanation.startswith("Not enough reviews yet")
    assert not any(c.provisional for c in three.components)
    [rating] = [c for c in three.components if c.key == "rating"]
    assert rating.explanation.startswith("5.0★ average from 3 reviews (3 verified visits)")


def test_years_before_handles_29_february():
    assert years_before(date(2028, 2, 29), 1) == date(2027, 2, 28)
    assert years_before(date(2026, 12, 1), 2) == date(2024, 12, 1)


def test_next_steps_say_what_each_is_worth_now():
    steps = {step.key: step for step in next_steps(ScoreInputs(years_of_experience=5))}
    assert steps["licence"].text == "Verify your licence: +20 points"
    gain = compute_score(ScoreInputs(years_of_experience=5).with_reviews(reviews(3, 5))).score - compute_score(
        ScoreInputs(years_of_experience=5)
    ).score
    assert steps["reviews"].points == round(gain, 1)
    assert steps["reviews"].text.startswith(f"3 more good reviews from verified visits: about +{round(gain, 1):g}")
    assert "licence" not in {step.key for step in next_steps(ScoreInputs(has_licence=True))}


# Properties (the issue's rules 1–8)

groups = st.builds(
    lambda verified, age, n, stars, c, t, a: ReviewGroup(
        verified=verified, age_years=age, count=n, rating_sum=min(5 * n, max(n, stars)),
        consultation_yes=min(c, n), no_unwanted_effects=min(t, n), aftercare_yes=min(a, n),
    ),
    st.booleans(), st.integers(0, AGE_STEPS), st.integers(1, 200), st.integers(1, 1000),
    st.integers(0, 200), st.integers(0, 200), st.integers(0, 200),
)
score_inputs = st.builds(
    lambda licence, certs, declared, verified, review_groups: ScoreInputs(
        has_licence=licence, certificate_count=certs, years_of_experience=declared,
        verified_years=min(verified, declared) if licence else 0, reviews=tuple(review_groups),
    ),
    st.booleans(), st.integers(0, 30), st.integers(0, 60), st.integers(0, 60),
    st.lists(groups, max_size=6, unique_by=lambda g: (g.verified, g.age_years)),
)


@given(score_inputs)
def test_score_stays_within_0_and_100_and_breakdown_sums_to_it(inputs):
    """Rule 8: components round to one decimal and add up to the score."""
    breakdown = compute_score(inputs)
    assert 0 <= breakdown.score <= 100
    assert breakdown.score == round(sum(c.points for c in breakdown.components), 1)
    for component in breakdown.components:
        assert 0 <= component.points <= component.max_points
        assert component.points == round(component.points, 1)


@given(score_inputs)
def test_no_reviews_earn_at_most_a_tenth_of_the_review_points(inputs):
    """Rule 1."""
    without_reviews = compute_score(replace(inputs, reviews=()))
    assert review_points(without_reviews) <= 0.1 * sum(WEIGHTS[key] for key in REVIEW_COMPONENTS)


@given(score_inputs, st.integers(2, 10))
def test_more_reviews_at_the_same_average_and_shares_never_lower_the_score(inputs, factor):
    """Rule 3: confidence grows with evidence."""
    scaled = replace(inputs, reviews=tuple(
        ReviewGroup(g.verified, g.age_years, g.count * factor, g.rating_sum * factor, g.consultation_yes * factor,
                    g.no_unwanted_effects * factor, g.aftercare_yes * factor)
        for g in inputs.reviews
    ))
    assert compute_score(scaled).score >= compute_score(inputs).score


@given(score_inputs, st.booleans(), st.integers(0, AGE_STEPS))
def test_one_more_perfect_review_never_lowers_the_score(inputs, verified, age):
    """Rule 7: one more 5★ review with all three good answers."""
    more = inputs.with_reviews(ReviewGroup(verified, age, 1, 5, 1, 1, 1))
    assert compute_score(more).score >= compute_score(inputs).score


@given(score_inputs, st.integers(0, AGE_STEPS))
def test_a_review_counts_at_least_as_much_verified_and_recent(inputs, age):
    """Rules 4 and 5: as a verified visit, and younger, a good review weighs more."""
    good = ReviewGroup(False, age, 1, 5, 1, 1, 1)
    assert compute_score(inputs.with_reviews(replace(good, verified=True))).score >= compute_score(
        inputs.with_reviews(good)
    ).score
    assert compute_score(inputs.with_reviews(replace(good, age_years=0))).score >= compute_score(
        inputs.with_reviews(good)
    ).score


@given(score_inputs)
def test_verifying_a_credential_never_lowers_the_score(inputs):
    """Rule 7: a licence (with the years it proves) or one more certificate."""
    before = compute_score(inputs).score
    assert compute_score(replace(inputs, certificate_count=inputs.certificate_count + 1)).score >= before
    licensed = replace(inputs, has_licence=True, verified_years=max(inputs.verified_years, inputs.years_of_experience))
    assert compute_score(licensed).score >= before


@given(score_inputs)
def test_a_longer_verified_career_never_lowers_the_score(inputs):
    """Rules 6 and 7."""
    longer = replace(inputs, verified_years=inputs.verified_years + 1,
                     years_of_experience=max(inputs.years_of_experience, inputs.verified_years + 1))
    assert compute_score(longer).score >= compute_score(inputs).score
    declared_longer = replace(inputs, years_of_experience=inputs.years_of_experience + 1)
    assert compute_score(declared_longer).score >= compute_score(inputs).score


@given(score_inputs, st.integers(1, 30))
def test_self_declared_years_count_half_of_verified_ones(inputs, years):
    declared = compute_score(replace(inputs, years_of_experience=2 * years, verified_years=0))
    verified = compute_score(replace(inputs, years_of_experience=years, verified_years=years))
    assert points(declared)["experience"] == points(verified)["experience"]


def test_the_table_is_the_one_place_for_the_weights():
    """The review weights sit in the one table the How-we-rank page is generated from."""
    assert scoring.REVIEW_WEIGHTS == {"verified_visit": 1.0, "not_verified": 0.5}
