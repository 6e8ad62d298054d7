"""The dataset package: data files, source documents and a Frictionless ``datapackage.json``.

Layout (a folder, or the same entries in one zip file)::

    datapackage.json        Frictionless Data Package descriptor (see below)
    data/...                the exporter's data file(s)
    sources/<sha256>.<ext>  the exact bytes of every source the records come from
    sources/<sha256>.text   the decoded text, only when it is not simply the bytes
                            decoded with the source's encoding (some importers build it)

Each resource carries ``path``, ``format``, ``mediatype``, ``bytes`` and a
``sha256:`` ``hash``; the CSV carries its Table Schema. Custom properties hold the
filters, record counts, the ledger position the data reflects, the software
version and the export time (``created``), which is the only time anywhere in the
package: data files contain no export-time value, so the same database state and
filters give byte-identical data files. Zip entries carry a fixed timestamp for
the same reason.

Writing is atomic: everything is written under a temporary name next to the
destination and renamed into place only when complete. On any failure (full disk,
unwritable path, a database error, any exception) the temporary files are removed
and nothing is left under the final name.

A process killed outright (``kill -9``, out of memory, a power cut) cannot remove
them, so each temporary names its owner: ``.{name}.{pid}@{host}.{random}.partial``
(a folder, and while zipping a file). :func:`remove_abandoned_partials` removes
those whose process on this host no longer runs, or in which nothing has changed
for a long time; the export service calls it before every export.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import re
import shutil
import socket
import tempfile
import threading
import time
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson

from annotate.datasets.exporters.base import Counts, DataFile, Exporter, SegmentRecord

PROFILE = "data-package"
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,10}$")
PARTIAL_SUFFIX = ".partial"
# .{name}.{pid}@{host}.{random}.partial (tempfile's random part has no dots)
_OWNED_PARTIAL = re.compile(r"^\..+\.(?P<pid>[0-9]+)@(?P<host>[A-Za-z0-9-]*)\.[^.]+\.partial$")


class ExportError(Exception):
    """The package could not be written; the message says why, for people."""


DATA_CHANGED = "the data changed while it was being exported; run the export again"


@dataclass
class SourceFile:
    """One source document to copy into ``sources/``."""

    id: str
    sha256: str
    content: bytes
    media_type: str
    encoding: str
    filename: str
    text: str | None  # the decoded text when it differs from content.decode(encoding)
    metadata: dict[str, Any]  # restored by import_dataset: source fields and transcripts


@dataclass
class PackageResult:
    path: Path
    size: int
    sha256: str  # of the zip file, or of datapackage.json for a folder
    counts: Counts
    data_hashes: dict[str, str] = field(default_factory=dict)


@dataclass
class _SourcesWritten:
    count: int = 0
    bytes: int = 0  # of every file under sources/


@dataclass(frozen=True)
class EarlySources:
    """The sources of an export, known before its data is written.

    ``load()`` yields the documents of ``ids`` and is called, and consumed, on a
    thread of its own, so it must read on its own database connection (the same
    snapshot as the data: see :func:`annotate.datasets.reader.load_sources_in_snapshot`).
    """

    ids: list[str]
    load: Callable[[], Iterable[SourceFile]]

    class Unavailable(Exception):
        """Raised by ``load()`` before its first document when it cannot read (no
        database connection to spare): the sources are then copied after the data."""


class _HashingWriter:
    """A binary file wrapper that counts and hashes what goes through it."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.digest = hashlib.sha256()
        self.bytes = 0

    def write(self, data: bytes) -> int:
        self.raw.write(data)
        self.digest.update(data)
        self.bytes += len(data)
        return len(data)


class _FileWriter:
    """Write whole files on worker threads while the caller reads the next sources.

    Creating a file costs this kind of machine more kernel time than writing it
    (about half a millisecond each), so thousands of sources are written side by
    side with the database reads. At most ``max_bytes`` are waiting to be written.
    A write's error is raised by a later ``write`` or by ``close``.
    """

    def __init__(self, workers: int = 2, max_bytes: int = 32 << 20):
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="export-sources")
        self._waiting: deque[tuple[Future, int]] = deque()
        self._waiting_bytes = 0
        self._max_bytes = max_bytes

    def write(self, path: Path, data: bytes) -> None:
        self._waiting.append((self._pool.submit(path.write_bytes, data), len(data)))
        self._waiting_bytes += len(data)
        while self._waiting_bytes > self._max_bytes:
            self._wait_oldest()

    def _wait_oldest(self) -> None:
        future, size = self._waiting.popleft()
        self._waiting_bytes -= size
        future.result()

    def finish(self) -> None:
        """Wait for every write; raise the first error."""
        while self._waiting:
            self._wait_oldest()

    def __enter__(self) -> _FileWriter:
        return self

    def __exit__(self, *exc_info) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def software_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("claimtrail")
    except PackageNotFoundError:
        import tomllib

        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        try:
            return tomllib.loads(pyproject.read_text())["project"]["version"]
        except (OSError, KeyError, ValueError):
            return "unknown"


def _source_suffix(source: SourceFile) -> str:
    suffix = Path(source.filename).suffix.lower()
    return suffix if _SAFE_SUFFIX.match(suffix) else ".txt"


def _collect_sources(records: Iterable[SegmentRecord], seen: set[str]) -> Iterator[SegmentRecord]:
    for record in records:
        seen.add(record["source_id"])
        yield record


# ---------------------------------------------------------------- who owns a temporary


def this_worker() -> str:
    """``host:pid`` of this process, as an export it runs records it (``Export.worker``)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def worker_is_gone(worker: str) -> bool:
    """True when ``worker`` (``host:pid``) is a process on this host that no longer runs.

    A worker on another host, or one not named, is never known to be gone: only
    its heartbeat can tell (see :func:`annotate.datasets.service.exports_sweep`).
    """
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return not _process_runs(int(pid))


def _process_runs(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)  # signal 0: checks that the process exists, sends nothing
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def _host_tag(host: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]", "-", host)[:63]


def _partial_prefix(out: Path) -> str:
    return f".{out.name}.{os.getpid()}@{_host_tag(socket.gethostname())}."


def remove_abandoned_partials(folder: Path, *, stale_seconds: float) -> list[Path]:
    """Remove the temporaries that writers killed outright left in ``folder``; return them.

    A temporary (see the module docstring) is abandoned when its owner is a process
    on this host that no longer runs, or when nothing in it has changed for
    ``stale_seconds`` (its owner on another host, or unnamed, from an older version).
    A missing or unreadable ``folder`` has nothing to remove.
    """
    try:
        entries = [
            entry
            for entry in os.scandir(folder)
            if entry.name.startswith(".") and entry.name.endswith(PARTIAL_SUFFIX)
        ]
    except OSError:
        return []
    removed = []
    for entry in entries:
        if _abandoned(entry, stale_seconds) and _remove(Path(entry.path)):
            removed.append(Path(entry.path))
    return removed


def _abandoned(entry: os.DirEntry, stale_seconds: float) -> bool:
    owner = _OWNED_PARTIAL.match(entry.name)
    if owner and owner["host"] == _host_tag(socket.gethostname()):
        if not _process_runs(int(owner["pid"])):
            return True
    try:
        changed = _last_change(entry)
    except OSError:
        return False  # removed meanwhile, or not ours to read
    return time.time() - changed > stale_seconds


def _last_change(entry: os.DirEntry) -> float:
    """The newest modification time of ``entry`` and, for a folder, of everything in it."""
    latest = entry.stat(follow_symlinks=False).st_mtime
    if entry.is_dir(follow_symlinks=False):
        for root, dirs, files in os.walk(entry.path):
            for name in (*dirs, *files):
                latest = max(latest, os.lstat(os.path.join(root, name)).st_mtime)
    return latest


def _remove(path: Path) -> bool:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        return False  # another sweep was first
    except OSError:
        return False  # not ours to remove; left for someone who may
    return True


# ---------------------------------------------------------------- writing a package


def check_destination(out: Path) -> None:
    """Refuse a destination that cannot be written before any work is done."""
    parent = out.parent
    if out.exists():
        raise ExportError(f"{out} already exists; choose another path or remove it first")
    if not parent.exists():
        raise ExportError(f"cannot write {out}: the folder {parent} does not exist")
    if not parent.is_dir():
        raise ExportError(f"cannot write {out}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write {out}: no permission to write in {parent}")


def write_package(
    *,
    exporter: Exporter,
    records: Iterable[SegmentRecord],
    out: Path,
    as_zip: bool,
    context: dict[str, Any],
    manifest: dict[str, Any],
    load_sources: Callable[[list[str]], Iterable[SourceFile]],
    early_sources: EarlySources | None = None,
    write_direct: Callable[[dict[str, IO[bytes]]], tuple[Counts, set[str]]] | None = None,
    now: datetime | None = None,
) -> PackageResult:
    """Stream ``records`` through ``exporter`` into a package at ``out``; return what was written.

    ``load_sources(ids)`` yields the source documents (one at a time) for the
    source ids seen in the records, after the data files are complete. With
    ``early_sources`` the sources are copied on another thread while the data is
    written instead, and must be exactly those the records name. An exporter with
    ``write_from_database`` (see :class:`.base.Exporter`) may read the data itself;
    ``records`` are then left unread.
    """
    out = Path(out)
    check_destination(out)
    workdir = None
    try:
        workdir = Path(
            tempfile.mkdtemp(prefix=_partial_prefix(out), suffix=PARTIAL_SUFFIX, dir=out.parent)
        )
        source_ids: set[str] = set()
        files = exporter.data_files(context.get("options", {}))

        def write_data():
            return _write_data(exporter, files, records, source_ids, workdir, context, write_direct)

        with tempfile.SpooledTemporaryFile(max_size=1 << 20) as spool:
            if early_sources is None:
                counts, resources, data_hashes = write_data()
                sources = _write_sources(load_sources(sorted(source_ids)), workdir, spool)
            else:
                (counts, resources, data_hashes), sources = _write_alongside(
                    write_data, early_sources, workdir, spool
                )
                if sources is None:  # no connection for the copy: copy after the data
                    shutil.rmtree(workdir / "sources")
                    sources = _write_sources(load_sources(sorted(source_ids)), workdir, spool)
                if source_ids != set(early_sources.ids):
                    raise ExportError(DATA_CHANGED)
            descriptor = _descriptor(exporter, resources, counts, sources, manifest, now)
            manifest_digest, manifest_size = _write_manifest(workdir, descriptor, spool)
        if as_zip:
            size, digest = _zip_into_place(workdir, [r["path"] for r in resources], out)
        else:
            os.rename(workdir, out)
            workdir = None
            size = sum(r["bytes"] for r in resources) + sources.bytes + manifest_size
            digest = manifest_digest
        return PackageResult(
            path=out,
            size=size,
            sha256=digest,
            counts=counts,
            data_hashes=data_hashes,
        )
    except OSError as error:
        reason = error.strerror or str(error)
        raise ExportError(f"could not write the export to {out}: {reason}") from error
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)


def _write_alongside(write_data: Callable[[], Any], early: EarlySources, workdir: Path, spool):
    """``write_data()`` here while the early sources are copied on a thread; both results
    (the copy's is None when it was :class:`EarlySources.Unavailable`).

    If writing the data fails, the copy stops after the document in hand.
    """
    stop = threading.Event()

    def copy() -> _SourcesWritten:
        with contextlib.closing(early.load()) as documents:
            wanted = itertools.takewhile(lambda _: not stop.is_set(), documents)
            return _write_sources(wanted, workdir, spool)

    with ThreadPoolExecutor(1, thread_name_prefix="export-sources") as pool:
        copying = pool.submit(copy)
        try:
            written = write_data()
        except BaseException:
            stop.set()
            raise
        try:
            return written, copying.result()
        except EarlySources.Unavailable:
            return written, None


def _write_data(
    exporter, files: list[DataFile], records, source_ids: set[str], workdir: Path, context, direct
):
    (workdir / "data").mkdir()
    handles: dict[str, Any] = {}
    writers: dict[str, _HashingWriter] = {}
    try:
        for data_file in files:
            handle = open(workdir / data_file.path, "wb", buffering=1 << 20)  # noqa: SIM115
            handles[data_file.name] = handle
            writers[data_file.name] = _HashingWriter(handle)
        # A fast path that reads the data itself (JSONL on PostgreSQL) writes instead;
        # the records are then never iterated, so none of their queries run.
        if direct is None:
            counts = exporter.write(_collect_sources(records, source_ids), writers, context=context)
        else:
            counts, seen = direct(writers)
            source_ids.update(seen)
        for handle in handles.values():
            handle.flush()
            os.fsync(handle.fileno())
    finally:
        for handle in handles.values():
            # On success everything is flushed already; on failure the first error is
            # the one to report, and every handle must still be closed.
            with contextlib.suppress(OSError):
                handle.close()
    resources = []
    data_hashes = {}
    for data_file in files:
        writer = writers[data_file.name]
        digest = writer.digest.hexdigest()
        data_hashes[data_file.path] = digest
        resource: dict[str, Any] = {
            "name": data_file.name,
            "path": data_file.path,
            "format": data_file.format,
            "mediatype": data_file.mediatype,
            "encoding": "utf-8",
            "bytes": writer.bytes,
            "hash": f"sha256:{digest}",
        }
        if data_file.description:
            resource["description"] = data_file.description
        if data_file.schema is not None:
            resource["profile"] = "tabular-data-resource"
            resource["type"] = "table"
            resource["schema"] = data_file.schema
            resource["dialect"] = {"delimiter": ",", "lineTerminator": "\r\n", "header": True}
        else:
            resource["type"] = "file"
        resources.append(resource)
    return counts, resources, data_hashes


def _write_sources(sources: Iterable[SourceFile], workdir: Path, spool) -> _SourcesWritten:
    """Copy each source into ``sources/`` and spool its manifest entries (not kept in memory)."""
    folder = workdir / "sources"
    folder.mkdir()
    with _FileWriter() as writer:
        written = _copy_sources(sources, workdir, spool, writer)
        writer.finish()
    return written


def _copy_sources(sources: Iterable[SourceFile], workdir: Path, spool, writer) -> _SourcesWritten:
    written = _SourcesWritten()
    for source in sources:
        digest = hashlib.sha256(source.content).hexdigest()
        if digest != source.sha256:
            raise ExportError(
                f"source {source.id} does not match its recorded SHA-256; the archive "
                "may be damaged, so nothing was exported"
            )
        path = f"sources/{source.sha256}{_source_suffix(source)}"
        writer.write(workdir / path, source.content)
        written.bytes += len(source.content)
        metadata = dict(source.metadata)
        entries = []
        if source.text is not None:
            text_bytes = source.text.encode("utf-8")
            text_path = f"sources/{source.sha256}.text"
            writer.write(workdir / text_path, text_bytes)
            written.bytes += len(text_bytes)
            metadata["text_path"] = text_path
            metadata["text_sha256"] = hashlib.sha256(text_bytes).hexdigest()
        entries.append(
            {
                "name": f"source-{source.sha256}",
                "type": "file",
                "path": path,
                "format": _source_suffix(source).lstrip("."),
                "mediatype": source.media_type,
                "encoding": source.encoding,
                "bytes": len(source.content),
                "hash": f"sha256:{digest}",
                "claimtrail_source": metadata,
            }
        )
        if source.text is not None:
            entries.append(
                {
                    "name": f"source-{source.sha256}-text",
                    "type": "file",
                    "path": metadata["text_path"],
                    "format": "txt",
                    "mediatype": "text/plain",
                    "encoding": "utf-8",
                    "bytes": len(text_bytes),
                    "hash": f"sha256:{metadata['text_sha256']}",
                    "description": "The decoded text the segments' offsets refer to.",
                }
            )
        for entry in entries:
            # orjson's two-space indent is json.dumps(indent=2, ensure_ascii=False)'s
            # text (see base.pretty), several times faster: this runs once per source.
            text = orjson.dumps(entry, option=orjson.OPT_INDENT_2).decode()
            spool.write((",\n" if spool.tell() else "").encode())
            spool.write(_indent(text, 4).encode("utf-8"))
        written.count += 1
    return written


def _indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(pad + line for line in text.split("\n"))


# Stands in the manifest's resource list for the spooled source entries.
_SOURCES_PLACEHOLDER = "\u0000claimtrail-sources\u0000"


def _write_manifest(workdir: Path, descriptor: dict[str, Any], spool) -> tuple[str, int]:
    """Write datapackage.json, streaming the spooled source entries into its resources."""
    text = json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
    marker = "    " + json.dumps(_SOURCES_PLACEHOLDER)
    head, tail = text.split(marker)
    with open(workdir / "datapackage.json", "wb") as handle:
        writer = _HashingWriter(handle)
        if spool.tell():
            writer.write(head.encode("utf-8"))
            spool.seek(0)
            while chunk := spool.read(1 << 16):
                writer.write(chunk)
        else:
            writer.write(head[: -len(",\n")].encode("utf-8"))
        writer.write(tail.encode("utf-8"))
    return writer.digest.hexdigest(), writer.bytes


def _descriptor(exporter, resources, counts: Counts, sources, manifest: dict[str, Any], now):
    created = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    return {
        "profile": PROFILE,
        "name": f"claimtrail-{exporter.name}-export",
        "title": f"Claimtrail dataset export ({exporter.name})",
        "description": exporter.description,
        "created": created,
        "resources": [*resources, _SOURCES_PLACEHOLDER],
        "counts": {**counts.as_dict(), "sources": sources.count},
        "software": {"name": "claimtrail", "version": software_version()},
        **manifest,
    }


def _zip_into_place(workdir: Path, data_paths: list[str], out: Path) -> tuple[int, str]:
    """Zip the finished folder to a temporary file next to ``out``, then rename it."""
    handle, temp_name = tempfile.mkstemp(
        prefix=_partial_prefix(out), suffix=PARTIAL_SUFFIX, dir=out.parent
    )
    os.close(handle)
    temp = Path(temp_name)
    try:
        sources = sorted(f"sources/{name}" for name in os.listdir(workdir / "sources"))
        entries = ["datapackage.json", *data_paths, *sources]
        with zipfile.ZipFile(
            temp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6
        ) as archive:
            for entry in entries:
                info = zipfile.ZipInfo(entry, date_time=ZIP_TIMESTAMP)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                with (
                    open(workdir / entry, "rb") as source,
                    archive.open(info, "w", force_zip64=True) as target,
                ):
                    shutil.copyfileobj(source, target, 1 << 20)
        digest = hashlib.sha256()
        with open(temp, "rb") as written:
            while chunk := written.read(1 << 20):
                digest.update(chunk)
        size = temp.stat().st_size
        os.replace(temp, out)
        return size, digest.hexdigest()
    finally:
        temp.unlink(missing_ok=True)
