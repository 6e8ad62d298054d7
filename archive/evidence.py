"""Evidence checked, not trusted: the stored sources and segments against their import.

Every import records in its ``source.import`` ledger event the SHA-256 of the bytes
received, of the decoded text and of the segment rows (:class:`SegmentDigest`). The
ledger itself is hash-linked and its seals are signed, so these digests are the
reference: :func:`verify` recomputes them from what the database holds now, and also
checks that each segment's text is exactly its span of the source text. A row edited
behind the application's back (a figure changed in a segment, a shifted offset, new
bytes with a matching ``sha256`` column) is reported, naming the source or segment.

Other apps add their own checks of stored rows against the ledger with
:func:`register` (this app never imports them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from archive.actions import ArchiveAction

from . import ledger
from .models import Segment, Source, Transcript

# Segment columns covered by the segments digest, in this order.
SEGMENT_FIELDS = (
    "id",
    "transcript_id",
    "ordinal",
    "clock",
    "clock_normalised",
    "location",
    "speaker",
    "speaker_role",
    "text",
    "source_start",
    "source_end",
)


@dataclass(frozen=True)
class EvidenceProblem:
    where: str
    message: str

    def __str__(self):
        return f"{self.where}: {self.message}"


class SegmentDigest:
    """SHA-256 over a transcript's segment rows in ordinal order, each field length-prefixed
    (so no two different rows can digest alike by moving text between fields)."""

    def __init__(self):
        self._sha = hashlib.sha256()
        self.count = 0

    def add(self, row: Iterable) -> None:
        for value in row:
            data = str(value).encode("utf-8", "surrogatepass")
            self._sha.update(len(data).to_bytes(8, "big"))
            self._sha.update(data)
        self.count += 1

    def hexdigest(self) -> str:
        return self._sha.hexdigest()

    def wrap(self, rows: Iterable[tuple]) -> Iterator[tuple]:
        """Pass rows through, digesting each on its way (rows in ``SEGMENT_FIELDS`` order)."""
        for row in rows:
            self.add(row)
            yield row


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


_CHECKS: list[Callable[[], Iterator]] = []


def register(check: Callable[[], Iterator]) -> Callable[[], Iterator]:
    """Add a check (a callable yielding problems) that :func:`verify` runs after its own."""
    if check not in _CHECKS:
        _CHECKS.append(check)
    return check


def verify(*, sources: Iterable | None = None, chunk_size: int = 2000) -> Iterator:
    """Yield every problem with the stored evidence, then every registered check's.

    ``sources`` (ids) limits the check to those sources and their transcripts, and
    skips the registered checks (an export checks what it is about to write).
    """
    events = _import_events()
    stored = Source.objects.order_by("imported_at", "id")
    if sources is not None:
        stored = stored.filter(pk__in=list(sources))
    for source in stored.iterator(chunk_size=4):  # whole documents: a few at a time
        yield from check_source(source, events.pop(str(source.pk), None), chunk_size=chunk_size)
    if sources is None:
        for source_id in events:
            yield EvidenceProblem(
                f"source {source_id}", "its import is on the ledger but the source is gone"
            )
        for check in _CHECKS:
            yield from check()


# The events that bring a source in: an import, or a restore from a dataset package
# (which records the bytes' digest but not the text's or the segments').
ENTRY_ACTIONS = (ArchiveAction.SOURCE_IMPORT, ArchiveAction.SOURCE_RESTORE)


def _import_events() -> dict[str, dict]:
    rows = ledger.LedgerEvent.objects.filter(
        object_type="archive.source", action__in=ENTRY_ACTIONS
    ).values_list("object_id", "state")
    return dict(rows.iterator(5000))


def check_source(source: Source, state: dict | None, *, chunk_size: int = 2000) -> Iterator:
    """Check one source's bytes, text and segments against its import event."""
    where = f"source {source.pk} ({source.filename or source.title})"
    if state is None:
        yield EvidenceProblem(
            where, "no import event on the ledger: it did not come in through Claimtrail"
        )
        return
    content = bytes(source.content)
    if hashlib.sha256(content).hexdigest() != state.get("sha256"):
        yield EvidenceProblem(
            where, "its bytes do not match the SHA-256 recorded when it was imported"
        )
    elif source.sha256 != state.get("sha256"):
        yield EvidenceProblem(where, "its sha256 column was changed after import")
    if "text_sha256" in state and text_digest(source.text) != state["text_sha256"]:
        yield EvidenceProblem(where, "its decoded text was changed after import")
    for transcript in Transcript.objects.filter(source=source).order_by("created_at"):
        if str(transcript.pk) == state.get("transcript_id") and "revision" in state:
            recorded = (state.get("revision_of"), state["revision"])
            if (_text_or_none(transcript.revision_of_id), transcript.revision) != recorded:
                yield EvidenceProblem(
                    f"transcript {transcript.pk}",
                    "the revision it follows was changed after import",
                )
        yield from _check_segments(source, transcript, state, chunk_size)


def _text_or_none(value) -> str | None:
    return None if value is None else str(value)


_SPAN = ("text", "source_start", "source_end")


def _check_segments(source, transcript, state, chunk_size) -> Iterator:
    digest = SegmentDigest()
    rows = (
        Segment.objects.filter(transcript=transcript)
        .order_by("ordinal")
        .values_list(*SEGMENT_FIELDS)
        .iterator(chunk_size)
    )
    text = source.text
    text_at, start_at, end_at = (SEGMENT_FIELDS.index(name) for name in _SPAN)
    for row in rows:
        digest.add(row)
        start, end = row[start_at], row[end_at]
        if text[start:end] != row[text_at]:
            yield EvidenceProblem(
                f"segment {row[0]} (#{row[2]} of transcript {transcript.pk})",
                f"its text is not the source's text at [{start}:{end}]: edited after import",
            )
    where = f"transcript {transcript.pk}"
    if str(transcript.pk) != state.get("transcript_id"):
        return  # a transcript the import event does not describe has no recorded digest
    if digest.count != state.get("segment_count"):
        yield EvidenceProblem(
            where, f"has {digest.count} segments; {state.get('segment_count')} were imported"
        )
    elif "segments_sha256" in state and digest.hexdigest() != state["segments_sha256"]:
        yield EvidenceProblem(
            where, "its segments (speaker, clock, order or offsets) differ from what was imported"
        )
