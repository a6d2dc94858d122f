import pytest
from django.contrib.auth.models import Permission

from tests.factories import TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_member_of_the_moderators_group_is_a_moderator():
    assert UserFactory(moderator=True).is_moderator is True


def test_user_with_the_permission_granted_directly_is_a_moderator():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="moderate", content_type__app_label="moderation"))
    assert user.is_moderator is True


def test_staff_without_the_permission_is_not_a_moderator():
    assert UserFactory(is_staff=True).is_moderator is False


def test_deactivated_moderator_is_not_a_moderator():
    assert UserFactory(moderator=True, is_active=False).is_moderator is False


def test_superuser_is_a_moderator():
    assert UserFactory(is_superuser=True).is_moderator is True


def test_is_moderator_costs_one_query_per_request(django_assert_num_queries):
    user = UserFactory(moderator=True)
    with django_assert_num_queries(1):
        assert user.is_moderator
        assert user.is_moderator


def test_a_user_with_a_therapist_profile_in_any_status_has_one():
    assert TherapistFactory(draft=True).user.has_therapist_profile is True
    assert UserFactory().has_therapist_profile is False


@pytest.mark.parametrize(
    ("name", "public_name"),
    [
        ("Anna Kowalski", "Anna K."),
        ("  anna   kowalski ", "anna K."),
        ("Sanne de Vries", "Sanne V."),
        ("Madonna", "Madonna"),
        ("", "A client"),
    ],
)
def test_reviews_sign_with_the_first_name_and_the_initial_of_the_last(name, public_name):
    assert UserFactory.build(name=name).public_name == public_name
