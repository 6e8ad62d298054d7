"""Crash debris: an export killed outright leaves nothing behind for long.

``kill -9`` gives a process no chance to clean up: its hidden ``.partial`` folder and
zip stay next to the destination and its ``Export`` row says ``running``. The next
export (or ``manage.py sweep_exports``, or the worker's next task) must notice that
the process is gone, remove its temporaries and mark the export failed, with the
reason on the ledger.

The killed export runs in a real ``manage.py export_dataset`` subprocess on the
test's own database (on SQLite the in-memory test database is copied to a file for
it and copied back afterwards).
"""

from __future__ import annotations

import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from annotate.datasets import service as exports
from annotate.datasets.exporters import package
from annotate.models import Export, ExportStatus
from archive import ledger
from tests.conftest import REPO
from tests.factories import make_transcript

WORDS = "budget roads bridge audit council percent million survey claim record".split()


def _big_liveblog(segments: int = 1500, words: int = 400) -> str:
    """A transcript of a few megabytes of varied words: zipping it takes a while."""
    rng = random.Random(12)
    blocks = ["Long hearing", ""]
    for index in range(segments):
        clock = f"{10 + index // 60 % 14:02d}{index % 60:02d}"
        text = " ".join(rng.choice(WORDS) + str(rng.randrange(1000)) for _ in range(words))
        blocks += [f"{clock}: Riverton: Speaker {index}", "", text + ".", ""]
    return "\n".join(blocks)


class SharedDatabase:
    """The test database, as a subprocess can reach it.

    PostgreSQL: the same database, by URL. SQLite: the test database is in memory, so
    :meth:`push` copies it to a file the subprocess opens and :meth:`pull` copies the
    file back (SQLite's online backup), after which the test reads what it wrote.
    """

    def __init__(self, folder: Path):
        settings_dict = connection.settings_dict
        self.file = None
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            self.file = folder / "shared.sqlite3"
            self.url = f"sqlite:///{self.file}"
        elif connection.vendor == "sqlite":
            self.url = f"sqlite:///{settings_dict['NAME']}"
        else:
            user = quote(settings_dict["USER"] or "", safe="")
            password = quote(settings_dict["PASSWORD"] or "", safe="")
            host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
            self.url = f"postgres://{user}:{password}@{host}:{port}/{settings_dict['NAME']}"

    def push(self) -> None:
        if self.file is not None:
            connection.ensure_connection()
            with sqlite3.connect(self.file) as target:
                connection.connection.backup(target)

    def pull(self) -> None:
        if self.file is not None:
            connection.ensure_connection()
            source = sqlite3.connect(self.file)
            try:
                source.backup(connection.connection)
            finally:
                source.close()


@pytest.fixture
def shared_db(reseeded, tmp_path):
    return SharedDatabase(tmp_path)


def _env(shared_db, export_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": shared_db.url,
        "DJANGO_SETTINGS_MODULE": "workbench.settings.test",
        "CLAIMTRAIL_EXPORT_DIR": str(export_dir),
    }


def _partials(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.endswith(".partial"))


def _kill_while_zipping(command: list[str], env: dict, folder: Path) -> int:
    """Start ``command`` and SIGKILL it as soon as its zip temporary appears; its pid.

    The export zips a few megabytes of sources, so the temporary zip exists for a
    good while; if the export ends first, the test says so instead of passing.
    """
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # On a busy machine the watcher must still get the CPU before the export ends.
        preexec_fn=lambda: os.nice(10),
    )
    try:
        while not any(p.is_file() for p in _partials(folder)):
            if process.poll() is not None:
                out, err = process.communicate()
                pytest.fail(f"the export ended before it was killed:\n{out.decode()}{err.decode()}")
            time.sleep(0.001)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.communicate()
    assert process.returncode == -signal.SIGKILL
    return process.pid


def test_a_killed_export_is_swept_by_the_next_one(shared_db, tmp_path):
    make_transcript(_big_liveblog(), filename="long.txt")
    export_dir = tmp_path / "export_dir"
    export_dir.mkdir()
    env = _env(shared_db, export_dir)
    shared_db.push()

    command = ["export_dataset", "--format", "jsonl", "--out", str(export_dir / "killed.zip")]
    pid = _kill_while_zipping(
        [sys.executable, "manage.py", *command, "--no-progress"], env, export_dir
    )

    debris = _partials(export_dir)
    assert {p.is_dir() for p in debris} == {True, False}  # the folder and the zip
    assert not (export_dir / "killed.zip").exists()
    shared_db.pull()
    killed = Export.objects.get(worker=f"{socket.gethostname()}:{pid}")
    assert killed.status == ExportStatus.RUNNING
    assert killed.heartbeat_at is not None

    after = subprocess.run(
        [sys.executable, "manage.py", "export_dataset", "--format", "csv", "--no-progress",
         "--out", str(export_dir / "next")],
        cwd=REPO, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert after.returncode == 0, after.stderr
    assert sorted(p.name for p in export_dir.iterdir()) == ["next"]  # no .partial left

    shared_db.pull()
    killed.refresh_from_db()
    assert killed.status == ExportStatus.FAILED
    assert f"its process {killed.worker} is no longer running" in killed.error
    event = ledger.history(killed).get(action="dataset.export_failed")
    assert event.reason == f"its process {killed.worker} is no longer running"
    assert event.state["error"] == killed.error
    assert Export.objects.get(path=str(export_dir / "next")).status == ExportStatus.DONE


def _running(**fields) -> Export:
    now = timezone.now()
    return Export.objects.create(
        status=ExportStatus.RUNNING, format="jsonl", started_at=now, heartbeat_at=now, **fields
    )


def _reaped_pid() -> int:
    """The pid of a process that has ended (and been reaped): no process has it now."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.mark.django_db
def test_a_live_export_and_other_hosts_fresh_ones_are_left_alone(tmp_path):
    mine = _running(worker=package.this_worker())
    elsewhere = _running(worker=f"another-host.example:{_reaped_pid()}")
    dead = _running(worker=f"{socket.gethostname()}:{_reaped_pid()}")
    result = exports.exports_sweep(folders=[tmp_path])
    assert str(dead.pk) in result.failed
    assert str(mine.pk) not in result.failed and str(elsewhere.pk) not in result.failed
    statuses = dict(Export.objects.values_list("pk", "status"))
    assert statuses[mine.pk] == statuses[elsewhere.pk] == ExportStatus.RUNNING
    assert statuses[dead.pk] == ExportStatus.FAILED


@pytest.mark.django_db
def test_a_silent_export_is_failed_once_its_heartbeat_is_stale(settings):
    settings.CLAIMTRAIL_EXPORT_STALE_SECONDS = 600
    silent = _running(worker="another-host.example:4242")
    Export.objects.filter(pk=silent.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    fresh = _running(worker="another-host.example:4343")
    failed = exports.exports_sweep().failed
    assert str(silent.pk) in failed and str(fresh.pk) not in failed
    silent.refresh_from_db()
    assert silent.status == ExportStatus.FAILED
    assert "no sign of life from another-host.example:4242" in silent.error
    assert ledger.history(silent).get().action == "dataset.export_failed"
    fresh.refresh_from_db()
    assert fresh.status == ExportStatus.RUNNING


@pytest.mark.django_db
def test_a_heartbeat_keeps_a_running_export_fresh_and_never_revives_a_failed_one():
    export = _running(worker=package.this_worker())
    Export.objects.filter(pk=export.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert exports.export_heartbeat(export_id=export.pk, worker=package.this_worker())
    export.refresh_from_db()
    assert timezone.now() - export.heartbeat_at < timedelta(minutes=1)
    assert not exports.export_heartbeat(export_id=export.pk, worker="another-host.example:1")
    Export.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED)
    assert not exports.export_heartbeat(export_id=export.pk, worker=package.this_worker())


def test_only_temporaries_whose_owner_is_gone_or_silent_are_removed(tmp_path):
    host = socket.gethostname().replace(".", "-")
    gone = tmp_path / f".out.zip.{_reaped_pid()}@{host}.abcd1234.partial"
    gone.mkdir()
    (gone / "data").mkdir()
    (gone / "data" / "segments.jsonl").write_text("{}\n")
    gone_zip = tmp_path / f".out.zip.{_reaped_pid()}@{host}.efgh5678.partial"
    gone_zip.write_bytes(b"PK")
    live = tmp_path / f".out.zip.{os.getpid()}@{host}.ijkl9012.partial"
    live.mkdir()
    old_unowned = tmp_path / ".legacy.zip.mnop3456.partial"
    old_unowned.write_bytes(b"PK")
    an_hour_ago = time.time() - 3600
    os.utime(old_unowned, (an_hour_ago, an_hour_ago))
    fresh_elsewhere = tmp_path / ".out.zip.77@another-host.qrst7890.partial"
    fresh_elsewhere.mkdir()
    finished = tmp_path / "finished.zip"
    finished.write_bytes(b"PK")

    removed = package.remove_abandoned_partials(tmp_path, stale_seconds=600)

    assert sorted(removed) == sorted([gone, gone_zip, old_unowned])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [live.name, fresh_elsewhere.name, finished.name]
    )


@pytest.mark.django_db
@pytest.mark.parametrize("as_zip", [False, True])
def test_any_exception_while_writing_leaves_no_temporary(transcript, tmp_path, monkeypatch, as_zip):
    """Not only OSError: an error in the middle of the data (here from the exporter)."""
    from annotate.datasets.exporters.jsonl import JsonlExporter
    from annotate.fast import jsonl as fast_jsonl

    def broken(self, segments, outs, *, context):
        next(iter(segments))
        raise RuntimeError("the exporter broke")

    monkeypatch.setattr(JsonlExporter, "write", broken)
    monkeypatch.setattr(fast_jsonl, "database_applies", lambda options: False)
    with pytest.raises(RuntimeError, match="the exporter broke"):
        exports.export_dataset(
            actor=None, format="jsonl", out=tmp_path / ("x.zip" if as_zip else "x")
        )
    assert list(tmp_path.iterdir()) == []
    export = Export.objects.get()
    assert export.status == ExportStatus.FAILED
    assert "RuntimeError: the exporter broke" in export.error
    assert ledger.history(export).get().action == "dataset.export_failed"


@pytest.mark.django_db
def test_sweep_exports_command_reports_what_it_swept(tmp_path, settings, capsys):
    from django.core.management import call_command

    settings.CLAIMTRAIL_EXPORT_DIR = tmp_path
    dead = _running(worker=f"{socket.gethostname()}:{_reaped_pid()}")
    debris = tmp_path / f".x.zip.{_reaped_pid()}@{socket.gethostname().replace('.', '-')}.a.partial"
    debris.write_bytes(b"PK")
    call_command("sweep_exports")
    out = capsys.readouterr().out
    assert f"marked failed: export {dead.pk}" in out and f"removed {debris}" in out
    assert "swept: 1 exports failed, 1 temporaries removed" in out
    assert not debris.exists()
