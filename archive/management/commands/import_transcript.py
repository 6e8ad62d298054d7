"""manage.py import_transcript FILE... — import transcripts into the archive."""

import argparse
import os
import stat
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from tqdm import tqdm

from archive.importers.base import DocumentError
from archive.importers.registry import FORMATS
from archive.services import check_import_size, source_import
from common.commands import user_named

# The way out of a refusal, in this command's words (DocumentError.worded).
WAYS_OUT = {
    "encoding": "pass --encoding to read it as another encoding",
    "format": "use --format ({choices})",
}


class Command(BaseCommand):
    help = (
        "Import transcript files (liveblog, srt, vtt, dialogue, jsonl, tsv) into the archive; "
        "a corrected version of an imported report becomes its next revision."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--format", default="auto", choices=("auto", *FORMATS))
        parser.add_argument(
            "--origin-url",
            default="",
            help="Where the document was published. A new version of a document imported "
            "before from this URL becomes its next revision.",
        )
        parser.add_argument(
            "--revision-of",
            default=None,
            metavar="TRANSCRIPT_ID",
            help="Import the file as the next revision of this transcript (its latest).",
        )
        parser.add_argument("--encoding", default=None, help="Read the bytes as this encoding.")
        parser.add_argument("--user", default=None, help="Username recorded as the importer.")
        parser.add_argument("--reason", default="", help="Why it is imported (kept on the ledger).")
        parser.add_argument(
            "--event-date",
            default=None,
            type=_day,
            help="The day of the event (YYYY-MM-DD), for documents that do not say it.",
        )

    def handle(self, *args, **options):
        actor = user_named(options["user"])
        failures = 0
        for name in options["files"]:
            try:
                self._import_one(Path(name), actor, options)
            except (DocumentError, OSError, DatabaseError) as error:
                failures += 1
                self.stderr.write(f"{_shown(name)}: error: {_one_line(error)}")
        if failures:
            raise CommandError(f"{failures} of {len(options['files'])} file(s) not imported")

    def _import_one(self, path: Path, actor, options) -> None:
        data = _read(path)
        filename = _shown(path.name)
        with tqdm(
            desc=filename, unit=" segments", disable=None, leave=False, file=self.stderr
        ) as bar:
            result = source_import(
                data=data,
                actor=actor,
                filename=filename,
                format=options["format"],
                encoding=options["encoding"],
                origin_url=_shown(options["origin_url"]),
                reason=_shown(options["reason"]),
                on_progress=bar.update,
                event_date=options["event_date"],
                revision_of=options["revision_of"],
            )
        shown = _shown(path)
        if not result.created:
            self.stdout.write(
                f"{shown}: already imported as source {result.source.pk}: "
                f"transcript {result.transcript.pk}, {result.segment_count} segments"
            )
            return
        self.stdout.write(
            f"{shown}: transcript {result.transcript.pk}, {result.segment_count} segments "
            f"({result.transcript.format}), dropped {len(result.dropped)}"
        )
        previous = result.revision_of
        if previous is not None:
            changed = (
                f"; its format changed from {previous.format} to {result.transcript.format}"
                if previous.format != result.transcript.format
                else ""
            )
            self.stdout.write(
                f"  revision {result.transcript.revision} of transcript {previous.pk}{changed}"
            )
        for line in result.derived:
            self.stdout.write(f"  {line}")
        for dropped in result.dropped:
            excerpt = result.source.text[dropped.start : dropped.end]
            self.stdout.write(f"  dropped {dropped.reason}: {_shorten(excerpt)!r}")


def _read(path: Path) -> bytes:
    """The file's bytes; a directory, a device or pipe, or a file over the import service's
    limit is refused before anything is read (``/dev/zero`` would never end)."""
    mode = path.stat()
    if stat.S_ISDIR(mode.st_mode):
        raise DocumentError("is a directory, not a file")
    if not stat.S_ISREG(mode.st_mode):
        raise DocumentError("is not a regular file (a device, pipe or socket?)")
    check_import_size(mode.st_size)
    return path.read_bytes()


def _shown(name) -> str:
    """A path as text that can be printed and stored: bytes of the file system's name
    that are not UTF-8 become U+FFFD instead of lone surrogates, which neither can."""
    return os.fsencode(name).decode("utf-8", "replace")


def _one_line(error: Exception) -> str:
    text = error.worded(WAYS_OUT) if isinstance(error, DocumentError) else str(error)
    return " ".join(_shown(text).split()) or error.__class__.__name__


def _shorten(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None
