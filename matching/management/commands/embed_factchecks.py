"""manage.py embed_factchecks — compute the vectors of fact-checks that have none for
their current content (after an import; the worker does the same)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from tqdm import tqdm

from library.models import FactCheck
from matching import services


class Command(BaseCommand):
    help = "Compute the sentence vectors of fact-checks that lack them (offline model)."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options):
        with tqdm(
            total=FactCheck.objects.count(),
            unit=" fact-checks",
            disable=True if options["no_progress"] else None,
            file=self.stderr,
            leave=False,
        ) as bar:
            done = services.embed_missing(progress=bar.update)
        self.stdout.write(f"vectors computed for {done} fact-check(s)")
