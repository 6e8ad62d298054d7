"""Restore a JSONL dataset package into the database: ``manage.py import_dataset PACKAGE``.

The package (a folder or a zip file written by ``export_dataset --format jsonl``)
is checked first: the manifest must describe a one-segment-a-line JSONL export, and
every file it lists must have exactly the bytes and SHA-256 the manifest says.
Anything else is refused before a single row is stored.

Then, in one transaction, the sources (their exact bytes), transcripts, segments,
annotations, citations and reviews are inserted with the UUIDs, statuses, versions
and times they had, users missing from this database are created inactive (with
no usable password) so authorship survives, and the ledger records one
``source.restore`` event per source, one ``annotation.restore`` per annotation
and a final ``dataset.import``. Restoring is insert-only: a package whose records
already exist here is refused, and nothing is half-stored.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import zip_longest
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction

from annotate import records
from annotate.actions import AnnotateAction
from annotate.models import Annotation, Citation, ClaimType, Review, Stance, Status, Verdict
from annotate.models import Decision as ReviewDecision
from archive import ledger
from archive import signals as archive_signals
from archive.actions import ArchiveAction
from archive.models import Segment, Source, Transcript
from common import jsondepth
from common.errors import InvalidInput

BATCH = 2000


class PackageRefused(InvalidInput):
    """The package is not one we can restore; nothing was stored."""


@dataclass
class RestoreResult:
    sources: int = 0
    transcripts: int = 0
    segments: int = 0
    annotations: int = 0
    citations: int = 0
    reviews: int = 0
    users_created: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sources": self.sources,
            "transcripts": self.transcripts,
            "segments": self.segments,
            "annotations": self.annotations,
            "citations": self.citations,
            "reviews": self.reviews,
            "users_created": self.users_created,
        }


# ---------------------------------------------------------------- reading a package


class Package:
    """Read access to the entries of a package folder or zip file, by manifest path."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._zip: zipfile.ZipFile | None = None
        if not self.path.exists():
            raise PackageRefused(f"{self.path} does not exist")
        if self.path.is_file():
            try:
                self._zip = zipfile.ZipFile(self.path)
            except zipfile.BadZipFile:
                raise PackageRefused(
                    f"{self.path} is neither a package folder nor a zip file"
                ) from None
        try:
            with self.open("datapackage.json") as handle:
                self.manifest = jsondepth.loads(handle.read().decode("utf-8"))
        except (KeyError, FileNotFoundError):
            raise PackageRefused(f"{self.path} has no datapackage.json") from None
        except (UnicodeDecodeError, json.JSONDecodeError, jsondepth.TooDeep) as error:
            raise PackageRefused(f"datapackage.json is not valid JSON: {error}") from None
        if not isinstance(self.manifest, dict):
            raise PackageRefused("datapackage.json is not a JSON object")

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def open(self, name: str) -> IO[bytes]:
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts or not name:
            raise PackageRefused(f"the manifest names a path outside the package: {name!r}")
        if self._zip is not None:
            return self._zip.open(name)
        return open(self.path / pure, "rb")  # noqa: SIM115

    def read(self, name: str) -> bytes:
        with self.open(name) as handle:
            return handle.read()

    def lines(self, name: str) -> Iterator[dict[str, Any]]:
        with self.open(name) as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    record = jsondepth.loads(line)
                except jsondepth.TooDeep as error:
                    raise PackageRefused(f"{name} line {number}: {error}") from None
                except (UnicodeDecodeError, json.JSONDecodeError):
                    raise PackageRefused(f"{name} line {number} is not valid JSON") from None
                yield record


@contextmanager
def open_package(path: Path) -> Iterator[Package]:
    package = Package(path)
    try:
        yield package
    finally:
        package.close()


def resource(manifest: dict[str, Any], name: str) -> dict[str, Any]:
    for entry in manifest.get("resources") or []:
        if isinstance(entry, dict) and entry.get("name") == name:
            return entry
    raise PackageRefused(f"the manifest lists no {name!r} resource")


def verify(package: Package) -> None:
    """Refuse the package unless it is a JSONL segment export whose files match their hashes."""
    manifest = package.manifest
    if manifest.get("format") != "jsonl" or (manifest.get("options") or {}).get("unit") not in (
        None,
        "segment",
    ):
        raise PackageRefused(
            "only a jsonl package with one segment a line can be imported "
            f"(this one is {manifest.get('format')!r})"
        )
    resources = manifest.get("resources")
    if not isinstance(resources, list) or not resources:
        raise PackageRefused("the manifest lists no resources")
    resource(manifest, "segments")
    resource(manifest, "restore")
    for entry in resources:
        path, expected = entry.get("path"), str(entry.get("hash", ""))
        if not isinstance(path, str) or not expected.startswith("sha256:"):
            raise PackageRefused(f"resource {entry.get('name')!r} has no path or sha256 hash")
        digest, size = hashlib.sha256(), 0
        try:
            with package.open(path) as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
                    size += len(chunk)
        except (KeyError, FileNotFoundError):
            raise PackageRefused(f"{path} is listed in the manifest but missing") from None
        if digest.hexdigest() != expected.removeprefix("sha256:") or size != entry.get("bytes"):
            raise PackageRefused(
                f"{path} does not match its manifest (sha256 {digest.hexdigest()}, {size} bytes; "
                f"expected {expected.removeprefix('sha256:')}, {entry.get('bytes')} bytes); "
                "the package was changed or damaged, so nothing was imported"
            )


# ---------------------------------------------------------------- restoring


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class _Users:
    """Username -> user, creating missing users inactive with no usable password."""

    def __init__(self):
        self.model = get_user_model()
        self.cache: dict[str, Any] = {}
        self.created: list[str] = []

    def get(self, username: str | None):
        if not username or username == "system":
            return None
        if username not in self.cache:
            field = self.model.USERNAME_FIELD
            user = self.model.objects.filter(**{field: username}).first()
            if user is None:
                user = self.model(**{field: username}, is_active=False)
                user.set_unusable_password()
                user.save()
                self.created.append(username)
            self.cache[username] = user
        return self.cache[username]

    def id(self, username: str | None):
        user = self.get(username)
        return user.pk if user is not None else None


def _insert_raw(obj: models.Model) -> None:
    """Insert one row exactly as given: auto_now_add times keep the restored values."""
    models.Model.save_base(obj, raw=True, force_insert=True)


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise PackageRefused(message)


def dataset_import(
    *,
    path: str | Path,
    actor=None,
    reason: str = "",
    on_progress: Callable[[int], None] | None = None,
) -> RestoreResult:
    """Restore a JSONL dataset package; raise PackageRefused (nothing stored) when it cannot."""
    with open_package(Path(path)) as package:
        verify(package)
        try:
            return _restore(package, actor=actor, reason=reason, on_progress=on_progress)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise PackageRefused(
                f"the package's records are malformed ({type(error).__name__}: {error}), "
                "so nothing was imported"
            ) from None
        except IntegrityError as error:
            raise PackageRefused(
                "this database already holds some of the package's records (or the package "
                f"breaks a database rule), so nothing was imported: {error}".strip()
            ) from None


@transaction.atomic
def _restore(package: Package, *, actor, reason: str, on_progress) -> RestoreResult:
    manifest = package.manifest
    result = RestoreResult()
    users = _Users()
    _claim_types(manifest.get("claim_types") or [], actor=actor, reason=reason)
    claim_types = dict(ClaimType.objects.values_list("slug", "id"))
    texts: dict[str, str] = {}
    transcript_source: dict[str, str] = {}
    for entry in manifest["resources"]:
        meta = entry.get("claimtrail_source")
        if not meta:
            continue
        text = _restore_source(package, entry, meta, users, actor, reason)
        texts[meta["id"]] = text
        result.sources += 1
        for transcript in meta.get("transcripts", []):
            _insert_raw(
                Transcript(
                    id=transcript["id"],
                    source_id=meta["id"],
                    title=transcript["title"],
                    event_date=_date(transcript["event_date"]),
                    format=transcript["format"],
                    segment_count=transcript["segment_count"],
                    # Packages written before revisions existed: first revisions.
                    revision=transcript.get("revision", 1),
                    revision_of_id=transcript.get("revision_of"),
                    created_at=_datetime(transcript["created_at"]),
                )
            )
            transcript_source[transcript["id"]] = meta["id"]
            result.transcripts += 1
    segments_path = resource(manifest, "segments")["path"]
    restore_path = resource(manifest, "restore")["path"]
    batch: list[tuple[dict, dict]] = []
    for line, extra in _zip_lines(package.lines(segments_path), package.lines(restore_path)):
        batch.append((line, extra))
        if len(batch) >= BATCH:
            _restore_batch(batch, texts, transcript_source, claim_types, users, result)
            if on_progress:
                on_progress(len(batch))
            batch = []
    if batch:
        _restore_batch(batch, texts, transcript_source, claim_types, users, result)
        if on_progress:
            on_progress(len(batch))
    _annotation_events(package, segments_path, restore_path, actor, reason)
    # A restored transcript is new here: the apps that derive rows from new evidence
    # (triage's scored sentences) get it as they get an import.
    for transcript in Transcript.objects.filter(pk__in=list(transcript_source)).order_by("pk"):
        archive_signals.transcript_imported.send(
            sender=Transcript, transcript=transcript, actor=actor, restored=True
        )
    result.users_created = users.created
    ledger.append(
        actor=actor,
        action=AnnotateAction.DATASET_IMPORT,
        object_type="annotate.export",
        object_id=str(manifest.get("id", "")),
        state={
            "counts": result.as_dict(),
            "ledger": manifest.get("ledger"),
            "path": str(package.path),
        },
        reason=reason,
    )
    return result


def _zip_lines(lines, extras) -> Iterator[tuple[dict, dict]]:
    for number, (line, extra) in enumerate(zip_longest(lines, extras), start=1):
        _check(
            isinstance(line, dict)
            and isinstance(extra, dict)
            and line.get("segment_id") == extra.get("segment_id"),
            f"segments.jsonl and restore.jsonl disagree at line {number}",
        )
        yield line, extra


def _claim_types(entries: list[dict[str, Any]], *, actor, reason: str) -> None:
    """Add the package's claim types this database lacks, each with its ledger event
    (existing ones are left as they are: the taxonomy here is the editors')."""
    known = set(ClaimType.objects.values_list("slug", flat=True))
    for entry in entries:
        if entry.get("slug") and entry["slug"] not in known:
            claim_type = ClaimType.objects.create(
                slug=entry["slug"],
                name=entry.get("name") or entry["slug"],
                description=entry.get("description") or "",
                checkable=bool(entry.get("checkable", True)),
            )
            known.add(claim_type.slug)
            ledger.append(
                actor=actor,
                action=AnnotateAction.CLAIMTYPE_RESTORE,
                obj=claim_type,
                state=records.claim_type_state(claim_type),
                reason=reason or "restored from a dataset package",
            )


def _restore_source(package, entry, meta, users, actor, reason) -> str:
    content = package.read(entry["path"])
    if meta.get("text_path"):
        text = package.read(meta["text_path"]).decode("utf-8")
    else:
        try:
            text = content.decode(meta["encoding"])
        except (LookupError, UnicodeDecodeError):
            raise PackageRefused(
                f"source {meta['id']} cannot be decoded as {meta['encoding']}"
            ) from None
    _check(
        hashlib.sha256(content).hexdigest() == meta["sha256"],
        f"source {meta['id']}: its bytes do not match its SHA-256",
    )
    _check(
        not Source.objects.filter(
            models.Q(pk=meta["id"]) | models.Q(sha256=meta["sha256"])
        ).exists(),
        f"source {meta['title']!r} ({meta['sha256'][:12]}…) is already in this database; "
        "import_dataset restores into a database that does not hold the package's records",
    )
    source = Source(
        id=meta["id"],
        title=meta["title"],
        filename=meta["filename"],
        origin_url=meta["origin_url"],
        media_type=meta["media_type"],
        encoding=meta["encoding"],
        retrieved_at=_datetime(meta["retrieved_at"]),
        imported_at=_datetime(meta["imported_at"]),
        imported_by=users.get(meta.get("imported_by")),
        importer=meta["importer"],
        sha256=meta["sha256"],
        size=len(content),
        content=content,
        text=text,
    )
    _insert_raw(source)
    ledger.append(
        actor=actor,
        action=ArchiveAction.SOURCE_RESTORE,
        obj=source,
        state={
            "sha256": source.sha256,
            "title": source.title,
            "filename": source.filename,
            "origin_url": source.origin_url,
            "importer": source.importer,
            "size": source.size,
            "transcripts": [t["id"] for t in meta.get("transcripts", [])],
        },
        reason=reason or "restored from a dataset package",
    )
    return text


def _restore_batch(batch, texts, transcript_source, claim_types, users, result) -> None:
    segments, annotations, citations, reviews = [], [], [], []
    for line, extra in batch:
        source_id = transcript_source.get(line["transcript_id"])
        _check(
            source_id is not None,
            f"segment {line['segment_id']}: its transcript is not in the package",
        )
        text = texts[source_id]
        start, end = line["source_start"], line["source_end"]
        _check(
            text[start:end] == line["text"],
            f"segment {line['segment_id']}: its text does not match its source at [{start}, {end})",
        )
        segments.append(
            Segment(
                id=line["segment_id"],
                transcript_id=line["transcript_id"],
                ordinal=line["ordinal"],
                clock=extra["clock"],
                clock_normalised=extra["clock_normalised"],
                location=line["location"],
                speaker=line["speaker"],
                speaker_role=line["speaker_role"],
                text=line["text"],
                source_start=start,
                source_end=end,
            )
        )
        _check(
            len(line["annotations"]) == len(extra["annotations"]),
            f"segment {line['segment_id']}: restore.jsonl lists other annotations",
        )
        for data, more in zip(line["annotations"], extra["annotations"], strict=True):
            annotation = _annotation(line, data, more, claim_types, users)
            annotations.append(annotation)
            _check(
                len(data["citations"]) == len(more["citations"]),
                f"annotation {data['id']}: restore.jsonl lists other citations",
            )
            for cited, ids in zip(data["citations"], more["citations"], strict=True):
                _check(cited["stance"] in Stance.values, f"citation {ids['id']}: unknown stance")
                record = {**ids, **cited}
                citations.append(
                    _instance(
                        Citation,
                        records.CITATION_RECORD,
                        record,
                        users=users,
                        annotation_id=data["id"],
                    )
                )
            for review in more["reviews"]:
                _check(
                    review["decision"] in ReviewDecision.values,
                    f"review {review['id']}: unknown decision",
                )
                reviews.append(
                    _instance(
                        Review,
                        records.REVIEW_RECORD,
                        review,
                        users=users,
                        annotation_id=data["id"],
                    )
                )
    Segment.objects.bulk_create(segments)
    _bulk_insert(Annotation, annotations, ["created_at", "updated_at"])
    _bulk_insert(Citation, citations, ["added_at"])
    _bulk_insert(Review, reviews, ["created_at"])
    result.segments += len(segments)
    result.annotations += len(annotations)
    result.citations += len(citations)
    result.reviews += len(reviews)


def _bulk_insert(model, objects: list, times: list[str]) -> None:
    """Insert, then put back the recorded times that auto_now/auto_now_add replaced."""
    if not objects:
        return
    recorded = [{name: getattr(obj, name) for name in times} for obj in objects]
    model.objects.bulk_create(objects)
    for obj, values in zip(objects, recorded, strict=True):
        for name, value in values.items():
            setattr(obj, name, value)
    model.objects.bulk_update(objects, times)


def _annotation(line, data, more, claim_types, users) -> Annotation:
    text = line["text"]
    start, end = data["start"], data["end"]
    _check(more["id"] == data["id"], f"annotation {data['id']}: restore.jsonl is out of step")
    _check(
        0 <= start < end <= len(text) and text[start:end] == data["quote"],
        f"annotation {data['id']}: its quote does not match the segment text at [{start}, {end})",
    )
    _check(data["status"] in Status.values, f"annotation {data['id']}: unknown status")
    _check(data["verdict"] in [*Verdict.values, ""], f"annotation {data['id']}: unknown verdict")
    _check(data["claim_type"] in claim_types, f"annotation {data['id']}: unknown claim type")
    return _instance(
        Annotation,
        records.ANNOTATION_RECORD,
        _annotation_record(line, data, more),
        claim_type_id=claim_types[data["claim_type"]],
        users=users,
    )


def _annotation_record(line, data, more) -> dict[str, Any]:
    """The export record of an annotation, from its line in segments.jsonl and in
    restore.jsonl. A key a package from before that key existed lacks takes the
    model's default (KeyError, a refused package, when the field has none)."""
    record = {**more, **data, "segment_id": line["segment_id"]}
    for key, path, _ in records.ANNOTATION_RECORD:
        if key not in record and "__" not in path:
            field = Annotation._meta.get_field(path)
            if field.has_default():
                record[key] = field.get_default()
    return record


def _instance(model, table, record: dict, *, users=None, **values) -> models.Model:
    """The ``model`` instance that ``record`` (one of annotate.records' tables) describes:
    the inverse of ``records.record_of``. ``values`` are set as they are; columns on a
    relation's field (the claim type's slug) are left to them."""
    for key, path, kind in table:
        if "__" in path:
            continue
        value = record[key]
        if kind == "user":
            values[f"{path}_id"] = users.id(value)
        elif kind == "datetime":
            values[path] = _datetime(value)
        elif kind == "date":
            values[path] = _date(value)
        else:
            values[path] = value
    return model(**values)


def _annotation_events(package, segments_path, restore_path, actor, reason) -> None:
    """One ledger event per restored annotation, so each has a history here."""
    for line, extra in zip(package.lines(segments_path), package.lines(restore_path), strict=False):
        for data, more in zip(line["annotations"], extra["annotations"], strict=True):
            ledger.append(
                actor=actor,
                action=AnnotateAction.ANNOTATION_RESTORE,
                object_type="annotate.annotation",
                object_id=data["id"],
                state={
                    **records.annotation_state_of_record(_annotation_record(line, data, more)),
                    "citations": [c["id"] for c in more["citations"]],
                    "reviews": [r["id"] for r in more["reviews"]],
                },
                reason=reason or "restored from a dataset package",
            )
