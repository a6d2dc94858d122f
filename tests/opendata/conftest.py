import pytest

from tests.factories import CredentialFactory, LanguageFactory, ModalityFactory, NeedFactory, TherapistFactory
from therapists.demo import seed_demo


@pytest.fixture
def seeded(db):
    """The demo data set (every status of therapist and credential), plus the edge cases it lacks:
    a practice with no phone, price, credential, need or language, and one with a website."""
    seed_demo(therapists=25, reviews=60, seed=7)
    TherapistFactory(slug="bare", phone="", price_from=None, price_to=None, headline="", bio="", postcode="")
    TherapistFactory(
        slug="complete",
        website="https://praxis-weber.example/",
        contact_email="hello@praxis-weber.example",
        phone="+49 30 1234567",
        modalities=[ModalityFactory(slug="swedish"), ModalityFactory(slug="thai")],
        needs=[NeedFactory(slug="stress-sleep")],
        languages=[LanguageFactory(code="de")],
    )
    CredentialFactory(therapist__slug="licensed", verified=True, number="", expires_on=None)
