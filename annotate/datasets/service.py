"""The export service: validate a request, stream the records into a dataset package, record it.

``export_dataset`` runs one export now (the command, small admin/API exports, the
worker task); ``export_request`` records a request and either runs it inline or
queues it for the worker when it is larger than
``settings.CLAIMTRAIL_EXPORT_INLINE_MAX_SEGMENTS``.

Reading is chunked end to end (:mod:`annotate.datasets.reader`): database cursors
feed the exporter one chunk at a time, so memory does not grow with the export.
On PostgreSQL the whole read happens in one REPEATABLE READ snapshot, so the data
and the ledger position in the manifest describe the same instant. Writing goes
to a temporary name next to the destination, renamed into place only when
complete (:mod:`annotate.datasets.exporters.package`). Every finished export is one
``dataset.export`` ledger event, and every failed one a ``dataset.export_failed``
event with the reason.

A running export records the process running it (``Export.worker``, host:pid) and
beats a heartbeat (``Export.heartbeat_at``) every
``CLAIMTRAIL_EXPORT_HEARTBEAT_SECONDS`` from a thread of its own. Before every
export, :func:`exports_sweep` fails the running exports whose process is gone (on
this host, its pid no longer runs) or silent (no heartbeat for
``CLAIMTRAIL_EXPORT_STALE_SECONDS``), and removes the temporaries killed writers
left next to their destinations.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from annotate import integrity, workflow
from annotate.actions import AnnotateAction
from annotate.datasets import exporters
from annotate.datasets.exporters.package import (
    EarlySources,
    ExportError,
    PackageResult,
    remove_abandoned_partials,
    this_worker,
    worker_is_gone,
    write_package,
)
from annotate.datasets.reader import (
    CHUNK_SIZE,
    iter_segment_records,
    load_sources,
    load_sources_in_snapshot,
    matching_annotations,
    segments_in_scope,
    shareable_snapshot,
    sources_in_scope,
)
from annotate.fast import jsonl as fast_jsonl
from annotate.models import (
    VERDICT_RATINGS,
    ClaimType,
    Export,
    ExportStatus,
    Status,
    Verdict,
)
from annotate.records import iso_date
from annotate.workflow import Action
from archive import ledger
from archive.models import Transcript
from common.errors import DomainError, InvalidInput, NotAllowed, NotConfigured
from common.roles import roles_of

UNITS = ("segment", "annotation")

logger = logging.getLogger(__name__)

__all__ = [
    "ExportError",
    "ExportFilters",
    "export_dataset",
    "export_request",
    "export_run",
    "exports_sweep",
    "iter_segment_records",
    "matching_annotations",
    "parse_request",
    "publication",
    "segments_in_scope",
]


# ---------------------------------------------------------------- the request


@dataclass(frozen=True)
class ExportFilters:
    """Which annotations (and so which segments) an export covers."""

    status: tuple[str, ...] = ()
    verdict: tuple[str, ...] = ()
    claim_type: tuple[str, ...] = ()
    transcript: tuple[str, ...] = ()
    date_from: date | None = None  # annotation last changed on or after (UTC date)
    date_to: date | None = None  # annotation last changed on or before (UTC date)
    approved_only: bool = False

    @property
    def filters_annotations(self) -> bool:
        return bool(
            self.status
            or self.verdict
            or self.claim_type
            or self.date_from
            or self.date_to
            or self.approved_only
        )

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["date_from"] = iso_date(self.date_from)
        values["date_to"] = iso_date(self.date_to)
        for key in ("status", "verdict", "claim_type", "transcript"):
            values[key] = list(values[key])
        return values


@dataclass(frozen=True)
class ExportRequest:
    format: str
    filters: ExportFilters
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def exporter(self):
        return exporters.get(self.format)

    @property
    def annotation_unit(self) -> bool:
        return self.exporter.annotation_unit or self.options.get("unit") == "annotation"


def _values(raw: Any) -> tuple[str, ...]:
    """A filter value as a tuple of strings: accepts None, "a", "a,b" or ["a", "b"]."""
    if raw in (None, "", [], ()):
        return ()
    items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
    return tuple(sorted({str(item).strip() for item in items if str(item).strip()}))


def _bool(raw: Any, name: str) -> bool | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise InvalidInput(
        f"{name} must be true or false, got {raw!r}", fields={name: ["not a boolean"]}
    )


def _date_value(raw: Any, name: str) -> date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise InvalidInput(
            f"{name} must be a date as YYYY-MM-DD, got {raw!r}", fields={name: ["not a date"]}
        ) from None


def _check_choices(values: tuple[str, ...], allowed, name: str) -> None:
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise InvalidInput(
            f"unknown {name} {', '.join(map(repr, unknown))}; use one of: {', '.join(allowed)}",
            fields={name: ["unknown value"]},
        )


def parse_request(
    format: str, filters: Mapping[str, Any] | None = None, options: Mapping[str, Any] | None = None
) -> ExportRequest:
    """Validate a request; raise InvalidInput with one clear message when it cannot run.

    ``filters`` keys: status, verdict, claim_type, transcript (lists or comma-separated),
    date_from, date_to (YYYY-MM-DD), approved_only (default true for claimreview).
    ``options``: unit ("segment" or "annotation", jsonl only), zip (bool).
    """
    try:
        exporter = exporters.get(format)
    except exporters.UnknownFormat as error:
        raise InvalidInput(str(error), fields={"format": ["unknown format"]}) from None
    raw = dict(filters or {})
    unknown = set(raw) - {f.name for f in ExportFilters.__dataclass_fields__.values()}
    if unknown:
        raise InvalidInput(f"unknown filter(s): {', '.join(sorted(unknown))}")
    status = _values(raw.get("status"))
    verdict = _values(raw.get("verdict"))
    claim_type = _values(raw.get("claim_type"))
    transcript = _values(raw.get("transcript"))
    _check_choices(status, Status.values, "status")
    _check_choices(verdict, Verdict.values, "verdict")
    if claim_type:
        known = set(ClaimType.objects.filter(slug__in=claim_type).values_list("slug", flat=True))
        missing = sorted(set(claim_type) - known)
        if missing:
            raise InvalidInput(
                f"unknown claim type(s): {', '.join(missing)}", fields={"claim_type": ["unknown"]}
            )
    transcript = _transcripts(transcript)
    date_from = _date_value(raw.get("date_from"), "date_from")
    date_to = _date_value(raw.get("date_to"), "date_to")
    if date_from and date_to and date_from > date_to:
        raise InvalidInput(
            f"the date range is empty: date_from {date_from} is after date_to {date_to}",
            fields={"date_from": ["after date_to"]},
        )
    explicit = _bool(raw.get("approved_only"), "approved_only")
    approved_only = exporter.default_approved_only if explicit is None else explicit
    if approved_only and status and set(status) != {Status.APPROVED}:
        others = ", ".join(s for s in status if s != Status.APPROVED)
        hint = (
            f" ({format} exports approved annotations only unless approved_only is false)"
            if explicit is None
            else ""
        )
        raise InvalidInput(
            f"contradictory filters: approved only, but status asks for {others}{hint}",
            fields={"status": ["contradicts approved_only"]},
        )
    if exporter.rated_only and verdict and not set(verdict) & {v.value for v in VERDICT_RATINGS}:
        raise InvalidInput(
            f"contradictory filters: {format} needs a rated verdict (true to false), "
            f"but verdict asks only for {', '.join(verdict)}",
            fields={"verdict": ["no rated verdict"]},
        )
    publication(exporter)  # a format published under a newsroom's name needs its settings
    return ExportRequest(
        format=format,
        filters=ExportFilters(
            status=status,
            verdict=verdict,
            claim_type=claim_type,
            transcript=transcript,
            date_from=date_from,
            date_to=date_to,
            approved_only=approved_only,
        ),
        options=_options(format, options or {}),
    )


# What a format published under a newsroom's name (exporter.needs_publisher) needs:
# (key, the environment variable that sets it, required).
_PUBLICATION_SETTINGS = (
    ("name", "CLAIMTRAIL_PUBLISHER_NAME", True),
    ("url", "CLAIMTRAIL_PUBLISHER_URL", True),
    ("logo", "CLAIMTRAIL_PUBLISHER_LOGO", False),
    ("public_base_url", "CLAIMTRAIL_PUBLIC_BASE_URL", True),
)
_web_url = URLValidator(schemes=["http", "https"])


def publication(exporter) -> dict[str, Any]:
    """The ``publisher`` and ``public_base_url`` of a format published under a newsroom's
    name (ClaimReview), from the settings; an empty dict for the other formats.

    Raises NotConfigured, naming each setting that is missing or not an http(s) URL:
    what a newsroom publishes as itself is never made up (README, "Settings").
    """
    if not exporter.needs_publisher:
        return {}
    publisher = dict(settings.CLAIMTRAIL_PUBLISHER)
    values = {
        "name": str(publisher.get("name") or "").strip(),
        "url": str(publisher.get("url") or "").strip(),
        "logo": str(publisher.get("logo") or "").strip(),
        "public_base_url": str(settings.CLAIMTRAIL_PUBLIC_BASE_URL or "").strip(),
    }
    missing = [
        name for key, name, required in _PUBLICATION_SETTINGS if required and not values[key]
    ]
    not_urls = [
        name
        for key, name, _ in _PUBLICATION_SETTINGS
        if key != "name" and values[key] and not _is_web_url(values[key])
    ]
    problems = [f"set {', '.join(missing)}"] if missing else []
    if not_urls:
        problems.append(f"make {', '.join(not_urls)} an http(s) URL")
    if problems:
        message = (
            f"cannot export {exporter.name}: it names the newsroom that publishes it and links "
            "each fact-check at its public address, and these are not configured: "
            f"{'; '.join(problems)} (README, Settings)"
        )
        raise NotConfigured(message, fields={"format": [message]})
    return {
        "publisher": {key: values[key] for key in ("name", "url", "logo")},
        "public_base_url": values["public_base_url"],
    }


def _is_web_url(value: str) -> bool:
    try:
        _web_url(value)
    except ValidationError:
        return False
    return True


def _transcripts(values: tuple[str, ...]) -> tuple[str, ...]:
    ids = []
    for value in values:
        try:
            ids.append(str(uuid.UUID(value)))
        except ValueError:
            raise InvalidInput(
                f"transcript must be a transcript id (UUID), got {value!r}",
                fields={"transcript": ["not a UUID"]},
            ) from None
    found = {str(pk) for pk in Transcript.objects.filter(pk__in=ids).values_list("pk", flat=True)}
    missing = sorted(set(ids) - found)
    if missing:
        raise InvalidInput(
            f"no such transcript: {', '.join(missing)}", fields={"transcript": ["not found"]}
        )
    return tuple(sorted(ids))


def _options(format: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(raw) - {"unit", "zip"}
    if unknown:
        raise InvalidInput(f"unknown option(s): {', '.join(sorted(unknown))}")
    options: dict[str, Any] = {}
    unit = raw.get("unit") or "segment"
    if unit not in UNITS:
        raise InvalidInput(f"unit must be segment or annotation, got {unit!r}")
    if unit != "segment":
        if format != "jsonl":
            raise InvalidInput(f"unit applies to the jsonl format only, not {format}")
        options["unit"] = unit
    options["zip"] = bool(_bool(raw.get("zip"), "zip"))
    return options


# ---------------------------------------------------------------- running an export


@contextmanager
def _snapshot():
    """On PostgreSQL, read the whole export from one REPEATABLE READ snapshot.

    The data and the ledger position in the manifest then describe the same
    instant, however long the export takes. Inside an outer transaction (tests)
    or on SQLite the reads run as they are.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _context(request: ExportRequest, base_url: str | None) -> dict[str, Any]:
    return {
        "base_url": (
            base_url or getattr(settings, "CLAIMTRAIL_BASE_URL", "") or "http://localhost:8000"
        ),
        **publication(request.exporter),
        "options": request.options,
        "title": f"Claimtrail {request.format} export",
    }


def segment_count(request: ExportRequest) -> int:
    """How many segments the export will read (for progress bars and inline vs worker)."""
    return segments_in_scope(request).count()


def export_dataset(
    *,
    actor,
    format: str,
    filters: Mapping[str, Any] | None = None,
    options: Mapping[str, Any] | None = None,
    out: str | Path,
    reason: str = "",
    base_url: str | None = None,
    chunk_size: int = CHUNK_SIZE,
    on_progress: Callable[[int], None] | None = None,
) -> Export:
    """Run one export now and write its package to ``out`` (a folder, or a zip file).

    Raises InvalidInput for a bad request (nothing is recorded) and ExportError
    when the package cannot be written (the Export is recorded as failed, and no
    file is left under ``out``).
    """
    request = parse_request(format, filters, options)
    if str(out).endswith(".zip"):
        request.options["zip"] = True
    exports_sweep(folders=[Path(out).parent])
    now = timezone.now()
    export = Export.objects.create(
        status=ExportStatus.RUNNING,
        format=request.format,
        options=request.options,
        filters=request.filters.as_dict(),
        requested_by=actor if getattr(actor, "pk", None) else None,
        started_at=now,
        worker=this_worker(),
        heartbeat_at=now,
    )
    with _alive(export, actor=actor):
        _run(
            export,
            request,
            Path(out),
            actor=actor,
            reason=reason,
            base_url=base_url,
            chunk_size=chunk_size,
            on_progress=on_progress,
        )
    return export


def _run(export, request, out, *, actor, reason, base_url, chunk_size, on_progress) -> None:
    try:
        ledger.seal()  # what the export reflects is then sealed (but for appends meanwhile)
        # A package must never contradict its own source bytes.
        integrity.refuse_tampered_evidence(sources_in_scope(request))
        with _snapshot():
            position = ledger.head()
            snapshot = shareable_snapshot()  # other connections may read alongside
            records = iter_segment_records(
                request, ledger_sequence=position[0], chunk_size=chunk_size, on_chunk=on_progress
            )
            result = write_package(
                exporter=request.exporter,
                records=records,
                out=out,
                as_zip=request.options.get("zip", False),
                context={
                    **_context(request, base_url),
                    "on_progress": on_progress,
                    "snapshot": snapshot,
                },
                load_sources=load_sources,
                early_sources=_early_sources(request, snapshot),
                write_direct=fast_jsonl.direct_writer(
                    request, on_progress=on_progress, snapshot=snapshot
                ),
                manifest={
                    "id": str(export.pk),
                    "format": request.format,
                    "options": request.options,
                    "filters": request.filters.as_dict(),
                    "ledger": {"sequence": position[0], "hash": position[1]},
                    "claim_types": list(
                        ClaimType.objects.order_by("slug").values(
                            "slug", "name", "description", "checkable"
                        )
                    ),
                },
            )
    except ExportError as error:
        _fail(export, str(error), actor=actor)
        raise
    _finish(export, result, position, actor=actor, reason=reason)


def _early_sources(request: ExportRequest, snapshot: str | None) -> EarlySources | None:
    """With the export's own ``snapshot``, its sources, to copy on another connection
    while the data is written (on SQLite, or inside a wider transaction: None, after it)."""
    if snapshot is None:
        return None
    ids = sources_in_scope(request)
    return EarlySources(ids=ids, load=lambda: load_sources_in_snapshot(snapshot, ids))


@ledger.atomic
def _fail(export: Export, message: str, *, actor=None, reason: str = "") -> None:
    """Record ``export`` as failed with ``message``, and the failure on the ledger."""
    finished_at = timezone.now()
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.FAILED, error=message, finished_at=finished_at
    )
    export.status, export.error, export.finished_at = ExportStatus.FAILED, message, finished_at
    ledger.append(
        actor=actor,
        action=AnnotateAction.DATASET_EXPORT_FAILED,
        obj=export,
        state={
            "format": export.format,
            "options": export.options,
            "filters": export.filters,
            "error": message,
            "worker": export.worker,
        },
        reason=reason or message,
    )


# ---------------------------------------------------------------- liveness and the sweep


@contextmanager
def _alive(export: Export, *, actor=None):
    """Beat ``export``'s heartbeat while the block runs; fail it if the block raises.

    The beats come from a thread with its own database connection (the export's
    reads may be a read-only snapshot, which must not write). An ExportError is
    recorded by ``_run`` already; any other exception is recorded here, so no export
    stays running in a process that lives on.
    """
    stop = threading.Event()
    beater = threading.Thread(
        target=_beat_until, args=(stop, export.pk, export.worker), daemon=True,
        name=f"export-heartbeat-{export.pk}",
    )  # fmt: skip
    beater.start()
    try:
        yield
    except ExportError:
        raise
    except BaseException as error:
        _fail_after_error(export, error, actor=actor)
        raise
    finally:
        stop.set()
        beater.join()


def _beat_until(stop: threading.Event, export_id, worker: str) -> None:
    try:
        while not stop.wait(settings.CLAIMTRAIL_EXPORT_HEARTBEAT_SECONDS):
            export_heartbeat(export_id=export_id, worker=worker)
    finally:
        connections.close_all()  # this thread's own connections


def export_heartbeat(*, export_id, worker: str) -> bool:
    """Record a sign of life from ``worker`` for the running export ``export_id``.

    Returns whether it was recorded: not when the export is no longer running, has
    another worker, or the database could not be written (a missed beat is not fatal:
    the next one may pass, and only ``CLAIMTRAIL_EXPORT_STALE_SECONDS`` without any
    makes the export look dead).
    """
    try:
        return bool(
            Export.objects.filter(pk=export_id, status=ExportStatus.RUNNING, worker=worker).update(
                heartbeat_at=timezone.now()
            )
        )
    except DatabaseError as error:
        logger.warning("export %s: heartbeat not recorded: %s", export_id, error)
        return False


def _fail_after_error(export: Export, error: BaseException, *, actor) -> None:
    kind = type(error).__name__
    message = f"the export stopped with an error ({kind}: {error})" if str(error) else kind
    try:
        _fail(export, message, actor=actor)
    except DatabaseError:
        # The database itself failed (or the caller's transaction is broken): the
        # export stays running here, and the next sweep fails it once it is stale.
        logger.exception("export %s: could not record the failure", export.pk)


@dataclass
class SweepResult:
    failed: list[str] = field(default_factory=list)  # ids of the exports marked failed
    removed: list[Path] = field(default_factory=list)  # temporaries removed


def exports_sweep(*, folders: Iterable[Path] = ()) -> SweepResult:
    """Fail the running exports whose process died and remove abandoned temporaries.

    An export is dead when its worker is a process on this host that no longer runs,
    or when its last heartbeat (or start) is older than
    ``CLAIMTRAIL_EXPORT_STALE_SECONDS``; each is marked failed with the reason, a
    ``dataset.export_failed`` ledger event. Temporaries of killed writers are removed
    from ``folders`` and ``CLAIMTRAIL_EXPORT_DIR`` (see
    :func:`annotate.datasets.exporters.package.remove_abandoned_partials`). Every export, the
    worker's tasks and ``manage.py sweep_exports`` call this first.
    """
    result = SweepResult()
    running = Export.objects.filter(status=ExportStatus.RUNNING).values_list("pk", flat=True)
    for export_id in running:
        if _fail_if_dead(export_id=export_id):
            result.failed.append(str(export_id))
    stale = settings.CLAIMTRAIL_EXPORT_STALE_SECONDS
    for folder in dict.fromkeys([*map(Path, folders), Path(settings.CLAIMTRAIL_EXPORT_DIR)]):
        result.removed.extend(remove_abandoned_partials(folder, stale_seconds=stale))
    return result


@ledger.atomic
def _fail_if_dead(*, export_id) -> bool:
    export = Export.objects.select_for_update().filter(pk=export_id).first()
    if export is None or export.status != ExportStatus.RUNNING:
        return False  # finished, or swept by someone else, meanwhile
    why = _why_dead(export)
    if why is None:
        return False
    _fail(export, f"the export stopped: {why}; run it again", reason=why)
    return True


def _why_dead(export: Export) -> str | None:
    """Why the running ``export`` is dead, or None while it may still be alive."""
    if export.worker and worker_is_gone(export.worker):
        return f"its process {export.worker} is no longer running"
    stale = timedelta(seconds=settings.CLAIMTRAIL_EXPORT_STALE_SECONDS)
    last = export.heartbeat_at or export.started_at or export.requested_at
    if last is not None and timezone.now() - last > stale:
        worker = export.worker or "its process"
        return (
            f"no sign of life from {worker} since {last:%Y-%m-%d %H:%M:%S} UTC"
            f" (more than {settings.CLAIMTRAIL_EXPORT_STALE_SECONDS} seconds)"
        )
    return None


_FINISHED_FIELDS = (
    "status", "path", "size", "sha256", "counts", "ledger_sequence", "ledger_hash",
    "finished_at", "error",
)  # fmt: skip


@transaction.atomic
def _finish(export: Export, result: PackageResult, position, *, actor, reason: str) -> None:
    export.status = ExportStatus.DONE
    export.path = str(result.path)
    export.size = result.size
    export.sha256 = result.sha256
    export.counts = result.counts.as_dict()
    export.ledger_sequence, export.ledger_hash = position
    export.finished_at = timezone.now()
    export.error = ""
    # Not heartbeat_at: the beats since the start are newer than this copy's.
    export.save(update_fields=[*_FINISHED_FIELDS])
    ledger.append(
        actor=actor,
        action=AnnotateAction.DATASET_EXPORT,
        obj=export,
        state={
            "format": export.format,
            "options": export.options,
            "filters": export.filters,
            "counts": export.counts,
            "ledger_sequence": export.ledger_sequence,
            "ledger_hash": export.ledger_hash,
            "sha256": export.sha256,
            "size": export.size,
            "data": result.data_hashes,
        },
        reason=reason,
    )


# ---------------------------------------------------------------- requests from the admin and API


def _require_editor(actor) -> None:
    if (
        actor is None
        or not getattr(actor, "is_active", False)
        or not workflow.may(Action.EXPORT, roles_of(actor))
    ):
        raise NotAllowed("only an editor may export datasets")


def export_path(export: Export) -> Path:
    suffix = ".zip" if export.options.get("zip") else ""
    return Path(settings.CLAIMTRAIL_EXPORT_DIR) / f"{export.format}-{export.pk}{suffix}"


# The worker's task, by the path its queued rows store. Named, not imported: the task
# module is the shell that calls this one (annotate.tasks imports export_run).
RUN_EXPORT_TASK = "annotate.tasks.run_export"


def export_request(
    *,
    actor,
    format: str,
    filters: Mapping[str, Any] | None = None,
    options: Mapping[str, Any] | None = None,
    reason: str = "",
    base_url: str | None = None,
) -> Export:
    """Record an export request by an editor; run it now if small, else queue it.

    Packages requested this way are zip files under ``CLAIMTRAIL_EXPORT_DIR``.
    Larger than ``CLAIMTRAIL_EXPORT_INLINE_MAX_SEGMENTS`` segments, the export is
    queued for the worker (``manage.py db_worker``) once the request commits.
    """
    _require_editor(actor)
    request = parse_request(format, filters, {**(options or {}), "zip": True})
    export = Export.objects.create(
        status=ExportStatus.QUEUED,
        format=request.format,
        options={**request.options, "base_url": base_url or ""},
        filters=request.filters.as_dict(),
        requested_by=actor,
    )
    if segment_count(request) > settings.CLAIMTRAIL_EXPORT_INLINE_MAX_SEGMENTS:
        run_export = import_string(RUN_EXPORT_TASK)
        transaction.on_commit(lambda: run_export.enqueue(str(export.pk)))
        return export
    export_run(export.pk, reason=reason)
    export.refresh_from_db()
    return export


def export_run(export_id, *, reason: str = "") -> Export:
    """Run a recorded export (the worker task and inline requests call this).

    A failure is recorded on the Export (status failed, error) rather than raised,
    so the worker keeps going and the requester can read why.
    """
    exports_sweep()
    export = Export.objects.select_related("requested_by").get(pk=export_id)
    if export.status not in (ExportStatus.QUEUED, ExportStatus.FAILED):
        return export
    options = dict(export.options)
    base_url = options.pop("base_url", "") or None
    try:
        request = parse_request(export.format, export.filters, options)
    except DomainError as error:  # invalid, or no longer configured (claimreview)
        _fail(export, error.message, actor=export.requested_by)
        return export
    now = timezone.now()
    export.status, export.started_at = ExportStatus.RUNNING, now
    export.worker, export.heartbeat_at = this_worker(), now
    Export.objects.filter(pk=export.pk).update(
        status=export.status, started_at=now, worker=export.worker, heartbeat_at=now
    )
    out = export_path(export)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        _fail(
            export,
            f"cannot create the export folder {out.parent}: {error.strerror or error}",
            actor=export.requested_by,
        )
        return export
    try:
        with _alive(export, actor=export.requested_by):
            _run(
                export,
                request,
                out,
                actor=export.requested_by,
                reason=reason,
                base_url=base_url,
                chunk_size=CHUNK_SIZE,
                on_progress=None,
            )
    except ExportError:
        pass  # recorded on the export by _run
    return export


def summarise_counts(counts: Mapping[str, int]) -> str:
    """'12 segments, 3 annotations, ...' for messages."""
    return ", ".join(f"{value} {key}" for key, value in counts.items() if key != "records")
