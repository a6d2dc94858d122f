from django.core.management.base import BaseCommand

from reviews import rules
from reviews.services import erase_expired_reviews


class Command(BaseCommand):
    help = (
        f"Erase the text of reviews hidden or withdrawn more than {rules.RETENTION_MONTHS} months ago "
        "(run daily; Celery beat runs the same service)."
    )

    def handle(self, *args, **options):
        erased = erase_expired_reviews()
        self.stdout.write(f"{erased} reviews erased.")
