"""Annotate benchmark (issue 3): service-layer writes from concurrent workers, ledger on and off.

On PostgreSQL (database ``claimtrail_bench_annotate``, emptied first) with 100,000
segments from :mod:`bench.datagen`, 8 worker processes (spawned, each with its
own ``django.setup()`` and connection) create 50,000 annotations with 0-3
citations each through ``annotate.services.annotation_create``, then run a
workflow pass: ``annotation_submit`` by the creator and ``annotation_approve`` by a
reviewer (two different reviewers for ``false``/``mostly-false``). It reports
writes (service calls) per second and p50/p95/p99 latency per call.

Then the annotations and the ledger are emptied and the same plan runs again with
the ledger switched off by a BENCHMARK-ONLY monkeypatch (``archive.ledger.append``
replaced by a no-op in the workers), so the ledger's cost is a ratio. With the
ledger on, the workers also time (wrapping, not changing, archive.ledger) each
write of a call's events, how much of it is taking the scope locks and reading the
scopes' heads, and hashing. Target: the ledger costs < 30% of throughput.

    .venv/bin/python bench/annotate.py            # 100,000 segments, 50,000 annotations
    .venv/bin/python bench/annotate.py --quick    # 2,000 segments, 400 annotations
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_URL = "postgres://claimtrail:claimtrail@127.0.0.1:5432/claimtrail_bench_annotate"
VERDICTS = ["true", "mostly-true", "mixed", "mostly-false", "false", "unverifiable"]
CLAIM_TYPES = ["quantity", "event", "attribution", "causal", "prediction", "other"]
TWO_APPROVALS = {"false", "mostly-false"}


def configure_environment(database_url: str) -> None:
    """Production-like settings for parent and workers: DEBUG off (no query log)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "workbench.settings.local"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "b" * 40)


# ---------------------------------------------------------------- worker side


@dataclass
class WorkerResult:
    worker: int
    started: float
    finished: float
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    created: list[tuple[str, int, str]] = field(default_factory=list)  # (id, version, verdict)
    # Ledger diagnostics (seconds per append), ledger-on runs only.
    insert: list[float] = field(default_factory=list)
    # CPU seconds while timing: this process, and its PostgreSQL backend (local server).
    cpu_app: float = 0.0
    cpu_db: float = 0.0
    hashing: list[float] = field(default_factory=list)
    write: list[float] = field(default_factory=list)


def _instrument_ledger(result: WorkerResult) -> None:
    """BENCHMARK-ONLY: time the ledger's writes, locks and hashing by wrapping its functions."""
    from archive import ledger

    insert, digest, write = ledger._insert_linked, ledger.content_digest, ledger._write

    def timed(function, into):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                into.append(time.perf_counter() - started)

        return wrapper

    ledger._insert_linked = timed(insert, result.insert)
    ledger.content_digest = timed(digest, result.hashing)
    ledger._write = timed(write, result.write)


def _disable_ledger() -> None:
    """BENCHMARK-ONLY: switch the ledger off so its cost can be measured as a ratio."""
    from archive import ledger

    ledger.append = lambda **kwargs: None


def worker_main(job: dict, barrier, results) -> None:
    """One worker process: set Django up, wait for the others, run its share, report."""
    configure_environment(job["database_url"])
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from bench.procstat import backend_cpu_seconds

    result = WorkerResult(job["worker"], 0.0, 0.0)
    if job["ledger"] == "on":
        _instrument_ledger(result)
    else:
        _disable_ledger()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=job["users"])}
    connection.ensure_connection()
    prepared = (_prepare_create if job["phase"] == "create" else _prepare_workflow)(job, users)
    barrier.wait()
    result.started = time.perf_counter()
    app_before, db_before = time.process_time(), backend_cpu_seconds(connection) or 0.0
    for label, call in prepared:
        began = time.perf_counter()
        try:
            value = call()
        except Exception as error:  # noqa: BLE001 - a benchmark reports every failure
            result.errors.append(f"{label}: {type(error).__name__}: {error}")
            continue
        result.latencies.setdefault(label, []).append(time.perf_counter() - began)
        if label == "create":
            result.created.append((str(value.pk), value.version, value.verdict))
    result.finished = time.perf_counter()
    result.cpu_app = time.process_time() - app_before
    result.cpu_db = (backend_cpu_seconds(connection) or 0.0) - db_before
    connection.close()
    results.put(result)


def _prepare_create(job: dict, users: dict):
    """Build the worker's annotation_create calls (segments loaded before timing)."""
    from annotate import services
    from archive.models import Segment

    rng = random.Random(job["seed"] * 1000 + job["worker"])
    actor = users[job["annotator"]]
    segments = {str(s.pk): s for s in Segment.objects.filter(pk__in=job["segments"])}
    calls = []
    for number, segment_id in enumerate(job["segments"]):
        segment = segments[segment_id]
        length = len(segment.text)
        start = rng.randrange(0, max(1, length - 1))
        end = min(length, start + rng.randint(8, 120))
        citations = [
            {
                "url": f"https://example.org/evidence/{job['worker']}/{number}/{n}",
                "title": f"Evidence {n + 1}",
                "publisher": "Statistics Office",
                "published_on": "2024-05-01",
                "archived_url": f"https://web.archive.org/web/2025/https://example.org/{number}",
                "excerpt": "An excerpt of the cited document.",
                "stance": rng.choice(["supports", "refutes", "context"]),
            }
            for n in range(rng.randint(0, 3))
        ]
        kwargs = dict(
            actor=actor,
            segment=segment,
            start=start,
            end=end,
            quote=segment.text[start:end],
            claim_type=rng.choice(CLAIM_TYPES),
            claim_text=f"Restated: {segment.text[start:end][:60]}",
            verdict=rng.choice(VERDICTS),
            verdict_summary="Checked against the official figures.",
            citations=citations,
        )
        calls.append(("create", lambda kwargs=kwargs: services.annotation_create(**kwargs)))
    return calls


def _prepare_workflow(job: dict, users: dict):
    """Submit by the creator, then approve by one (or two) reviewers who did not create it."""
    from annotate import services

    creator = users[job["annotator"]]
    reviewers = [users[name] for name in job["reviewers"]]
    state: dict[str, int] = {}

    def submit(pk, version):
        state[pk] = services.annotation_submit(
            actor=creator, annotation=pk, expected_version=version
        ).version

    def approve(pk, reviewer):
        state[pk] = services.annotation_approve(
            actor=reviewer, annotation=pk, expected_version=state[pk]
        ).version

    calls = []
    for number, (pk, version, verdict) in enumerate(job["annotations"]):
        first = reviewers[number % len(reviewers)]
        calls.append(("submit", lambda pk=pk, version=version: submit(pk, version)))
        calls.append(("approve", lambda pk=pk, reviewer=first: approve(pk, reviewer)))
        if verdict in TWO_APPROVALS:
            second = reviewers[(number + 1) % len(reviewers)]
            calls.append(("approve", lambda pk=pk, reviewer=second: approve(pk, reviewer)))
    return calls


# ---------------------------------------------------------------- parent side


def run_phase(phase: str, jobs: list[dict]) -> list[WorkerResult]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(jobs))
    results = context.Queue()
    processes = [context.Process(target=worker_main, args=(job, barrier, results)) for job in jobs]
    for process in processes:
        process.start()
    collected = []
    while len(collected) < len(processes):
        try:
            collected.append(results.get(timeout=5))
        except queue.Empty:
            dead = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
            if dead:  # a worker crashed before reporting: fail instead of waiting forever
                for process in processes:
                    process.kill()
                raise SystemExit(f"error: a worker process failed (exit codes {dead})") from None
    for process in processes:
        process.join()
    return sorted(collected, key=lambda r: r.worker)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class PhaseFigures:
    label: str
    calls: int
    seconds: float
    p50: float
    p95: float
    p99: float
    errors: int
    cpu_app_ms: float = 0.0  # per call, the workers' own CPU
    cpu_db_ms: float = 0.0  # per call, their PostgreSQL backends' CPU

    @property
    def rate(self) -> float:
        return self.calls / self.seconds if self.seconds else 0.0


def figures(label: str, results: list[WorkerResult], kinds: tuple[str, ...]) -> PhaseFigures:
    latencies = [v for r in results for kind in kinds for v in r.latencies.get(kind, [])]
    wall = max(r.finished for r in results) - min(r.started for r in results)
    return PhaseFigures(
        label,
        len(latencies),
        wall,
        percentile(latencies, 0.50) * 1000,
        percentile(latencies, 0.95) * 1000,
        percentile(latencies, 0.99) * 1000,
        sum(len(r.errors) for r in results),
        sum(r.cpu_app for r in results) * 1000 / max(1, len(latencies)),
        sum(r.cpu_db for r in results) * 1000 / max(1, len(latencies)),
    )


def empty_annotations() -> None:
    """Remove annotations, citations, reviews and the ledger; keep the segments."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE annotate_review, annotate_citation, annotate_annotation, "
            "archive_ledgerevent, archive_ledgerseal CASCADE"
        )


def run_mode(mode: str, args, segment_ids: list[str], users: dict) -> dict:
    empty_annotations()
    annotators = users["Annotator"][: args.workers]
    if len(annotators) < args.workers:
        sys.exit(f"error: only {len(annotators)} bench annotators for {args.workers} workers")
    reviewers = [u.username for u in users["Reviewer"]]
    shares = [segment_ids[n :: args.workers] for n in range(args.workers)]
    base = {"database_url": args.database_url, "ledger": mode, "seed": args.seed}
    create_jobs = [
        dict(
            base,
            phase="create",
            worker=n,
            annotator=annotators[n].username,
            users=[annotators[n].username],
            segments=shares[n],
        )
        for n in range(args.workers)
    ]
    created = run_phase("create", create_jobs)
    workflow_jobs = [
        dict(
            base,
            phase="workflow",
            worker=r.worker,
            annotator=annotators[r.worker].username,
            reviewers=reviewers,
            users=[annotators[r.worker].username, *reviewers],
            annotations=r.created,
        )
        for r in created
    ]
    workflow = run_phase("workflow", workflow_jobs)
    everything = created + workflow
    return {
        "create": figures("create (with citations)", created, ("create",)),
        "submit": figures("submit", workflow, ("submit",)),
        "approve": figures("approve", workflow, ("approve",)),
        "workflow": figures("workflow pass (submit + approve)", workflow, ("submit", "approve")),
        "results": everything,
        "errors": [e for r in everything for e in r.errors],
    }


def check_after(expected: int) -> list[str]:
    """The ledger verifies and every annotation ended approved."""
    from annotate.models import Annotation
    from archive import ledger

    problems = [str(p) for p in ledger.verify()][:5]
    total = Annotation.objects.count()
    approved = Annotation.objects.filter(status="approved").count()
    if total != expected or approved != expected:
        problems.append(f"{total} annotations, {approved} approved; expected {expected}")
    return problems


def mean_ms(values: list[float]) -> float:
    return statistics.fmean(values) * 1000 if values else 0.0


def ledger_diagnostics(phase: str, results: list[WorkerResult]) -> str:
    """Where the ledger's time goes: the INSERT round trip, hashing, and the whole write."""
    inserts = [v for r in results for v in r.insert]
    hashes = [v for r in results for v in r.hashing]
    writes = [v for r in results for v in r.write]
    return (
        f"ledger on, {phase}: {len(writes):,} writes of a call's events, each "
        f"{mean_ms(writes):.2f} ms (p99 {percentile(writes, 0.99) * 1000:.1f}), of which "
        f"the INSERT round trip {mean_ms(inserts):.2f} ms "
        f"(p99 {percentile(inserts, 0.99) * 1000:.1f}) and hashing "
        f"{mean_ms(hashes):.3f} ms per event"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--annotations", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="2,000 segments, 400 annotations")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_ANNOTATE_URL", DEFAULT_URL))
    args = parser.parse_args(argv)
    if args.quick:
        args.segments, args.annotations = 2_000, 400
    if not (1 <= args.workers <= 8) or args.segments < 1 or args.annotations < 1:
        parser.error("need 1-8 workers and at least one segment and annotation")
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the annotate benchmark runs on PostgreSQL (--database-url postgres://...)")

    configure_environment(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command

    from archive.models import Segment
    from bench import datagen

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    datagen.reset()
    summary = datagen.generate(args.segments, 0, seed=args.seed)
    users = datagen.bench_users()
    print(f"data: {summary['segments']:,} segments in {time.perf_counter() - started:.1f} s")
    rng = random.Random(args.seed)
    all_ids = [str(pk) for pk in Segment.objects.values_list("pk", flat=True)]
    segment_ids = rng.choices(all_ids, k=args.annotations)

    modes = {"on": "ledger on", "off": "ledger off (benchmark-only no-op)"}
    report = {}
    for mode, label in modes.items():
        print(f"running: {label} ...", flush=True)
        report[mode] = run_mode(mode, args, segment_ids, users)
        errors = report[mode]["errors"]
        if errors:
            print(f"  {len(errors)} errors, first: {errors[0]}")
        if mode != "off":
            problems = check_after(args.annotations)
            print(
                f"  after: ledger verifies and all approved: {'yes' if not problems else problems}"
            )

    print()
    print(
        f"{args.annotations:,} annotations over {args.segments:,} segments, "
        f"{args.workers} worker processes, PostgreSQL"
    )
    print()
    print("| phase | ledger | calls | seconds | calls/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for key in ("create", "submit", "approve", "workflow"):
        for mode in modes:
            f = report[mode][key]
            print(
                f"| {f.label} | {mode} | {f.calls:,} | {f.seconds:.1f} | "
                f"{f.rate:,.0f} | {f.p50:.1f} | {f.p95:.1f} | {f.p99:.1f} | {f.errors} |"
            )
    print()
    print("CPU per call while timing (workers + their PostgreSQL backends):")
    print()
    print("| phase | ledger | app ms | PostgreSQL ms | total ms |")
    print("|---|---|---:|---:|---:|")
    for key in ("create", "workflow"):
        for mode in modes:
            f = report[mode][key]
            print(
                f"| {f.label} | {mode} | {f.cpu_app_ms:.2f} | {f.cpu_db_ms:.2f} | "
                f"{f.cpu_app_ms + f.cpu_db_ms:.2f} |"
            )
    print()
    for key in ("create", "workflow"):
        on, off = report["on"][key], report["off"][key]
        cost = 1 - on.rate / off.rate if off.rate else 0.0
        verdict = "met" if cost < 0.30 else "NOT met"
        print(f"ledger cost on {key}: {cost:.0%} of throughput (target < 30%: {verdict})")
        on_cpu, off_cpu = on.cpu_app_ms + on.cpu_db_ms, off.cpu_app_ms + off.cpu_db_ms
        if on_cpu:
            print(
                f"ledger cost on {key} in CPU per call: {1 - off_cpu / on_cpu:.0%} "
                "(what throughput loses when the cores are the limit, whatever else runs)"
            )
    for key, phase_results in (
        ("create", report["on"]["results"][: args.workers]),
        ("workflow", report["on"]["results"][args.workers :]),
    ):
        print(ledger_diagnostics(key, phase_results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
