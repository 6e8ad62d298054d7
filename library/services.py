"""Every write to the library, each created or changed fact-check with its ledger event.

* :func:`factcheck_import` takes parsed records (:mod:`library.formats`) and brings
  them in: unique by URL; a record whose digest (:func:`library.records.digest_of`) is
  already stored changes nothing and writes no event; a new one is created
  (``factcheck.import``), a changed one updated (``factcheck.update``, with what
  changed). Records are applied in batches of :data:`BATCH`, one transaction each, the
  batch's rows and events together.
* :func:`factcheck_import_file` reads one file and imports it; the command's path.
* :func:`factcheck_upload` is a person's upload (admin, API): editors only, every file
  imported or none.
* :func:`factcheck_join_annotation` adds (or updates) the team's own fact-check of an
  approved annotation; :mod:`library.receivers` calls it after each approval.

Policy for bad records: they are skipped and reported (:attr:`ImportResult.refused`,
with their position and reason), the good ones imported. With ``strict`` the whole
file is one transaction and is refused (:class:`ImportRefused`, nothing kept) if any
record is bad. A file with no record that could be imported is refused either way.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from annotate import workflow
from annotate.models import Status
from annotate.workflow import Action
from archive import ledger
from common.errors import DocumentError, InvalidInput, NotAllowed
from common.roles import roles_of
from library import formats, own, selectors, signals
from library.actions import LibraryAction
from library.formats import FactCheckRecord, Item
from library.models import FactCheck
from library.records import (
    FIELD_NAMES,
    ORIGIN_MAX_LENGTH,
    changes,
    digest_of,
    state_of,
    values_of,
)

BATCH = 1000
RETRIES = 10  # a batch that met a concurrent import of the same URL is applied again
# (each retry follows another import's commit of some of its URLs, so they make progress)
# Fields an update may change (the digest's fields, plus where this version came from).
_WRITABLE = (*FIELD_NAMES, "origin", "digest", "updated_at")

Progress = Callable[[int, int | None], None]  # (records just done, total when known)


@dataclass
class ImportResult:
    """What one import did. ``refused`` holds the refused records (position and reason)."""

    origin: str
    name: str = ""
    format: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[Item] = field(default_factory=list)
    strict: bool = False

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        """``3 created, 0 updated, 1 unchanged, 2 refused``."""
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.refused)} refused"
        )


class ImportRefused(InvalidInput):
    """Nothing of a file was imported; ``result.refused`` says which records and why."""

    code = "invalid_document"

    def __init__(self, message: str, *, result: ImportResult):
        super().__init__(message, fields={"file": [message]})
        self.result = result


@dataclass
class FileRefusal:
    """An uploaded file that was refused whole: its name, why, and its bad records."""

    name: str
    message: str
    refused: list[Item] = field(default_factory=list)


class UploadRefused(InvalidInput):
    """A person's upload was refused and nothing of it kept (``files`` says why, per file)."""

    code = "invalid_document"

    def __init__(self, message: str, *, files: list[FileRefusal]):
        super().__init__(message, fields={"file": [f"{f.name}: {f.message}" for f in files]})
        self.files = files


@dataclass(frozen=True)
class Upload:
    """One file of an upload: its name and its bytes as a binary file."""

    name: str
    stream: IO[bytes]


# ---------------------------------------------------------------- who may


def may_import_factchecks(user) -> bool:
    """Whether ``user`` may import fact-checks through the admin or the API: the roles that
    may import sources (editors; ``annotate.workflow.ROLES_FOR``). The command is trusted."""
    return workflow.may(Action.IMPORT_SOURCES, roles_of(user))


def max_document_bytes() -> int:
    """The bound on one JSON document (``CLAIMTRAIL_LIBRARY_MAX_DOCUMENT_BYTES``, 200 MB)."""
    return int(
        getattr(
            settings, "CLAIMTRAIL_LIBRARY_MAX_DOCUMENT_BYTES", formats.DEFAULT_MAX_DOCUMENT_BYTES
        )
    )


# ---------------------------------------------------------------- importing


def factcheck_import(
    *,
    actor,
    records: Iterable[Item | FactCheckRecord],
    origin: str,
    reason: str = "",
    strict: bool = False,
    on_progress: Progress | None = None,
    total: int | None = None,
) -> ImportResult:
    """Import parsed records on behalf of ``actor`` (``None``: the system); trusted callers.

    ``records`` are :class:`~library.formats.Item` (refused ones are reported) or bare
    records. Raises :class:`ImportRefused` when nothing could be imported, or, with
    ``strict``, when any record is refused (then nothing is kept).
    """
    origin = (origin or "").strip()[:ORIGIN_MAX_LENGTH] or "unnamed"
    result = ImportResult(origin=origin, strict=strict)
    if strict:
        try:
            with transaction.atomic():
                _import_all(actor, records, result, reason, on_progress, total)
                if result.refused:
                    raise _Rollback()
        except _Rollback:
            result.created = result.updated = result.unchanged = 0
            count = len(result.refused)
            raise ImportRefused(
                f"{count} record{'' if count == 1 else 's'} cannot be imported, so none was "
                f"(strict); first: {result.refused[0]}",
                result=result,
            ) from None
    else:
        _import_all(actor, records, result, reason, on_progress, total)
    if result.created or result.updated:
        transaction.on_commit(
            lambda: signals.library_changed.send_robust(sender=FactCheck, result=result)
        )
    if not result.imported:
        if result.refused:
            message = f"none of its {len(result.refused)} records can be imported; first: {result.refused[0]}"
        else:
            message = "it holds no fact-check (no ClaimReview, no claimReview)"
        raise ImportRefused(message, result=result)
    return result


class _Rollback(Exception):
    """Raised inside a transaction to undo it; caught just outside."""


def _import_all(actor, items, result: ImportResult, reason, on_progress, total) -> None:
    """Apply ``items`` batch by batch; duplicates within the call are settled here.

    The first record of a URL is the one applied. A later one with the same content is
    counted unchanged; one with other content is refused (a file that says two things
    about one fact-check is not guessed at).
    """
    seen: dict[str, tuple[str, str]] = {}  # url -> (position, digest)
    batch: list[tuple[Item, str]] = []  # (item, digest)
    stop_writing = False  # strict, and already refused: only collect the rest's reasons
    done = 0
    for item in _items(items):
        done += 1
        if item.refused:
            result.refused.append(item)
        else:
            digest = digest_of(values_of(item.record))
            first = seen.get(item.record.url)
            if first is None:
                seen[item.record.url] = (item.where, digest)
                batch.append((item, digest))
            elif first[1] == digest:
                result.unchanged += 1
            else:
                result.refused.append(
                    Item(
                        item.where,
                        reason=f"same url as {first[0]} with other content (the first is kept)",
                    )
                )
        stop_writing = stop_writing or (result.strict and bool(result.refused))
        if len(batch) >= BATCH:
            if not stop_writing:
                _apply(actor, batch, result, reason)
            batch = []
        if on_progress and done % BATCH == 0:
            on_progress(BATCH, total)
    if batch and not stop_writing:
        _apply(actor, batch, result, reason)
    if on_progress and done % BATCH:
        on_progress(done % BATCH, total)


def _items(items: Iterable[Item | FactCheckRecord]) -> Iterator[Item]:
    for index, item in enumerate(items, start=1):
        yield item if isinstance(item, Item) else Item(f"record {index}", item)


def _apply(actor, batch, result: ImportResult, reason: str) -> None:
    """Apply one batch in its own transaction; again if a concurrent import of the same
    URL committed first (its row is then found and compared, never duplicated)."""
    for attempt in range(RETRIES):
        try:
            counts, refused = _apply_batch(
                actor=actor, batch=batch, origin=result.origin, reason=reason
            )
        except IntegrityError:
            if attempt == RETRIES - 1:
                raise
            continue
        result.created += counts[0]
        result.updated += counts[1]
        result.unchanged += counts[2]
        result.refused.extend(refused)
        return


@ledger.atomic
def _apply_batch(*, actor, batch, origin: str, reason: str):
    """Create, update or leave each record of ``batch``; one event per row written.

    The rows the batch will compare are locked first, so two imports changing one
    fact-check take turns and its chain of events stays linear.
    """
    urls = [item.record.url for item, _ in batch]
    condition = Q(url__in=urls)
    own_ids = [item.record.annotation for item, _ in batch if item.record.annotation]
    if own_ids:  # the team's own are found by their annotation, whatever their url was
        condition |= Q(annotation_id__in=own_ids)
    stored = list(FactCheck.objects.select_for_update(of=("self",)).filter(condition))
    by_url = {row.url: row for row in stored}
    by_annotation = {str(row.annotation_id): row for row in stored if row.annotation_id}
    created: list[FactCheck] = []
    changed: list[tuple[FactCheck, dict]] = []
    unchanged = 0
    refused: list[Item] = []
    now = timezone.now()
    for item, digest in batch:
        record = item.record
        row = by_annotation.get(record.annotation) if record.annotation else None
        row = row or by_url.get(record.url)
        if row is None:
            created.append(_new_row(record, origin, digest))
        elif row.digest == digest:  # the digest covers every field, the annotation too
            unchanged += 1
        elif row.annotation_id and str(row.annotation_id) != (record.annotation or ""):
            refused.append(
                Item(
                    item.where,
                    reason=f"{record.url} is the team's own fact-check (annotation "
                    f"{row.annotation_id}); an import never overwrites it",
                )
            )
        elif by_url.get(record.url) not in (None, row):  # the own one moved onto another's url
            refused.append(
                Item(item.where, reason=f"{record.url} is already another fact-check's address")
            )
        else:
            before = state_of(row)
            _set_fields(row, record, origin, digest, now)
            changed.append((row, before))
    if created:
        FactCheck.objects.bulk_create(created)
    if changed:
        _update(changed)
    for row in created:
        ledger.append(
            actor=actor,
            action=LibraryAction.FACTCHECK_IMPORT,
            obj=row,
            state=state_of(row),
            reason=reason,
        )
    for row, before in changed:
        after = state_of(row)
        ledger.append(
            actor=actor,
            action=LibraryAction.FACTCHECK_UPDATE,
            obj=row,
            state=after,
            changes=changes(before, after),
            reason=reason,
        )
    return (len(created), len(changed), unchanged), refused


def _update(changed: list[tuple[FactCheck, dict]]) -> None:
    """Write the changed rows: the fields that changed in any of them, one UPDATE by primary
    key per row, sent together (``executemany``; psycopg pipelines them).

    Not ``bulk_update``: it builds one CASE per field over all its rows, whose cost in
    Django's expressions and in the database grows with the square of the batch (updating
    the 19,250 PolitiFact records took 56 s with it, 8.5 s like this, on PostgreSQL).
    Values are prepared by each model field, as the ORM would, so both databases read
    them alike.
    """
    names = {"origin", "digest", "updated_at"}
    for row, before in changed:
        after = values_of(row)
        names.update(name for name in FIELD_NAMES if after[name] != before[name])
    fields = [FactCheck._meta.get_field(name) for name in _WRITABLE if name in names]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(FactCheck._meta.db_table)} SET "
        + ", ".join(f"{quote(field.column)} = %s" for field in fields)
        + f" WHERE {quote(FactCheck._meta.pk.column)} = %s"
    )
    pk = FactCheck._meta.pk
    rows = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
        + [pk.get_db_prep_save(row.pk, connection)]
        for row, _ in changed
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _new_row(record: FactCheckRecord, origin: str, digest: str) -> FactCheck:
    row = FactCheck(id=uuid.uuid4())
    _set_fields(row, record, origin, digest, None)
    return row


def _set_fields(row: FactCheck, record: FactCheckRecord, origin: str, digest: str, now) -> None:
    for name in FIELD_NAMES:
        if name == "annotation":
            row.annotation_id = uuid.UUID(record.annotation) if record.annotation else None
        else:
            setattr(row, name, getattr(record, name))
    row.origin = origin
    row.digest = digest
    if now is not None:
        row.updated_at = now


# ---------------------------------------------------------------- files


def factcheck_import_file(
    *,
    actor,
    stream: IO[bytes],
    filename: str = "",
    format: str = "auto",
    origin: str = "",
    reason: str = "",
    strict: bool = False,
    on_progress: Progress | None = None,
) -> ImportResult:
    """Read one file (:func:`library.formats.read`) and import it; trusted callers.

    ``origin`` defaults to the file's name. Raises :class:`~common.errors.DocumentError`
    when the file cannot be read at all and :class:`ImportRefused` as
    :func:`factcheck_import` does; either way nothing of it is kept.
    """
    origin = _check_origin(origin) or _origin_of(filename)
    document = formats.read(
        stream, filename=filename, format=format, max_document_bytes=max_document_bytes()
    )
    try:
        result = factcheck_import(
            actor=actor,
            records=document.items,
            origin=origin,
            reason=reason,
            strict=strict,
            on_progress=on_progress,
            total=document.count,
        )
    except ImportRefused as refusal:
        refusal.result.name, refusal.result.format = filename, document.format
        raise
    result.name, result.format = filename, document.format
    return result


def _origin_of(filename: str) -> str:
    """A file's default origin: its name (one named like the team's own is told apart)."""
    name = Path(filename).name or "upload"
    return f"file {name}" if name.casefold() == own.OWN_ORIGIN else name


def _check_origin(origin: str) -> str:
    origin = (origin or "").strip()
    if len(origin) > ORIGIN_MAX_LENGTH:
        raise InvalidInput(
            f"origin has {len(origin)} characters, over the limit of {ORIGIN_MAX_LENGTH}",
            fields={"origin": ["too long"]},
        )
    if origin.casefold() == own.OWN_ORIGIN:
        raise InvalidInput(
            f"the origin {own.OWN_ORIGIN!r} is reserved for the team's own approved annotations",
            fields={"origin": ["reserved"]},
        )
    return origin


def factcheck_upload(
    *,
    actor,
    files: list[Upload],
    format: str = "auto",
    origin: str = "",
    reason: str = "",
    strict: bool = False,
) -> list[ImportResult]:
    """A person's upload (the admin's form, the API): each file read and imported, all in
    one transaction, so a refused file (unreadable, nothing importable, or a bad record
    with ``strict``) leaves nothing of the upload behind (:class:`UploadRefused`).

    Refuses first an actor who may not import (:class:`~common.errors.NotAllowed`).
    Records skipped without ``strict`` are reported in each result.
    """
    if not may_import_factchecks(actor):
        raise NotAllowed("only an editor may import fact-checks")
    if not files:
        raise InvalidInput("send at least one file", fields={"file": ["required"]})
    _check_origin(origin)
    results: list[ImportResult] = []
    refusals: list[FileRefusal] = []
    try:
        with transaction.atomic():
            for upload in files:
                try:
                    results.append(
                        factcheck_import_file(
                            actor=actor,
                            stream=upload.stream,
                            filename=upload.name,
                            format=format,
                            origin=origin,
                            reason=reason,
                            strict=strict,
                        )
                    )
                except ImportRefused as error:
                    refusals.append(FileRefusal(upload.name, error.message, error.result.refused))
                except DocumentError as error:
                    refusals.append(FileRefusal(upload.name, " ".join(str(error).split())))
            if refusals:
                raise _Rollback()
    except _Rollback:
        first = refusals[0]
        raise UploadRefused(
            f"{first.name}: {first.message}"
            + (f" (and {len(refusals) - 1} more file(s))" if len(refusals) > 1 else "")
            + "; nothing was imported",
            files=refusals,
        ) from None
    return results


# ---------------------------------------------------------------- the team's own


def factcheck_join_annotation(*, annotation, actor) -> FactCheck | None:
    """Add the team's fact-check of an approved annotation to the library, or bring it up to
    date (``origin`` ``claimtrail``, the annotation linked, its verdict as approved).

    Reads the annotation again: one that is no longer approved (reopened since) is left
    out and None returned. Idempotent: an unchanged annotation writes nothing.
    """
    pk = getattr(annotation, "pk", annotation)
    current = selectors.annotation_for_library(pk)
    if current is None or current.status != Status.APPROVED or not current.verdict:
        return None
    factcheck_import(
        actor=actor,
        records=[_own_item(current)],
        origin=own.OWN_ORIGIN,
        reason=f"approved annotation {pk}",
    )
    return FactCheck.objects.get(annotation_id=current.pk)


def factcheck_join_approved(
    *, actor, reason: str = "", on_progress: Progress | None = None
) -> ImportResult:
    """Bring every approved annotation into the library (those approved before the library
    existed, or whose join failed); what is already there unchanged writes nothing."""
    annotations = selectors.approved_annotations_for_library()
    total = annotations.count()
    if not total:
        return ImportResult(origin=own.OWN_ORIGIN, name="approved annotations")
    result = factcheck_import(
        actor=actor,
        records=(_own_item(annotation) for annotation in annotations.iterator(chunk_size=BATCH)),
        origin=own.OWN_ORIGIN,
        reason=reason or "approved annotations joined the library",
        on_progress=on_progress,
        total=total,
    )
    result.name = "approved annotations"
    return result


def _own_item(annotation) -> Item:
    """The library record of an approved annotation: its ClaimReview (:mod:`library.own`)
    read like any other, with the annotation's own verdict and id."""
    where = f"annotation {annotation.pk}"
    try:
        record = formats.claim_review_record(
            own.own_claim_review(annotation), url_schemes=("http", "https", "urn")
        )
    except formats.BadRecord as error:
        return Item(where, reason=str(error))
    return Item(where, replace(record, verdict=annotation.verdict, annotation=str(annotation.pk)))
