"""The one permission-matrix helper every app's tests use: the seven roles and how to log in as each.

A matrix is `@pytest.mark.parametrize(("role", ...), matrix({...}))` over a mutating URL, with the
expected answer per role; `login_as(client, role, owner=therapist, review=review)` (the conftest
fixture) logs the test client in. Roles:
    anonymous        not logged in
    client           a logged-in user with no profile
    author           the author of `review`
    other_therapist  a therapist who is not the owner
    owner            the user of `owner` (the therapist the URL is about)
    moderator        a user with moderation.moderate (not staff)
    staff            is_staff without the moderation permission
"""

from tests.factories import TherapistFactory, UserFactory

ROLES = ("anonymous", "client", "author", "other_therapist", "owner", "moderator", "staff")


def log_in(client, role: str, *, owner=None, review=None):
    """Log `client` in as `role`; returns the user, or None for anonymous."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; the roles are {', '.join(ROLES)}")
    if role == "anonymous":
        return None
    if role == "author":
        if review is None:
            raise ValueError("the author role needs review=")
        user = review.author
    elif role == "client":
        user = UserFactory()
    elif role == "other_therapist":
        user = TherapistFactory().user
    elif role == "owner":
        user = owner.user if owner is not None else TherapistFactory().user
    elif role == "moderator":
        user = UserFactory(moderator=True)
    else:
        user = UserFactory(is_staff=True)
    client.force_login(user)
    return user


def matrix(expected: dict) -> list[tuple]:
    """Parametrize rows (role, *expected values) in ROLES order; a misspelt role is an error, not a skip."""
    unknown = set(expected) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    rows = []
    for role in ROLES:
        if role in expected:
            value = expected[role]
            rows.append((role, *value) if isinstance(value, tuple) else (role, value))
    return rows
