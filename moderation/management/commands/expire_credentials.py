from django.core.management.base import BaseCommand

from moderation.services import expire_credentials


class Command(BaseCommand):
    help = "Expire verified credentials past their expiry date and rescore their therapists (run daily)."

    def handle(self, *args, **options):
        expired = expire_credentials()
        self.stdout.write(f"{expired} credentials expired.")
