"""One factory per model, valid by default; traits for the states tests need."""

from datetime import date, datetime, time, timedelta

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from accounts.models import User
from appointments.models import Appointment, AppointmentRequest, HealthAnswers, ProposedTime
from moderation.models import Decision
from outbox.models import Email
from registers.models import Register, RegisterEntry
from reviews.models import Review, ReviewFlag, ReviewReply, ReviewReplyFlag
from therapists.models import Credential, Language, Modality, Need, OpeningHours, Therapist
from therapists.scores import SCORE_FIELDS, recompute_score

TEST_PASSWORD = "correct-horse-battery-staple"


def rescore(therapist: Therapist) -> None:
    """Store the score the therapist's rows imply, as every service does, and show it on the instance:
    no test starts from a stale score (tests that need drift make it with an UPDATE). A therapist made
    with explicit score fields (TherapistFactory(score=80), for sorting tests) keeps them."""
    if getattr(therapist, "_explicit_score", False):
        return
    fresh = recompute_score(therapist_id=therapist.pk)
    for field in SCORE_FIELDS:
        setattr(therapist, field, getattr(fresh, field))


def make_moderator(user) -> None:
    """Give `user` the moderation.moderate permission through the moderators group."""
    # get_or_create: a transactional test's flush removes rows made by data migrations.
    group, created = Group.objects.get_or_create(name="moderators")
    if created:
        group.permissions.add(Permission.objects.get(codename="moderate", content_type__app_label="moderation"))
    user.groups.add(group)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def confirmed(self, create, extracted, **kwargs):
        """Users have a confirmed email address unless created with confirmed=False."""
        if create:
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=extracted is not False)

    @factory.post_generation
    def moderator(self, create, extracted, **kwargs):
        if create and extracted:
            make_moderator(self)


class ModalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Modality
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"modality-{n}")
    name = factory.Sequence(lambda n: f"Modality {n}")


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"need-{n}")
    name = factory.Sequence(lambda n: f"Need {n}")


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Language
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"x{n}")
    name = factory.Sequence(lambda n: f"Language {n}")


class RegisterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Register

    slug = factory.Sequence(lambda n: f"register-{n}")
    name = factory.Sequence(lambda n: f"State Board {n} licence register")
    board = "State Board of Massage Therapy"
    country = "US"
    region = "Texas"
    lookup_url = "https://www.tdlr.texas.gov/LicenseSearch/?number={number}"
    complaints_url = "https://www.tdlr.texas.gov/complaints/"
    format = Register.Format.TEXAS_TDLR
    last_imported_at = factory.LazyFunction(timezone.now)


class RegisterEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegisterEntry

    register = factory.SubFactory(RegisterFactory)
    number = factory.Sequence(lambda n: f"MT{n:06d}")
    name = "NOWAK, IVAN"
    licence_type = "Massage Therapist"
    status = RegisterEntry.Status.ACTIVE
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=400))
    row_hash = factory.Sequence(lambda n: f"{n:032x}")


class TherapistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Therapist
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    slug = factory.Sequence(lambda n: f"therapist-{n}")
    display_name = factory.Faker("name")
    headline = "Deep tissue and sports massage"
    bio = "I start every session with a consultation about your needs and health."
    city = "Berlin"
    country = "DE"
    latitude = 52.52
    longitude = 13.405
    practising_since = factory.LazyFunction(lambda: timezone.localdate().year - 5)
    price_from = 60
    price_to = 90
    accepts_new_clients = True
    status = Therapist.Status.PUBLISHED

    time_zone = "Europe/Berlin"

    class Params:
        draft = factory.Trait(status=Therapist.Status.DRAFT)
        suspended = factory.Trait(status=Therapist.Status.SUSPENDED, suspended_reason="Repeated complaints.")
        # Takes requests, open every day 8:00–20:00 in Berlin.
        bookable = factory.Trait(accepts_appointment_requests=True)

    @factory.post_generation
    def opening_hours(self, create, extracted, **kwargs):
        """bookable=True opens daily 8–20; opening_hours=[(weekday, "9:00", "17:00"), …] sets others."""
        if not create:
            return
        if extracted is None and self.accepts_appointment_requests:
            extracted = [(weekday, "8:00", "20:00") for weekday in range(7)]
        for weekday, opens_at, closes_at in extracted or []:
            OpeningHours.objects.create(
                therapist=self, weekday=weekday, opens_at=_time(opens_at), closes_at=_time(closes_at)
            )

    @factory.post_generation
    def modalities(self, create, extracted, **kwargs):
        if create:
            self.modalities.add(*(extracted if extracted is not None else [ModalityFactory(slug="swedish")]))

    @factory.post_generation
    def needs(self, create, extracted, **kwargs):
        if create and extracted:
            self.needs.add(*extracted)

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create and extracted:
            self.languages.add(*extracted)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        therapist = super()._create(model_class, *args, **kwargs)
        therapist._explicit_score = any(field in kwargs for field in SCORE_FIELDS)
        return therapist

    @factory.post_generation
    def rescored(self, create, extracted, **kwargs):
        if create:
            rescore(self)


class CredentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Credential
        skip_postgeneration_save = True

    therapist = factory.SubFactory(TherapistFactory)
    kind = Credential.Kind.LICENCE
    title = "State massage therapist licence"
    issuer = "Chamber of Health Professions"
    number = factory.Sequence(lambda n: f"LIC-{n:06d}")
    issued_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=2 * 365))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))
    document = factory.django.FileField(filename="licence.pdf", data=b"%PDF-1.4\n%%EOF\n")  # stored as is
    status = Credential.Status.PENDING

    class Params:
        verified = factory.Trait(status=Credential.Status.VERIFIED, decided_at=factory.LazyFunction(timezone.now))
        rejected = factory.Trait(status=Credential.Status.REJECTED, decision_reason="Illegible scan.")
        expired = factory.Trait(
            status=Credential.Status.EXPIRED,
            expires_on=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1)),
        )
        certificate = factory.Trait(kind=Credential.Kind.CERTIFICATE, title="Lymphatic drainage certificate")

    @factory.post_generation
    def rescored(self, create, extracted, **kwargs):
        if create:
            rescore(self.therapist)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review
        skip_postgeneration_save = True

    therapist = factory.SubFactory(TherapistFactory)
    author = factory.SubFactory(UserFactory)
    rating = 5
    title = "Careful and effective"
    body = "We talked about my back first, and the pressure was right throughout."
    visit_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    consultation_given = True
    unwanted_effects = False
    aftercare_given = True
    status = Review.Status.PUBLISHED
    # What the review form suggests when the author leaves the name as it is.
    author_display_name = factory.LazyAttribute(lambda review: review.author.public_name)

    class Params:
        hidden = factory.Trait(
            status=Review.Status.HIDDEN,
            hidden_reason="Offensive language.",
            removed_at=factory.LazyFunction(timezone.now),
        )
        held = factory.Trait(status=Review.Status.HELD, held_at=factory.LazyFunction(timezone.now))
        # Through the invitation of an attended appointment of this author with this therapist. Each one an
        # hour and a minute before the last, so one therapist's appointments never overlap (PostgreSQL's
        # appointment_no_overlap exclusion constraint).
        verified_visit = factory.Trait(
            appointment=factory.LazyAttributeSequence(
                lambda review, n: AppointmentFactory(
                    attended=True,
                    request__therapist=review.therapist,
                    request__client=review.author,
                    starts_at=timezone.now() - timedelta(days=1, minutes=61 * (n + 2)),
                )
            )
        )

    @factory.post_generation
    def rescored(self, create, extracted, **kwargs):
        if create:
            rescore(self.therapist)


class ReviewReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewReply

    review = factory.SubFactory(ReviewFactory)
    author = factory.LazyAttribute(lambda reply: reply.review.therapist.user)
    body = "Thank you for your kind words."


class ReviewReplyFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewReplyFlag

    reply = factory.SubFactory(ReviewReplyFactory)
    user = factory.SubFactory(UserFactory)
    reason = ReviewFlag.Reason.PRIVATE_INFORMATION


class ReviewFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewFlag

    review = factory.SubFactory(ReviewFactory)
    user = factory.SubFactory(UserFactory)
    reason = ReviewFlag.Reason.OFFENSIVE


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    actor = factory.SubFactory(UserFactory, moderator=True)
    action = Decision.Action.VERIFY_CREDENTIAL
    target_type = "therapists.credential"
    target_id = 1
    target_repr = "Licence"


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def _time(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    therapist = factory.SubFactory(TherapistFactory)
    weekday = 0
    opens_at = time(9)
    closes_at = time(17)


def in_days(days: int, hour: int = 10, zone: str = "Europe/Berlin") -> datetime:
    """A start `days` ahead at `hour`:00 local time in `zone` (the factories' therapists are in Berlin)."""
    from zoneinfo import ZoneInfo

    local_day = (timezone.now() + timedelta(days=days)).astimezone(ZoneInfo(zone)).date()
    return datetime.combine(local_day, time(hour), tzinfo=ZoneInfo(zone))


class AppointmentRequestFactory(factory.django.DjangoModelFactory):
    """An open request with one proposed time (in three days, 10:00 Berlin) and all-"no" health answers."""

    class Meta:
        model = AppointmentRequest
        skip_postgeneration_save = True

    client = factory.SubFactory(UserFactory)
    therapist = factory.SubFactory(TherapistFactory, bookable=True)
    modality = factory.LazyAttribute(lambda request: request.therapist.modalities.first())
    message = "My lower back is stiff after long days at the desk."
    created_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def times(self, create, extracted, **kwargs):
        if create:
            for starts_at in extracted if extracted is not None else [in_days(3)]:
                ProposedTime.objects.create(request=self, starts_at=starts_at, proposed_by=ProposedTime.By.CLIENT)

    @factory.post_generation
    def answers(self, create, extracted, **kwargs):
        if create and extracted is not False:
            values = dict.fromkeys(HealthAnswers.SHORT, False) | (extracted or {})
            HealthAnswers.objects.create(request=self, **values)


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A booked appointment, from an accepted request; `past=True` makes it yesterday's."""

    class Meta:
        model = Appointment

    request = factory.SubFactory(AppointmentRequestFactory, state=AppointmentRequest.State.ACCEPTED)
    therapist = factory.LazyAttribute(lambda appointment: appointment.request.therapist)
    client = factory.LazyAttribute(lambda appointment: appointment.request.client)
    modality = factory.LazyAttribute(lambda appointment: appointment.request.modality)
    starts_at = factory.LazyFunction(lambda: in_days(3))
    ends_at = factory.LazyAttribute(lambda appointment: appointment.starts_at + timedelta(minutes=60))
    created_at = factory.LazyFunction(timezone.now)
    state = Appointment.State.BOOKED

    class Params:
        past = factory.Trait(starts_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1, hours=2)))
        attended = factory.Trait(
            past=True,
            state=Appointment.State.ATTENDED,
            invited_at=factory.LazyFunction(timezone.now),
            closed_at=factory.LazyFunction(timezone.now),
        )


class EmailFactory(factory.django.DjangoModelFactory):
    """An outbox row, queued by default; traits: sent=True, failed=True."""

    class Meta:
        model = Email

    kind = "tests.example"
    to = factory.Sequence(lambda n: f"recipient{n}@example.com")
    subject = factory.Sequence(lambda n: f"Message {n}")
    body = "Hello."

    class Params:
        sent = factory.Trait(status=Email.Status.SENT, sent_at=factory.LazyFunction(timezone.now), attempts=1, body="")
        failed = factory.Trait(
            status=Email.Status.FAILED,
            failed_at=factory.LazyFunction(timezone.now),
            attempts=8,
            last_error="SMTPServerDisconnected: Connection unexpectedly closed",
        )
