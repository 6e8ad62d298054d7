"""Ingest benchmark (issue 2): ``import_transcript`` on SQLite and PostgreSQL vs a raw COPY.

Generates one liveblog document of N segments (``HHMM: Location: Speaker, role``
headers, one paragraph each, as in ../shared/seeds/), then, each in a fresh child
process running ``manage.py import_transcript``, imports it into

* a new SQLite file, and
* the PostgreSQL database ``claimtrail_bench_ingest`` (emptied first),

reporting segments per second (wall time of the whole command, Django start-up
included) and the child's peak RSS (``os.wait4``). In the same run it measures the
ceiling: the same source, transcript and segment rows (from the same parser)
written by this process with one plain ``COPY`` and committed, with no Django.
Targets: PostgreSQL import >= 1/3 of the COPY rate; 1,000,000 segments under
500 MB peak.

    .venv/bin/python bench/ingest.py                 # 1,000,000 segments
    .venv/bin/python bench/ingest.py --quick         # 2,000 segments, seconds
    .venv/bin/python bench/ingest.py --segments 200000 --skip-sqlite
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.datagen import LiveblogWriter  # noqa: E402

OUT = REPO / "bench" / "out"
DEFAULT_PG = "postgres://claimtrail:claimtrail@127.0.0.1:5432/claimtrail_bench_ingest"
TABLES = (
    "annotate_review, annotate_citation, annotate_annotation, archive_segment, "
    "archive_transcript, archive_source, archive_ledgerevent, archive_ledgerseal"
)
MEMORY_TARGET_MB = 500


@dataclass
class Run:
    label: str
    segments: int
    seconds: float
    peak_mb: float | None = None

    @property
    def rate(self) -> float:
        return self.segments / self.seconds if self.seconds else 0.0


def write_corpus(segments: int, seed: int) -> tuple[Path, int]:
    """Write a liveblog document with ``segments`` blocks; return its path and size."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"ingest_{segments}_{seed}.txt"
    # A run id in the title keeps the bytes (and so the sha256) new on every run, so the
    # importer never answers "already imported".
    title = f"Ingest benchmark hearing {segments} (run {uuid.uuid4().hex[:8]})"
    writer = LiveblogWriter(seed, sentences=(1, 1))
    text, blocks = writer.document(title, segments)
    data = text.encode("utf-8")
    path.write_bytes(data)
    return path, len(data)


def child_env(database_url: str, size: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="workbench.settings.local",
        DEBUG="0",  # production-like: no query log kept in memory
        SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-only-not-secret-" + "b" * 40,
        CLAIMTRAIL_IMPORT_MAX_BYTES=str(max(size + 1, 20 * 1024 * 1024)),
        PYTHONUNBUFFERED="1",
    )
    return env


# Linux keeps a process's ru_maxrss across fork and exec, so a child spawned by this
# (large) process would report this process's high-water mark as its own peak. The
# command therefore runs as the grandchild of a small launcher, which reports the
# grandchild's ru_maxrss (KiB) on a marked last line of stderr.
_PEAK_MARK = "bench-ingest-peak-kib="
_LAUNCHER = (
    "import os, sys\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    os.execv(sys.argv[1], sys.argv[1:])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    f"print('{_PEAK_MARK}%d' % usage.ru_maxrss, file=sys.stderr)\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``manage.py args`` and return (seconds, peak RSS in MB, output); exit on failure."""
    command = [sys.executable, "-c", _LAUNCHER, sys.executable, str(REPO / "manage.py"), *args]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output = process.stdout.read().decode("utf-8", "replace")
    _, status, _ = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    output, _, peak = (
        output.rstrip().rpartition(_PEAK_MARK) if _PEAK_MARK in output else (output, "", "0")
    )
    if process.returncode != 0:
        sys.exit(f"error: {' '.join(args[:1])} failed ({process.returncode}):\n{output.strip()}")
    return seconds, int(peak) / 1024, output  # ru_maxrss is in KiB on Linux


def import_into(label: str, database_url: str, path: Path, size: int, segments: int) -> Run:
    env = child_env(database_url, size)
    run_child(["migrate", "--noinput", "-v0"], env)
    seconds, peak, output = run_child(["import_transcript", "--format", "liveblog", str(path)], env)
    if f"{segments} segments" not in output:
        sys.exit(f"error: {label} import did not report {segments} segments:\n{output.strip()}")
    return Run(label, segments, seconds, peak)


def parse_rows(path: Path):
    """Decode and parse with the real importer; return (data, text, document, seconds)."""
    from archive.importers import registry
    from archive.importers.decoding import decode

    data = path.read_bytes()
    started = time.perf_counter()
    text = decode(data, max_bytes=len(data) + 1)
    document = registry.parse(text, format="liveblog", filename=path.name)
    return data, text, document, time.perf_counter() - started


def truncate(database_url: str) -> None:
    import psycopg

    with psycopg.connect(database_url) as conn:
        conn.execute(f"TRUNCATE {TABLES} CASCADE")


def copy_ceiling(database_url: str, path: Path, data: bytes, text: str, document) -> Run:
    """The same rows the importer writes, with one COPY per table and one commit."""
    import hashlib

    import psycopg

    source_id, transcript_id = uuid.uuid4(), uuid.uuid4()
    rows = [
        (
            uuid.uuid4(),
            transcript_id,
            ordinal,
            s.clock,
            s.clock_normalised,
            s.location,
            s.speaker,
            s.speaker_role,
            text[s.start : s.end],
            s.start,
            s.end,
        )
        for ordinal, s in enumerate(document.segments, start=1)
    ]
    truncate(database_url)
    with psycopg.connect(database_url) as conn:
        started = time.perf_counter()
        with conn.cursor() as cursor:
            cursor.execute(
                "INSERT INTO archive_source (id, title, filename, origin_url, media_type, "
                "encoding, imported_at, importer, sha256, size, content, text) "
                "VALUES (%s, %s, %s, '', 'text/plain', 'utf-8', now(), 'copy-ceiling', %s, %s, "
                "%s, %s)",
                (
                    source_id,
                    document.title,
                    path.name,
                    hashlib.sha256(data).hexdigest(),
                    len(data),
                    data,
                    text,
                ),
            )
            cursor.execute(
                "INSERT INTO archive_transcript (id, source_id, title, format, segment_count, "
                "created_at) VALUES (%s, %s, %s, 'liveblog', %s, now())",
                (transcript_id, source_id, document.title, len(rows)),
            )
            with cursor.copy(
                "COPY archive_segment (id, transcript_id, ordinal, clock, clock_normalised, "
                "location, speaker, speaker_role, text, source_start, source_end) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
        conn.commit()
        seconds = time.perf_counter() - started
    truncate(database_url)
    return Run("PostgreSQL raw COPY (ceiling)", len(rows), seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="2,000 segments (a smoke run)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_INGEST_URL", DEFAULT_PG))
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args(argv)
    segments = 2_000 if args.quick else args.segments
    if segments < 1:
        parser.error("--segments must be at least 1")

    started = time.perf_counter()
    path, size = write_corpus(segments, args.seed)
    print(
        f"corpus: {segments:,} liveblog segments, {size / 1e6:.1f} MB "
        f"({size / segments:.0f} bytes/segment), written in {time.perf_counter() - started:.1f} s"
    )
    data, text, document, parse_seconds = parse_rows(path)
    if len(document.segments) != segments:
        sys.exit(f"error: the liveblog importer found {len(document.segments)} segments")
    print(f"decode + parse alone (in this process): {parse_seconds:.2f} s")

    runs: list[Run] = []
    if not args.skip_sqlite:
        sqlite = OUT / "ingest.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite}{suffix}").unlink(missing_ok=True)
        runs.append(
            import_into("SQLite import_transcript", f"sqlite:///{sqlite}", path, size, segments)
        )
    if not args.skip_postgres:
        env = child_env(args.postgres_url, size)
        run_child(["migrate", "--noinput", "-v0"], env)
        ceiling = copy_ceiling(args.postgres_url, path, data, text, document)
        del data, text, document
        truncate(args.postgres_url)
        runs.append(
            import_into("PostgreSQL import_transcript", args.postgres_url, path, size, segments)
        )
        runs.append(ceiling)

    print()
    print("| run | segments | seconds | segments/s | peak RSS (child) |")
    print("|---|---:|---:|---:|---:|")
    for run in runs:
        peak = f"{run.peak_mb:,.0f} MB" if run.peak_mb is not None else "n/a (in process)"
        print(f"| {run.label} | {run.segments:,} | {run.seconds:.2f} | {run.rate:,.0f} | {peak} |")
    by_label = {run.label: run for run in runs}
    pg = by_label.get("PostgreSQL import_transcript")
    ceiling = by_label.get("PostgreSQL raw COPY (ceiling)")
    print()
    if pg and ceiling:
        share = pg.rate / ceiling.rate
        verdict = "met" if share >= 1 / 3 else "NOT met"
        print(f"PostgreSQL import / COPY rate: {share:.2f} (target >= 0.33: {verdict})")
    for run in runs:
        if run.peak_mb is not None:
            verdict = "met" if run.peak_mb < MEMORY_TARGET_MB else "NOT met"
            scale = "" if segments == 1_000_000 else f" (at {segments:,} segments)"
            print(
                f"{run.label} peak memory {run.peak_mb:,.0f} MB{scale}: target < 500 MB {verdict}"
            )
    path.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
