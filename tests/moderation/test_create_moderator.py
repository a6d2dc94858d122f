import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_create_moderator_adds_an_existing_user_to_the_moderators_group(capsys):
    user = UserFactory(email="mira@example.com")
    call_command("create_moderator", "Mira@Example.com")
    user = User.objects.get(pk=user.pk)  # a fresh object: permissions are cached per instance
    assert user.is_moderator
    assert not user.is_staff
    assert "mira@example.com is now a moderator." in capsys.readouterr().out


def test_create_moderator_twice_says_the_user_already_is_one(capsys):
    UserFactory(email="mira@example.com", moderator=True)
    call_command("create_moderator", "mira@example.com")
    assert "already a moderator" in capsys.readouterr().out


def test_create_moderator_for_an_unknown_email_fails_with_a_clear_error():
    with pytest.raises(CommandError, match=r"No user with the email address 'nobody@example\.com'"):
        call_command("create_moderator", "nobody@example.com")
