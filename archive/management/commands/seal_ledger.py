"""manage.py seal_ledger — seal, sign and witness the ledger events written since the last seal."""

from django.core.management.base import BaseCommand, CommandError

from archive import ledger, witness


class Command(BaseCommand):
    help = (
        "Write a signed seal over every ledger event since the last one, append its head to "
        "the witness file (CLAIMTRAIL_LEDGER_WITNESS) and print that head as one JSON line, "
        "for cron to ship off the machine. Appends seal on their own every "
        "CLAIMTRAIL_LEDGER_SEAL_EVERY events; run this every minute from cron to bound how "
        "long the newest events stay protected by their object's chain alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet-if-nothing", action="store_true", help="print nothing when nothing is new"
        )

    def handle(self, *args, **options):
        try:
            seal = ledger.seal()
        except OSError as error:  # the seal is committed; only the witness line is missing
            raise CommandError(f"sealed, but the witness could not be written: {error}") from None
        if seal is None:
            if not options["quiet_if_nothing"]:
                self.stderr.write("nothing to seal: every event is sealed")
            return
        self.stderr.write(
            f"sealed {seal.events} event(s) up to #{seal.last_sequence} (seal {seal.number},"
            f" {seal.hash[:16]}, key {seal.key_id})"
        )
        self.stdout.write(witness.line_of(seal))
