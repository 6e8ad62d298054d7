"""manage.py seal_ledger — seal the ledger events written since the last seal."""

from django.core.management.base import BaseCommand

from archive import ledger


class Command(BaseCommand):
    help = (
        "Write a seal over every ledger event since the last one. Appends seal on their own "
        "every CLAIMTRAIL_LEDGER_SEAL_EVERY events; run this from cron to bound how long "
        "the newest events stay protected by their object's chain alone."
    )

    def handle(self, *args, **options):
        seal = ledger.seal()
        if seal is None:
            self.stdout.write("nothing to seal: every event is sealed")
        else:
            self.stdout.write(
                f"sealed {seal.events} event(s) up to #{seal.last_sequence} (seal {seal.number},"
                f" {seal.hash[:16]})"
            )
