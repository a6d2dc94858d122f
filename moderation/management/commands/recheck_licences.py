from django.core.management.base import BaseCommand, CommandError

from moderation.management.commands.import_register import write_recheck
from moderation.services import recheck_licences
from registers.models import Register


class Command(BaseCommand):
    help = (
        "Re-check every verified licence against its register (run daily; import_register does it after "
        "each import): revoked ones stop counting, expired or vanished ones go back to the queue."
    )

    def add_arguments(self, parser):
        parser.add_argument("--register", help="Only the licences in this register (its slug).")

    def handle(self, *args, register=None, **options):
        found = None
        if register:
            found = Register.objects.filter(slug=register).first()
            if found is None:
                raise CommandError(f"Unknown register {register!r}.")
        write_recheck(self.stdout, recheck_licences(register=found))
