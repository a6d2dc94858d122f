from django.core.management.base import BaseCommand

from appointments import services


class Command(BaseCommand):
    help = (
        "Run the appointments' scheduled jobs once: 24-hour reminders, expiry of requests whose times "
        "all passed, and erasure of health answers 30 days after. Beat runs them on its own schedule."
    )

    def handle(self, *args, **options):
        reminded = services.send_reminders()
        expired = services.expire_requests()
        erased = services.erase_health_answers()
        self.stdout.write(
            f"{reminded} reminder{'s' * (reminded != 1)} queued, {expired} request{'s' * (expired != 1)} expired, "
            f"health answers of {erased} request{'s' * (erased != 1)} erased."
        )
