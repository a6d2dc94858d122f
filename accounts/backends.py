"""The login backend: allauth's (email addresses), loading the logged-in user with its roles in one query."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model


class AuthenticationBackend(AllauthBackend):
    """Every logged-in page asked two queries before its own: the user, then the navigation's roles
    (User._roles). Here they are one (issue 20: at most the user and the session per request)."""

    def get_user(self, user_id):
        user = get_user_model()._default_manager.with_roles().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
