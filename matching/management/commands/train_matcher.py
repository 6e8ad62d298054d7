"""manage.py train_matcher --queries FILE --qrels FILE [--transcripts DIR] — train the
ranker of fact-check suggestions on judged queries, and make it the active one."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from common.commands import user_named
from matching import ranker, services, training


class Command(BaseCommand):
    help = "Train the fact-check matching ranker on judged queries (CheckThat! layout)."

    def add_arguments(self, parser):
        parser.add_argument("--queries", required=True, type=Path, help="id TAB text")
        parser.add_argument(
            "--qrels", required=True, type=Path, help="query_id TAB 0 TAB factcheck_url TAB 1"
        )
        parser.add_argument(
            "--transcripts", type=Path, help="folder of <transcript>.tsv files (context)"
        )
        parser.add_argument("--user", default=None, help="Username recorded as the trainer.")

    def handle(self, *args, **options):
        actor = user_named(options["user"])
        folder = options["transcripts"]
        if folder is not None and not folder.is_dir():
            raise CommandError(f"{folder}: not a folder")
        try:
            queries = training.read_queries(options["queries"])
            judgements = training.read_judgements(options["qrels"])
            transcripts = training.transcript_lines(folder)
        except training.TrainingFileError as error:
            raise CommandError(str(error)) from None
        index, _ = services.current_index()
        if not len(index):
            raise CommandError("the library is empty: import fact-checks first")
        judged = training.judged_queries(index, queries, judgements, transcripts)
        usable = [q for q in judged if q.relevant]
        if not usable:
            raise CommandError("no judged query names a fact-check in the library (by URL)")
        try:
            weights, cv, c = ranker.train(usable)
        except ValueError as error:
            raise CommandError(str(error)) from None
        trained_on = {
            "files": [
                training.file_fingerprint(options["queries"]),
                training.file_fingerprint(options["qrels"]),
            ],
            "queries": len(usable),
            "library": len(index),
        }
        stored = services.store_ranker(
            actor=actor, weights=weights, cv_map_at_5=cv, c=c, trained_on=trained_on
        )
        self.stdout.write(
            f"ranker {stored.pk}: {len(usable)} judged queries, cross-validated MAP@5 "
            f"{cv:.4f} (C = {c}); now the active ranker"
        )
