from django.core.management.base import BaseCommand

from privacy import erasure, export


class Command(BaseCommand):
    help = "Run the privacy retention jobs once (cron, without beat): expired download links, unconfirmed accounts."

    def handle(self, *args, **options):
        purged = export.purge_expired_exports()
        erased = erasure.erase_unconfirmed_accounts()
        self.stdout.write(f"{purged} expired download link(s) deleted, {erased} unconfirmed account(s) erased.")
