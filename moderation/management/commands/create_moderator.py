from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

GROUP = "moderators"


class Command(BaseCommand):
    help = "Make an existing user a moderator by adding them to the moderators group (not staff)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The email address the user signs in with.")

    def handle(self, *args, email, **options):
        User = get_user_model()
        try:
            user = User.objects.get(email__iexact=email.strip())
        except User.DoesNotExist:
            raise CommandError(f"No user with the email address {email!r}; they must sign up first.") from None
        try:
            group = Group.objects.get(name=GROUP)
        except Group.DoesNotExist:
            raise CommandError(f"The {GROUP!r} group is missing; run `manage.py migrate` first.") from None
        if user.groups.filter(pk=group.pk).exists():
            self.stdout.write(f"{user.email} is already a moderator.")
            return
        user.groups.add(group)
        self.stdout.write(self.style.SUCCESS(f"{user.email} is now a moderator."))
