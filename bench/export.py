"""Export benchmark: time and peak RSS of every export format at two sizes, on PostgreSQL.

For each size (the full size and one tenth of it) the script fills the benchmark
database with ``bench/datagen.py`` (bulk rows, no per-row ledger events), then runs
each format's export in a fresh child process, so each peak RSS is that export's
own (``ru_maxrss`` of the child). It prints a table and, with ``--record``,
rewrites its own section of ``bench/RESULTS.md``.

    make bench-export                          # 1,000,000 segments / 200,000 annotations, and 1/10
    BENCH_ARGS=--quick make bench-export       # 100,000 / 20,000, and 1/10
    .venv/bin/python bench/export.py --sizes tenth --formats jsonl

Targets (issue 6): JSONL at least 50,000 segments/s, peak RSS under 200 MB at both
sizes. The database is ``claimtrail_bench_export`` unless ``DATABASE_URL`` says
otherwise; it is emptied and refilled (never point it at real data).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_DB = "postgres://claimtrail:claimtrail@127.0.0.1:5432/claimtrail_bench_export"
FORMATS = ("jsonl", "csv", "webannotation", "claimreview", "prov")
RESULTS = REPO / "bench" / "RESULTS.md"
SECTION_START = "<!-- bench-export:start -->"
SECTION_END = "<!-- bench-export:end -->"
JSONL_TARGET = 50_000
RSS_TARGET_MB = 200


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", DEFAULT_DB)
    env["DJANGO_SETTINGS_MODULE"] = "workbench.settings.local"
    env["DEBUG"] = "0"  # no query log: it would grow with the export
    env.setdefault("SECRET_KEY", "bench-only-not-secret-" + "e" * 40)
    # ClaimReview is refused without its publisher (DEBUG is off, so no demo values).
    env.setdefault("CLAIMTRAIL_PUBLISHER_NAME", "Claimtrail bench newsroom")
    env.setdefault("CLAIMTRAIL_PUBLISHER_URL", "https://bench-newsroom.example.org/")
    env.setdefault("CLAIMTRAIL_PUBLIC_BASE_URL", "https://bench-newsroom.example.org/fact-checks/")
    return env


def _setup() -> None:
    os.environ.update(_environment())
    import django

    django.setup()


def child(format: str, out: str) -> None:
    """Run one export and print its figures as JSON (called in a fresh process)."""
    _setup()
    from django.db import connection

    from annotate.datasets.service import export_dataset
    from bench.procstat import server_cpu_seconds

    db_before = server_cpu_seconds(connection)

    # approved_only=False so every format reads the same annotations (claimreview:
    # all rated verdicts); the default approved-only claimreview is smaller.
    filters = {"approved_only": False} if format == "claimreview" else {}
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    export = export_dataset(actor=None, format=format, filters=filters, out=out, reason="bench")
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    db_after = server_cpu_seconds(connection)
    db_cpu = round(db_after - db_before, 2) if db_before is not None and db_after else None
    peak_kb = after.ru_maxrss
    print(
        json.dumps(
            {
                "format": format,
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu, 2),
                "db_cpu_seconds": db_cpu,
                "segments": export.counts["segments"],
                "annotations": export.counts["annotations"],
                "bytes": export.size,
                "peak_rss_mb": round(peak_kb / 1024, 1),
            }
        )
    )


def fill(segments: int, annotations: int, keep: bool = False) -> dict:
    _setup()
    from annotate.models import Annotation
    from archive.models import Segment
    from bench import datagen

    if keep and (Segment.objects.count(), Annotation.objects.count()) == (segments, annotations):
        return {"seconds": 0, "kept": True, "segments": segments, "annotations": annotations}
    datagen.reset(force=True)
    started = time.perf_counter()
    summary = datagen.generate(segments, annotations, seed=6)
    return {"seconds": round(time.perf_counter() - started, 1), **summary}


def run_size(
    label: str, segments: int, annotations: int, formats, workdir: Path, keep: bool = False
) -> list[dict]:
    env = _environment()
    print(f"\n== {label}: {segments:,} segments, {annotations:,} annotations", flush=True)
    filled = subprocess.run(
        [
            sys.executable,
            __file__,
            "--fill",
            str(segments),
            str(annotations),
            *(["--keep-data"] if keep else []),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    print("data generated:", filled.stdout.strip().splitlines()[-1], flush=True)
    rows = []
    for format in formats:
        out = workdir / f"{label.replace('/', '-')}-{format}"
        done = subprocess.run(
            [sys.executable, __file__, "--child", format, str(out)],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            sys.exit(f"{format} export failed:\n{done.stderr}")
        row = json.loads(done.stdout.strip().splitlines()[-1])
        row["size"] = label
        row["segments_per_s"] = round(row["segments"] / row["seconds"]) if row["seconds"] else 0
        row["annotations_per_s"] = (
            round(row["annotations"] / row["seconds"]) if row["seconds"] else 0
        )
        rows.append(row)
        print(
            f"{format:14} {row['seconds']:8.1f} s ({row['cpu_seconds']:.1f} s CPU, "
            f"database {row.get('db_cpu_seconds') or 0:.1f} s CPU) "
            f"{row['segments_per_s']:9,} seg/s "
            f"{row['annotations']:9,} ann  peak RSS {row['peak_rss_mb']:6.1f} MB  "
            f"{row['bytes'] / 1e6:8.1f} MB written",
            flush=True,
        )
        shutil.rmtree(out, ignore_errors=True)
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| size | format | segments | annotations | time (s) | export CPU (s) "
        "| database CPU (s) | segments/s | annotations/s | peak RSS (MB) | package (MB) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['size']} | {r['format']} | {r['segments']:,} | {r['annotations']:,} | "
            f"{r['seconds']:.1f} | {r.get('cpu_seconds', 0):.1f} | "
            f"{r.get('db_cpu_seconds') or 0:.1f} | {r['segments_per_s']:,} | "
            f"{r.get('annotations_per_s', 0):,} | {r['peak_rss_mb']:.1f} | {r['bytes'] / 1e6:.1f} |"
        )
    return "\n".join(lines)


def verdict(rows: list[dict]) -> list[str]:
    notes = []
    for r in rows:
        if r["format"] == "jsonl":
            ok = r["segments_per_s"] >= JSONL_TARGET
            cpu_rate = round(r["segments"] / r["cpu_seconds"]) if r.get("cpu_seconds") else 0
            notes.append(
                f"- JSONL at {r['size']}: {r['segments_per_s']:,} segments/s wall clock "
                f"({'meets' if ok else 'MISSES'} the {JSONL_TARGET:,}/s target); "
                f"{cpu_rate:,} segments per second of the exporting process's own CPU"
            )
    worst = max(rows, key=lambda r: r["peak_rss_mb"])
    notes.append(
        f"- Highest peak RSS: {worst['peak_rss_mb']:.1f} MB ({worst['format']}, {worst['size']}); "
        f"target under {RSS_TARGET_MB} MB: {'met' if worst['peak_rss_mb'] < RSS_TARGET_MB else 'MISSED'}"
    )
    return notes


def record(rows: list[dict], command: str) -> None:
    body = "\n".join(
        [
            SECTION_START,
            "## Export (bench/export.py)",
            "",
            f"Command: `{command}` on {platform.node() or 'this machine'} "
            f"({os.cpu_count()} CPUs shared with other work; load average "
            f"{os.getloadavg()[0]:.1f} when recorded), PostgreSQL on the same machine, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
            "Data from `bench/datagen.py` (bulk rows, no per-row ledger events, so the PROV "
            "export has few activities). Each format runs in a fresh process writing a "
            "package folder (data files, source documents, datapackage.json); peak RSS is "
            "that process's `ru_maxrss`. claimreview runs with `approved_only=False` so it "
            "reads every rated annotation. Export CPU is the exporting process's own "
            "(`getrusage`, all its threads); database CPU is every PostgreSQL process's "
            "over the export (`/proc`: the export's connections, parallel workers, and "
            "anything else the server did meanwhile).",
            "",
            table(rows),
            "",
            *verdict(rows),
            SECTION_END,
        ]
    )
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if SECTION_START in text:
        before = text[: text.index(SECTION_START)]
        after = text[text.index(SECTION_END) + len(SECTION_END) :]
        text = before + body + after
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    RESULTS.write_text(text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--annotations", type=int, default=200_000)
    parser.add_argument("--quick", action="store_true", help="100,000 / 20,000 (and 1/10)")
    parser.add_argument("--sizes", choices=["both", "full", "tenth"], default="both")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--record", action="store_true", help="write the results section")
    parser.add_argument(
        "--keep-data",
        action="store_true",
        help="reuse the database when it already holds exactly this many segments and "
        "annotations (say, from the previous run) instead of generating them again",
    )
    parser.add_argument("--child", nargs=2, metavar=("FORMAT", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--fill", nargs=2, type=int, metavar=("SEG", "ANN"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    if args.fill:
        print(json.dumps(fill(*args.fill, keep=args.keep_data), default=str))
        return 0
    segments, annotations = args.segments, args.annotations
    if args.quick:
        segments, annotations = 100_000, 20_000
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    sizes = []
    if args.sizes in ("both", "tenth"):
        sizes.append(("1/10", segments // 10, annotations // 10))
    if args.sizes in ("both", "full"):
        sizes.append(("full", segments, annotations))
    subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "migrate", "--noinput", "-v0"],
        env=_environment(),
        check=True,
    )
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-export-") as workdir:
        for label, seg, ann in sizes:
            rows += run_size(label, seg, ann, formats, Path(workdir), keep=args.keep_data)
    print()
    print(table(rows))
    print("\n".join(verdict(rows)))
    if args.record:
        extra = [arg for arg in (argv or sys.argv[1:]) if arg != "--record"]  # make adds it
        record(rows, "make bench-export" + (f" BENCH_ARGS='{' '.join(extra)}'" if extra else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
