from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AbstractUser, BaseUserManager, Permission
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils.functional import cached_property

# An account whose address was never confirmed is erased this long after sign-up (privacy.tasks):
# it cannot log in, review or book, and its address may be a stranger's typed by someone else.
UNCONFIRMED_ACCOUNT_KEPT = timedelta(days=7)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def unconfirmed_since(self, moment: datetime):
        """Accounts that signed up before `moment` and never confirmed an address.

        Only accounts with an unconfirmed address: users made in the admin or by createsuperuser have
        no address row at all and are not signups waiting for a confirmation. Staff are never included.
        """
        addresses = EmailAddress.objects.filter(user=OuterRef("pk"))
        return self.filter(date_joined__lt=moment, is_staff=False, is_superuser=False).filter(
            Exists(addresses.filter(verified=False)), ~Exists(addresses.filter(verified=True))
        )

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def with_roles(self):
        """Users carrying the navigation's two role questions (User._roles) in the query that loads them.

        accounts.backends loads the logged-in user this way: one query per request instead of two.
        """
        profile_model = self.model._meta.get_field("therapist").related_model
        return self.annotate(
            holds_moderate=Exists(_moderate_permission()),
            owns_therapist_profile=Exists(profile_model.objects.filter(user=OuterRef("pk"))),
        )


def _moderate_permission():
    return Permission.objects.filter(codename="moderate", content_type__app_label="moderation").filter(
        Q(group__user=OuterRef("pk")) | Q(user=OuterRef("pk"))
    )


class User(AbstractUser):
    """A person with an account: a client, a therapist, a moderator, or several of these.

    People sign in with their email address, so there is no username.
    """

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    name = models.CharField("name", max_length=150, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        constraints = [
            # Email addresses differ only in case are the same mailbox.
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.name or self.email

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return self.name or self.email

    @cached_property
    def _roles(self) -> tuple[bool, bool]:
        """(holds moderation.moderate, owns a therapist profile), in one query remembered for the request.

        The navigation asks both on every page; has_perm() would load every permission of the user in
        two queries, and two EXISTS were one query more than a logged-in page's budget. The profile
        model is found through the reverse relation of Therapist.user, so this app imports nothing above it.
        """
        if hasattr(self, "holds_moderate"):  # loaded through UserManager.with_roles(): no query
            return bool(self.holds_moderate), bool(self.owns_therapist_profile)
        row = (
            type(self).objects.with_roles().filter(pk=self.pk).values_list("holds_moderate", "owns_therapist_profile")
        ).first()
        return (bool(row[0]), bool(row[1])) if row else (False, False)

    @property
    def is_moderator(self) -> bool:
        """Holds moderation.moderate through a group or directly (superusers too)."""
        if not self.is_active:
            return False
        return self.is_superuser or self._roles[0]

    @property
    def public_name(self) -> str:
        """How a review signs its author to the public: first name and initial ("Anna K.").

        The full name stays between the client, the therapist they saw and the moderators.
        """
        first, _, rest = self.name.strip().partition(" ")
        if not first:
            return "A client"
        last = rest.split()[-1] if rest.split() else ""
        return f"{first} {last[0].upper()}." if last else first

    @property
    def has_therapist_profile(self) -> bool:
        """Owns a therapist profile in any status: the navigation offers the dashboard only then."""
        return self._roles[1]

    def has_confirmed_address(self) -> bool:
        """Whether allauth holds a verified address for this user (one query each call)."""
        return EmailAddress.objects.filter(user=self, verified=True).exists()
