"""manage.py verify_ledger — check the provenance ledger's hashes, links and seals."""

from django.core.management.base import BaseCommand, CommandError

from archive import ledger


class Command(BaseCommand):
    help = "Verify that no ledger event was edited, deleted, inserted or reordered."

    def add_arguments(self, parser):
        parser.add_argument("--max-problems", type=int, default=20)

    def handle(self, *args, **options):
        problems = []
        for problem in ledger.verify():
            problems.append(problem)
            if len(problems) >= options["max_problems"]:
                break
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(f"ledger chain is broken ({len(problems)} problem(s) shown)")
        sequence, digest = ledger.head()
        last_seal = ledger.LedgerSeal.objects.order_by("-number").first()
        sealed = last_seal.last_sequence if last_seal else 0
        self.stdout.write(
            f"ledger ok: {ledger.count()} events up to #{sequence}, head {digest[:16]};"
            f" sealed up to #{sealed}"
        )
