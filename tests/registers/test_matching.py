"""check_licence: the number normalised and exact, the name order-insensitive with accents folded."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from registers.matching import Verdict, check_licence, fold, name_similarity
from registers.models import Register, RegisterEntry
from tests.factories import RegisterEntryFactory, RegisterFactory

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(("submitted", "registered"), [
    ("Ivan Nowak", "NOWAK, IVAN"),
    ("Ivan Nowak", "NOWAK, IVAN PETROV"),  # the register's middle name
    ("Chloé Müller", "MULLER, CHLOE"),  # accents folded
    ("José García-López", "GARCIA LOPEZ, JOSE"),
    ("ivan  nowack", "NOWAK, IVAN"),  # a typo
])
def test_name_variants_match(submitted, registered):
    assert name_similarity(submitted, registered) >= 88


@pytest.mark.parametrize(("submitted", "registered"), [
    ("Jan Nowak", "NOWAK, IVAN"),
    ("Ivan", "NOWAK, IVAN"),  # one word is not a name match
    ("Clara Weber", "NOWAK, IVAN"),
    ("", "NOWAK, IVAN"),
])
def test_other_names_do_not_match(submitted, registered):
    assert name_similarity(submitted, registered) < 88


def test_fold_drops_accents_case_and_punctuation():
    assert fold("Müller-Lüdenscheidt, Chloé") == "muller ludenscheidt chloe"


@pytest.fixture
def register(db):
    return RegisterFactory(name="Texas TDLR", leading_zeros=Register.LeadingZeros.PAD, number_width=6)


def test_a_matching_licence_reads_like_the_issue(register):
    RegisterEntryFactory(register=register, number="MT012345", name="NOWAK, IVAN", expires_on=date(2027, 3, 1))
    answer = check_licence(register=register, number="mt 12345", names=["Ivan Nowak"], today=TODAY)
    assert answer.verdict == Verdict.MATCH
    assert answer.summary == (
        "Register: Massage Therapist, active, expires 2027-03-01, no discipline; "
        "name matches (NOWAK, IVAN ↔ Ivan Nowak)"
    )


@pytest.mark.parametrize("number", ["MT12346", "MT1234", "MT123450", "MX12345"])
def test_a_near_miss_number_is_not_found(register, number):
    RegisterEntryFactory(register=register, number="MT012345", name="NOWAK, IVAN")
    answer = check_licence(register=register, number=number, names=["Ivan Nowak"], today=TODAY)
    assert answer.verdict == Verdict.NOT_FOUND
    assert answer.summary.startswith("Not in the register (Texas TDLR) under number M")


def test_the_best_of_the_therapists_names_is_compared(register):
    RegisterEntryFactory(register=register, number="MT000001", name="NOWAK, IVAN")
    answer = check_licence(register=register, number="MT1", names=["Healing Hands Spa", "Ivan Nowak"], today=TODAY)
    assert (answer.verdict, answer.name_compared) == (Verdict.MATCH, "Ivan Nowak")


def test_a_different_name_is_a_name_mismatch(register):
    RegisterEntryFactory(register=register, number="MT000001", name="KOWALSKI, JAN")
    answer = check_licence(register=register, number="MT1", names=["Ivan Nowak"], today=TODAY)
    assert answer.verdict == Verdict.NAME_MISMATCH
    assert "name does not match (KOWALSKI, JAN ↔ Ivan Nowak" in answer.summary


def test_a_revoked_licence_with_discipline_says_so(register):
    RegisterEntryFactory(
        register=register, number="MT000001", name="NOWAK, IVAN", status=RegisterEntry.Status.REVOKED,
        status_text="REVOKED", expires_on=date(2026, 1, 1), has_discipline=True, discipline="Revoked 2025-11-02",
    )
    answer = check_licence(register=register, number="MT1", names=["Ivan Nowak"], today=TODAY)
    assert answer.verdict == Verdict.NOT_IN_GOOD_STANDING
    assert answer.summary.startswith("Register says revoked: Massage Therapist, revoked, expired 2026-01-01, "
                                     "discipline: Revoked 2025-11-02; name matches")


def test_an_active_licence_past_its_expiry_date_is_expired(register):
    RegisterEntryFactory(register=register, number="MT000001", name="NOWAK, IVAN", expires_on=TODAY - timedelta(1))
    answer = check_licence(register=register, number="MT1", names=["Ivan Nowak"], today=TODAY)
    assert (answer.verdict, answer.standing) == (Verdict.NOT_IN_GOOD_STANDING, "expired")
    assert answer.summary.startswith("Register says expired:")


def test_a_licence_gone_from_the_register_says_since_when(register):
    RegisterEntryFactory(register=register, number="MT000001", name="NOWAK, IVAN", gone_at=timezone.now())
    answer = check_licence(register=register, number="MT1", names=["Ivan Nowak"], today=TODAY)
    assert answer.verdict == Verdict.NOT_IN_GOOD_STANDING
    assert answer.summary.startswith("No longer in the register (Texas TDLR) under number MT000001")
