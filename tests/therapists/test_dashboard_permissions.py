"""Every mutating dashboard URL and the document view, for each of the five roles.

URLs without an id act on the logged-in user's own profile, so "another therapist" may succeed
there, on their own profile: what must never change is the owner's data.
"""

import pytest
from django.utils import timezone

from tests.factories import CredentialFactory, ModalityFactory, TherapistFactory
from tests.permissions import ROLES as ALL_ROLES
from tests.therapists.uploads import image_bytes, pdf_bytes, upload
from therapists.models import Credential, PhotoUpload, Therapist

pytestmark = pytest.mark.django_db

# The roles this file checks (tests/permissions.py); author is a review role, staff and owner_moderator
# are moderation's (on the dashboard an owner_moderator is the owner).
ROLES = [role for role in ALL_ROLES if role not in ("author", "staff", "owner_moderator")]


def profile_data():
    return {
        "display_name": "Changed Name",
        "city": "Hamburg",
        "country": "DE",
        "practising_since": 2010,
        "modalities": [ModalityFactory(slug="swedish").pk],
        "currency": "EUR",
        "accepts_new_clients": "on",
    }


def credential_data():
    return {
        "kind": "certificate",
        "title": "Changed title",
        "issuer": "Some school",
        "issued_on": timezone.localdate().isoformat(),
    }


# name: (method, path from the owner's objects, request data, expected status per role, roles that change the DB)
CASES = {
    "create_profile": (
        "post",
        lambda objects: "/dashboard/profile/create/",
        lambda: {"display_name": "New Therapist"},
        {"anonymous": 302, "client": 302, "other_therapist": 302, "owner": 302, "moderator": 302},
        {"client", "moderator"},
    ),
    "edit_profile": (
        "post",
        lambda objects: "/dashboard/profile/",
        profile_data,
        {"anonymous": 302, "client": 404, "other_therapist": 302, "owner": 302, "moderator": 404},
        {"owner"},
    ),
    "publish_profile": (
        "post",
        lambda objects: "/dashboard/profile/publish/",
        dict,
        {"anonymous": 302, "client": 404, "other_therapist": 302, "owner": 302, "moderator": 404},
        {"owner"},
    ),
    "unpublish_profile": (
        "post",
        lambda objects: "/dashboard/profile/unpublish/",
        dict,
        {"anonymous": 302, "client": 404, "other_therapist": 302, "owner": 302, "moderator": 404},
        {"owner"},
    ),
    "photo": (
        "post",
        lambda objects: "/dashboard/photo/",
        lambda: {"photo": upload("me.jpg", image_bytes("JPEG"))},
        {"anonymous": 302, "client": 404, "other_therapist": 302, "owner": 302, "moderator": 404},
        {"owner"},
    ),
    "submit_credential": (
        "post",
        lambda objects: "/dashboard/credentials/new/",
        lambda: {**credential_data(), "document": upload("c.pdf", pdf_bytes())},
        {"anonymous": 302, "client": 404, "other_therapist": 302, "owner": 302, "moderator": 404},
        {"owner"},
    ),
    "edit_credential": (
        "post",
        lambda objects: f"/dashboard/credentials/{objects['pending'].pk}/",
        credential_data,
        {"anonymous": 302, "client": 404, "other_therapist": 404, "owner": 302, "moderator": 404},
        {"owner"},
    ),
    "withdraw_credential": (
        "post",
        lambda objects: f"/dashboard/credentials/{objects['pending'].pk}/withdraw/",
        dict,
        {"anonymous": 302, "client": 404, "other_therapist": 404, "owner": 302, "moderator": 404},
        {"owner"},
    ),
    "resubmit_credential": (
        "post",
        lambda objects: f"/dashboard/credentials/{objects['rejected'].pk}/resubmit/",
        dict,
        {"anonymous": 302, "client": 404, "other_therapist": 404, "owner": 302, "moderator": 404},
        {"owner"},
    ),
    "credential_document": (
        "get",
        lambda objects: f"/dashboard/credentials/{objects['pending'].pk}/document/",
        dict,
        {"anonymous": 302, "client": 404, "other_therapist": 404, "owner": 200, "moderator": 200},
        set(),
    ),
}


def owner_objects(case: str) -> dict:
    # Unpublishing needs a published owner; everything else starts from a complete draft.
    owner = TherapistFactory(draft=case != "unpublish_profile")
    return {
        "owner": owner,
        "pending": CredentialFactory(therapist=owner),
        "rejected": CredentialFactory(therapist=owner, rejected=True),
    }


def database_state(owner: Therapist, user) -> tuple:
    return (
        Therapist.objects.filter(pk=owner.pk).values().get(),
        sorted(owner.modalities.values_list("pk", flat=True)),
        list(Credential.objects.filter(therapist=owner).order_by("pk").values()),
        # A photo is resized by a worker after commit: what the request changes is the pending upload.
        list(PhotoUpload.objects.filter(therapist=owner).values("status", "original")),
        Therapist.objects.filter(user=user).count() if user else None,
        Therapist.objects.count(),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", list(CASES))
def test_dashboard_permissions(client, login_as, case, role):
    method, path, data, statuses, changing_roles = CASES[case]
    objects = owner_objects(case)
    user = login_as(client, role, owner=objects["owner"])
    before = database_state(objects["owner"], user)

    response = getattr(client, method)(path(objects), data())

    assert response.status_code == statuses[role]
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    changed = database_state(objects["owner"], user) != before
    assert changed == (role in changing_roles)
