"""manage.py import_transcript FILE... — import transcripts into the archive."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from tqdm import tqdm

from archive.importers.base import DocumentError
from archive.importers.registry import FORMATS
from archive.services import source_import


class Command(BaseCommand):
    help = "Import transcript files (liveblog, srt, vtt, dialogue, jsonl) into the archive."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--format", default="auto", choices=("auto", *FORMATS))
        parser.add_argument("--origin-url", default="", help="Where the document was published.")
        parser.add_argument("--encoding", default=None, help="Read the bytes as this encoding.")
        parser.add_argument("--user", default=None, help="Username recorded as the importer.")
        parser.add_argument("--reason", default="", help="Why it is imported (kept on the ledger).")

    def handle(self, *args, **options):
        actor = self._actor(options["user"])
        failures = 0
        for name in options["files"]:
            try:
                self._import_one(Path(name), actor, options)
            except (DocumentError, OSError, DatabaseError) as error:
                failures += 1
                self.stderr.write(f"{name}: error: {_one_line(error)}")
        if failures:
            raise CommandError(f"{failures} of {len(options['files'])} file(s) not imported")

    def _actor(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user named {username!r}") from None

    def _import_one(self, path: Path, actor, options) -> None:
        if path.is_dir():
            raise DocumentError("is a directory, not a file")
        data = path.read_bytes()
        with tqdm(
            desc=path.name, unit=" segments", disable=None, leave=False, file=self.stderr
        ) as bar:
            result = source_import(
                data=data,
                actor=actor,
                filename=path.name,
                format=options["format"],
                encoding=options["encoding"],
                origin_url=options["origin_url"],
                reason=options["reason"],
                on_progress=bar.update,
            )
        if not result.created:
            self.stdout.write(
                f"{path}: already imported as source {result.source.pk}: "
                f"transcript {result.transcript.pk}, {result.segment_count} segments"
            )
            return
        self.stdout.write(
            f"{path}: transcript {result.transcript.pk}, {result.segment_count} segments "
            f"({result.transcript.format}), dropped {len(result.dropped)}"
        )
        for dropped in result.dropped:
            excerpt = result.source.text[dropped.start : dropped.end]
            self.stdout.write(f"  dropped {dropped.reason}: {_shorten(excerpt)!r}")


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split()) or error.__class__.__name__


def _shorten(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
