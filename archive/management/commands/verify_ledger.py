"""manage.py verify_ledger — check the hash chain of the provenance ledger."""

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
        sequence, digest = ledger.head()
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(f"ledger chain is broken ({len(problems)} problem(s) shown)")
        self.stdout.write(f"ledger ok: {sequence} events, head {digest[:16]}")
