from django.core.management.base import BaseCommand

from outbox.tasks import sweep_outbox


class Command(BaseCommand):
    help = (
        "Send outbox emails nobody sent (queued for a few minutes), fail those whose last try died, "
        "drop old rows. Celery beat runs it every few minutes; without a worker, run it from cron."
    )

    def handle(self, *args, **options):
        sweep = sweep_outbox()
        self.stdout.write(
            f"{sweep.queued} emails queued again, {sweep.failed} failed, {sweep.purged} old rows deleted."
        )
        if sweep.broker_down:
            self.stderr.write("The task broker did not answer; the rest wait for the next sweep.")
