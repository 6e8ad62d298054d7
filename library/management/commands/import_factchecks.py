"""manage.py import_factchecks FILE... — bring earlier fact-checks into the library."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from tqdm import tqdm

from common.commands import user_named
from common.errors import DocumentError, DomainError
from library.formats import FORMATS
from library.services import (
    ImportRefused,
    ImportResult,
    factcheck_import_file,
    factcheck_join_approved,
)

SHOWN_REASONS = 3  # refused records named on a file's summary line (-v 2: all of them)


class Command(BaseCommand):
    help = (
        "Import fact-checks (schema.org ClaimReview as JSON-LD or JSONL, or a Google Fact Check "
        "Tools claims:search answer) into the library. Bad records are skipped and reported; "
        "with --strict a file with any bad record is refused whole."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", metavar="FILE")
        parser.add_argument("--format", default="auto", choices=("auto", *FORMATS))
        parser.add_argument(
            "--strict", action="store_true", help="Refuse a file whole if any record is bad."
        )
        parser.add_argument(
            "--origin", default="", help="Where the records come from (default: the file's name)."
        )
        parser.add_argument("--user", default=None, help="Username recorded as the importer.")
        parser.add_argument("--reason", default="", help="Why it is imported (kept on the ledger).")
        parser.add_argument(
            "--approved-annotations",
            action="store_true",
            help="Also bring every approved annotation into the library (they join by "
            "themselves when approved; this catches up those approved before).",
        )

    def handle(self, *args, **options):
        if not options["files"] and not options["approved_annotations"]:
            raise CommandError("name at least one FILE (or --approved-annotations)")
        actor = user_named(options["user"])
        failures = 0
        for name in options["files"]:
            try:
                self._report(_shown(name), self._import_one(Path(name), actor, options), options)
            except ImportRefused as refusal:
                failures += 1
                self.stderr.write(f"{_shown(name)}: refused: {_one_line(refusal.message)}")
                self._list_refused(refusal.result, options, err=True)
            except (DocumentError, DomainError, OSError, DatabaseError) as error:
                failures += 1
                self.stderr.write(f"{_shown(name)}: error: {_one_line(_message(error))}")
        if options["approved_annotations"]:
            try:
                self._report("approved annotations", self._join(actor, options), options)
            except (DomainError, DatabaseError) as error:
                failures += 1
                self.stderr.write(f"approved annotations: error: {_one_line(_message(error))}")
        if failures:
            count = len(options["files"]) + bool(options["approved_annotations"])
            raise CommandError(f"{failures} of {count} refused; nothing of those was imported")

    def _import_one(self, path: Path, actor, options) -> ImportResult:
        mode = path.stat()
        if stat.S_ISDIR(mode.st_mode):
            raise DocumentError("is a directory, not a file")
        if not stat.S_ISREG(mode.st_mode):
            raise DocumentError("is not a regular file (a device, pipe or socket?)")
        with path.open("rb") as stream, self._bar(_shown(path.name)) as bar:
            return factcheck_import_file(
                actor=actor,
                stream=stream,
                filename=_shown(path.name),
                format=options["format"],
                origin=_shown(options["origin"]),
                reason=_shown(options["reason"]),
                strict=options["strict"],
                on_progress=_advance(bar),
            )

    def _join(self, actor, options) -> ImportResult:
        with self._bar("approved annotations") as bar:
            return factcheck_join_approved(
                actor=actor, reason=_shown(options["reason"]), on_progress=_advance(bar)
            )

    def _bar(self, name: str) -> tqdm:
        # On a terminal only (disable=None), on stderr, gone when the file is done.
        return tqdm(desc=name, unit=" records", disable=None, leave=False, file=self.stderr)

    def _report(self, label: str, result: ImportResult, options) -> None:
        """One line per file: its counts and the first refused records with their reasons."""
        shown = [str(item) for item in result.refused[:SHOWN_REASONS]]
        more = len(result.refused) - len(shown)
        reasons = "; ".join(_one_line(text) for text in shown)
        if more > 0:
            reasons += f"; and {more} more"
        kind = f" ({result.format})" if result.format else ""
        line = f"{label}{kind}: {result.summary()}"
        self.stdout.write(f"{line}: {reasons}" if reasons else line)
        self._list_refused(result, options)

    def _list_refused(self, result: ImportResult, options, *, err: bool = False) -> None:
        out = self.stderr if err else self.stdout
        every = options["verbosity"] >= 2
        items = result.refused if every or err else []
        for item in items[: None if every else SHOWN_REASONS]:
            out.write(f"  {_one_line(str(item))}")


def _advance(bar: tqdm):
    def advance(done: int, total: int | None) -> None:
        if total is not None and bar.total != total:
            bar.total = total
        bar.update(done)

    return advance


def _message(error: Exception) -> str:
    return error.message if isinstance(error, DomainError) else str(error)


def _shown(name) -> str:
    """A path as printable text: bytes of the file system's name that are not UTF-8 become
    U+FFFD instead of lone surrogates."""
    return os.fsencode(name).decode("utf-8", "replace")


def _one_line(text: str) -> str:
    return " ".join(_shown(text).split())
