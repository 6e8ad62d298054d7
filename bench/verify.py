"""Verify benchmark: how long `verify_ledger` takes on 1,000,000 ledger events.

On PostgreSQL (database ``claimtrail_bench_verify``, emptied first): appends
``--events`` events (default 1,000,000) shaped like annotation events (a state of
about 600 bytes, 4 events per object, objects interleaved as concurrent annotators
write them) through ``archive.ledger`` itself, 1,000 per transaction, each batch
crossing a seal (signed, witnessed); imports ``--segments`` segments (default
100,000) through the real import service; then runs ``manage.py verify_ledger``
(every event's hash, every scope's links, every seal and its signature, the witness,
every source, transcript and segment against its import) and reports its wall time,
CPU and peak memory. Prints a Markdown table for bench/RESULTS.md.

    python bench/verify.py                  # 1,000,000 events, 100,000 segments
    python bench/verify.py --quick          # 50,000 events, 10,000 segments
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_URL = "postgres://claimtrail:claimtrail@127.0.0.1:5432/claimtrail_bench_verify"
BATCH = 1000  # events per transaction (one seal each)
CALL = 50  # events per service call (what one ledger write carries)


def configure(database_url: str, witness: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "workbench.settings.local"
    os.environ["DEBUG"] = "0"
    os.environ["CLAIMTRAIL_LEDGER_WITNESS"] = str(witness)
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "b" * 40)


def reset() -> None:
    """Empty the bench database (benchmark-only: TRUNCATE as the owner)."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE archive_ledgerevent, archive_ledgerseal, archive_segment,"
            " archive_transcript, archive_source CASCADE"
        )


def append_events(total: int) -> float:
    from django.db import transaction

    from archive import ledger

    @ledger.atomic
    def call(first: int) -> None:
        for n in range(first, first + CALL):
            obj = n // 4 + (n % 4) * 997  # four events per object, interleaved
            ledger.append(
                actor=None,
                action="annotation.edit",
                object_type="annotate.annotation",
                object_id=f"{obj:032x}",
                state={
                    "id": f"{obj:032x}",
                    "quote": "the unemployment rate fell to 4.2 percent last month " * 2,
                    "claim_text": "Unemployment fell to 4.2% in the month before the election.",
                    "verdict": "mostly-true",
                    "status": "draft",
                    "version": n % 4 + 1,
                    "segment": f"{n:032x}",
                    "start": 10,
                    "end": 62,
                },
                changes={"verdict": ["", "mostly-true"]},
            )

    started = time.perf_counter()
    for first in range(0, total, BATCH):
        with transaction.atomic():
            for start in range(first, first + BATCH, CALL):
                call(start)
        ledger.seal()
    return time.perf_counter() - started


def import_segments(total: int) -> float:
    from archive.services import source_import

    started = time.perf_counter()
    per_file = 1000
    for f in range(max(total // per_file, 1)):
        lines = [f"Live Report: bench hearing {f}, 14 October 2025", ""]
        for i in range(per_file):
            lines += [
                f"{10 + i // 60 % 14:02d}{i % 60:02d}: Ebbridge: Speaker {i % 7}, Councillor",
                "",
                f"Statement {f}-{i}: the figure is {i * 7 % 100}.{i % 10} percent of the budget.",
                "",
            ]
        source_import(data="\n".join(lines).encode(), filename=f"bench-{f}.txt")
    return time.perf_counter() - started


def run_verify() -> dict:
    """``manage.py verify_ledger`` in a process of its own, timed with its rusage."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", "verify_ledger"], cwd=REPO, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"verify_ledger failed:\n{result.stderr}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "out": result.stdout.strip(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.events, args.segments = 50_000, 10_000
    witness = Path(tempfile.mkdtemp(prefix="claimtrail-bench-")) / "witness.jsonl"
    configure(args.database_url, witness)
    import django

    django.setup()
    from archive import ledger

    reset()
    appended = append_events(args.events)
    imported = import_segments(args.segments)
    events = ledger.count()
    verified = run_verify()
    print(verified["out"])
    print()
    print(
        "| events | segments | append s | import s | verify_ledger s | CPU s | peak RSS MB | events/s verified |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {events:,} | {args.segments:,} | {appended:.1f} | {imported:.1f} |"
        f" {verified['wall']:.1f} | {verified['cpu']:.1f} | {verified['peak_mb']:.0f} |"
        f" {events / verified['wall']:,.0f} |"
    )


if __name__ == "__main__":
    main()
