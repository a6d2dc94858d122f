"""Every form, filled with arbitrary text, numbers, dates and unicode: never a 500, and a refused
submission changes nothing in the database.

One hypothesis example is one POST. When the server accepts it (a redirect), the change is allowed;
whenever it answers anything else, the rows the form could touch must be exactly as before.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from hypothesis import given
from hypothesis import strategies as st

from moderation.models import Decision
from reviews.models import Review, ReviewFlag, ReviewReply
from tests.factories import CredentialFactory, ModalityFactory, ReviewFactory, TherapistFactory, UserFactory
from tests.fuzz import assert_no_server_error, field_value, fuzz_settings
from therapists.models import Credential, Therapist

pytestmark = pytest.mark.django_db

ACCEPTED = 302


def form_data(names: list[str]):
    """Some of `names`, each with one arbitrary value or a list of them."""
    values = st.one_of(field_value, st.lists(field_value, min_size=1, max_size=3))
    return st.dictionaries(st.sampled_from(names), values, max_size=len(names))


def therapist_state(therapist: Therapist) -> dict:
    therapist.refresh_from_db()
    state = model_to_dict(therapist)
    state["modalities"] = sorted(m.pk for m in state["modalities"])
    state["needs"] = sorted(n.pk for n in state["needs"])
    state["languages"] = sorted(language.pk for language in state["languages"])
    return state


def review_rows():
    return list(Review.objects.order_by("pk").values())


@pytest.fixture(autouse=True)
def _no_posting_limit(settings):
    # The limit is tested elsewhere; here every example must reach the form.
    settings.REVIEW_RATE_LIMIT = "1000000/h"


@pytest.fixture
def reviewed(db):
    therapist = TherapistFactory()
    therapist.modalities.add(ModalityFactory())
    return therapist


REVIEW_FIELDS = ["rating", "consultation_given", "unwanted_effects", "aftercare_given", "title", "body", "modality",
                 "visit_date"]


@fuzz_settings
@given(data=form_data(REVIEW_FIELDS))
def test_review_form_refuses_garbage_without_writing(client, reviewed, data):
    client.force_login(UserFactory())
    before_reviews, before_therapist = review_rows(), therapist_state(reviewed)
    response = client.post(f"/therapists/{reviewed.slug}/review/", data)
    assert_no_server_error(response)
    if response.status_code != ACCEPTED:
        assert response.status_code == 200
        assert response.context["form"].errors
        assert review_rows() == before_reviews
        assert therapist_state(reviewed) == before_therapist


PROFILE_FIELDS = ["display_name", "headline", "bio", "city", "postcode", "country", "practising_since", "modalities",
                  "needs", "languages", "price_from", "price_to", "currency", "accepts_new_clients", "phone",
                  "contact_email", "website"]


@fuzz_settings
@given(data=form_data(PROFILE_FIELDS))
def test_profile_form_refuses_garbage_without_writing(client, data):
    therapist = TherapistFactory(draft=True)
    client.force_login(therapist.user)
    before = therapist_state(therapist)
    response = client.post("/dashboard/profile/", data)
    assert_no_server_error(response)
    if response.status_code != ACCEPTED:
        assert response.status_code == 200
        assert therapist_state(therapist) == before


CREDENTIAL_FIELDS = ["kind", "title", "issuer", "number", "modality", "issued_on", "expires_on"]


@fuzz_settings
@given(data=form_data(CREDENTIAL_FIELDS), document=st.binary(max_size=512), name=field_value)
def test_credential_form_refuses_garbage_without_writing(client, data, document, name):
    therapist = TherapistFactory(draft=True)
    client.force_login(therapist.user)
    filename = (name.replace("\x00", "").replace("/", "") or "x")[:100] + ".pdf"
    upload = SimpleUploadedFile(filename, b"%PDF-1.4\n" + document, content_type="application/pdf")
    before = Credential.objects.count()
    response = client.post("/dashboard/credentials/new/", {**data, "document": upload})
    assert_no_server_error(response)
    if response.status_code != ACCEPTED:
        assert response.status_code == 200
        assert Credential.objects.count() == before


@fuzz_settings
@given(data=form_data(["reason", "note"]))
def test_flag_form_refuses_garbage_without_writing(client, data):
    review = ReviewFactory()
    client.force_login(UserFactory())
    response = client.post(f"/reviews/{review.pk}/flag/", data)
    assert_no_server_error(response)
    if response.status_code != ACCEPTED:
        assert not ReviewFlag.objects.filter(review=review).exists()


@fuzz_settings
@given(data=form_data(["body"]))
def test_reply_form_refuses_garbage_without_writing(client, data):
    review = ReviewFactory()
    client.force_login(review.therapist.user)
    response = client.post(f"/reviews/{review.pk}/reply/", data)
    assert_no_server_error(response)
    if response.status_code != ACCEPTED:
        assert not ReviewReply.objects.filter(review=review).exists()


MODERATION_FORMS = [
    ("credential", "verify", "expires_on"),
    ("credential", "reject", "reject-reason"),
    ("review", "hide", "hide-reason"),
    ("therapist", "suspend", "suspend-reason"),
]


@fuzz_settings
@given(form=st.sampled_from(MODERATION_FORMS), value=st.one_of(field_value, st.lists(field_value, max_size=3)))
def test_moderation_forms_refuse_garbage_without_deciding(client, moderator, form, value):
    kind, action, field = form
    target = {"credential": CredentialFactory, "review": ReviewFactory, "therapist": TherapistFactory}[kind]()
    client.force_login(moderator)
    path = {"credential": "credentials", "review": "reviews", "therapist": "therapists"}[kind]
    before = model_to_dict(target)
    response = client.post(f"/moderation/{path}/{target.pk}/{action}/", {field: value})
    assert_no_server_error(response)
    target.refresh_from_db()
    if response.status_code != ACCEPTED:
        assert response.status_code == 200
        assert model_to_dict(target) == before
        assert not Decision.objects.filter(target_id=target.pk, target_type=target._meta.label_lower).exists()


# Ids as an attacker sends them: beyond 64 bits (an OverflowError on SQLite once), negative, zero,
# not numbers at all. Every multi-select and choice of an id must refuse them with a form error.
hostile_id = st.one_of(
    st.sampled_from(["9999999999999999999999999", str(2**63), str(2**64), "-1", "0", "-9223372036854775809",
                     "1e3", "0x10", " 1", "١", "", "NaN", "1.0"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    field_value,
)


@pytest.mark.parametrize("field", ["modalities", "needs", "languages"])
@pytest.mark.parametrize("value", ["9999999999999999999999999", "-5", "abc", str(2**63)])
def test_profile_multi_selects_refuse_out_of_range_ids_with_a_message(client, field, value):
    therapist = TherapistFactory(draft=True)
    client.force_login(therapist.user)
    before = therapist_state(therapist)

    response = client.post("/dashboard/profile/", {"display_name": "Anna", field: [value]})

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert therapist_state(therapist) == before


@fuzz_settings
@given(field=st.sampled_from(["modalities", "needs", "languages"]), ids=st.lists(hostile_id, min_size=1, max_size=4))
def test_profile_multi_selects_never_fail_on_hostile_ids(client, field, ids):
    therapist = TherapistFactory(draft=True)
    client.force_login(therapist.user)
    before = therapist_state(therapist)
    response = client.post("/dashboard/profile/", {"display_name": "Anna", field: ids})
    assert_no_server_error(response)
    if response.status_code != ACCEPTED:
        assert therapist_state(therapist) == before


@fuzz_settings
@given(value=hostile_id)
def test_single_id_choices_never_fail_on_hostile_ids(client, value):
    therapist = TherapistFactory(draft=True)
    client.force_login(therapist.user)
    before = Credential.objects.count()
    response = client.post("/dashboard/credentials/new/", {"title": "x", "modality": value})
    assert_no_server_error(response)
    assert Credential.objects.count() == before
