"""API benchmark (issue 5): the REST API under gunicorn on loopback, 8 concurrent clients.

On PostgreSQL (database ``claimtrail_bench_api``, created if missing and emptied
first) with 100,000 segments and 50,000 annotations from :mod:`bench.datagen`, the
app runs under gunicorn on 127.0.0.1. A bounded pool of 8 client threads (each a
bench annotator with its own token and keep-alive connection) calls the API for a
bounded time, in an even mix of:

- ``create``: POST /api/v1/annotations/ (a draft with a verdict),
- ``update``: PATCH /api/v1/annotations/{id}/ with If-Match (one of its drafts),
- ``list``: GET /api/v1/annotations/?page_size=100 (following ``next`` links, with
  nested citations and reviews),
- ``transition``: POST .../submit/ by the author, then .../approve/ by a reviewer.

It reports requests per second overall and p50/p95/p99 latency per call type.
Targets: >= 300 requests/s overall, p99 < 100 ms for single-object calls and
< 150 ms for list pages. Client and server share the machine's cores.

    .venv/bin/python bench/api.py                 # full size, 45 s
    .venv/bin/python bench/api.py --quick         # 2,000 segments, 1,000 annotations, 8 s
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

# The clients share the cores with the server: read the pages as cheaply as possible.
from orjson import dumps as _dumps
from orjson import loads as _loads

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.procstat import process_cpu_seconds  # noqa: E402  (needs REPO on sys.path)

DEFAULT_URL = "postgres://claimtrail:claimtrail@127.0.0.1:5432/claimtrail_bench_api"
HOST = "127.0.0.1"
CALLS = ("create", "update", "list", "transition")
SINGLE = ("create", "update", "transition")
VERDICTS = ["true", "mostly-true", "mixed", "unverifiable"]  # one approval each
CLAIM_TYPES = ["quantity", "event", "attribution", "causal", "prediction", "other"]
RESULTS = REPO / "bench" / "RESULTS.md"
SECTION_START = "<!-- bench-api:start -->"
SECTION_END = "<!-- bench-api:end -->"
TARGET_RPS, TARGET_SINGLE_P99, TARGET_LIST_P99 = 300, 0.100, 0.150
NOTES = [
    "Where the time goes (in-process cProfile of this mix on the same data, and /proc for "
    "gunicorn and the PostgreSQL backends): the token, its user and the user's roles are one "
    "fixed statement; a list page of 100 annotations is 3-4 statements (that one, the "
    "annotations joined to segment and claim type under a keyset bound the index can use, "
    "their citations and reviews in one statement with their authors' usernames, and the "
    "usernames still missing), all fixed SQL on PostgreSQL, timestamps loaded by psycopg's C "
    "loader, rows written out by orjson without model objects or DRF fields. The services' hot "
    "statements (the annotation lock with its five relations, its UPDATE, the INSERTs of an "
    "annotation, citation or review, the round's approvals) are fixed SQL built once from the "
    "models (annotate/statements.py), where the ORM had compiled each anew on every call "
    "(about 1 ms for the lock alone); a write is 7 statements in all for an update or a submit, "
    "9 for an approval or a create with one citation (the token's, BEGIN and COMMIT included), "
    "and its answer reads the citations and reviews in one statement. Input serializers copy their "
    "fields instead of deep-copying them, and the renderer chosen for an Accept header is "
    "remembered. Statements are prepared (psycopg `prepare_threshold` 5), so PostgreSQL plans "
    "each once per connection. The clients speak HTTP/1.1 through a small keep-alive "
    "connection (http.client's header parsing was half of their CPU). The p99 tail was "
    "Python's cyclic garbage collector: Django and DRF tie each request's objects into "
    "reference cycles (request, view, response, serializers, a list page's rows), so they "
    "waited for a full collection, and each gunicorn worker stopped every few seconds for "
    "100-400 ms to free tens of thousands of objects, with every request in it waiting "
    "(a gc callback in the workers logged 33 full collections of 70-100 ms CPU in 45 s). "
    "A middleware now cuts those links once a response is rendered, so reference counting "
    "frees a request's objects at once (tests/api/test_request_garbage.py), and gunicorn "
    "freezes the preloaded app before forking, so a full collection walks ~28,000 objects "
    "instead of ~100,000 (about 15 ms of CPU). What remains of the tail is the disk: "
    "sampling pg_stat_activity every 10 ms shows all backends waiting on WALWrite behind "
    "one WALSync when this VM's disk takes 0.1-0.7 s for an fsync, a few times per run "
    "at most; the data load is written out (CHECKPOINT, sync) before the run so its "
    "writeback does not add to that. 300 requests/s on two shared cores needs under "
    "~6.5 ms of CPU per request in all.",
]


def configure_environment(database_url: str) -> None:
    """Production-like settings for this process and gunicorn: DEBUG off, no query log."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "workbench.settings.local"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "a" * 40)
    os.environ.setdefault("LOG_LEVEL", "ERROR")


def ensure_database(database_url: str) -> None:
    """Create the bench database when it does not exist yet."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


# ---------------------------------------------------------------- data


def prepare(segments: int, annotations: int, seed: int, reuse: bool) -> dict:
    """Migrate, generate the data set (unless reusing one of the same size), issue tokens."""
    import django

    django.setup()
    from django.core.management import call_command

    from annotate import accounts
    from annotate.models import Annotation
    from archive.models import Segment
    from bench import datagen

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    have = (Segment.objects.count(), Annotation.objects.count())
    if reuse and have[0] >= segments and have[1] >= annotations:
        print(f"data: reusing {have[0]:,} segments and {have[1]:,} annotations")
    else:
        datagen.reset()
        summary = datagen.generate(segments, annotations, seed=seed)
        print(
            f"data: {summary['segments']:,} segments, {summary['annotations']:,} annotations, "
            f"{summary['citations']:,} citations in {time.perf_counter() - started:.1f} s"
        )
    users = datagen.bench_users()
    tokens = {
        # Keys are shown once (only digests are stored): a fresh one per user and run.
        role: [
            accounts.token_issue(actor=None, user=user, rotate=True, reason="benchmark")[1]
            for user in members
        ]
        for role, members in users.items()
    }
    rng = random.Random(seed)
    ids = list(Segment.objects.values_list("pk", flat=True)[:200_000])
    picked = rng.sample(ids, min(5000, len(ids)))
    targets = [
        (str(pk), len(text))
        for pk, text in Segment.objects.filter(pk__in=picked).values_list("pk", "text")
    ]
    from django.db import connections

    connections.close_all()
    return {"tokens": tokens, "segments": targets}


def settle(database_url: str) -> None:
    """Write the data load out to disk before the measured load starts.

    Generating the data leaves hundreds of megabytes of dirty pages. Written back by
    the kernel during the run, they queue ahead of PostgreSQL's WAL flushes, and a
    commit then waits 0.1-0.5 s for its fsync. That is the setup's cost, not the
    API's. A CHECKPOINT (when the role may run one: ``pg_checkpoint``) writes the
    database's own dirty buffers first; ``sync`` then writes everything out.
    """
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        try:
            conn.execute("CHECKPOINT")
        except psycopg.errors.InsufficientPrivilege:
            print("settle: this role may not CHECKPOINT; syncing the page cache only")
    os.sync()


# ---------------------------------------------------------------- server


def start_gunicorn(port: int, workers: int, threads: int) -> subprocess.Popen:
    command = [
        str(REPO / ".venv" / "bin" / "gunicorn"),
        "--config",
        str(REPO / "workbench" / "gunicorn.py"),  # as deployed (gthread, preload)
        "workbench.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--log-level",
        "warning",
        "--chdir",
        str(REPO),
    ]
    return subprocess.Popen(command, env=os.environ.copy(), start_new_session=True)


def wait_ready(port: int, token: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/api/v1/claim-types/", headers={"Authorization": f"Token {token}"})
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (0 when it is gone)."""
    return process_cpu_seconds(pid) or 0.0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def server_cpu(master: int, database_url: str) -> dict[str, float]:
    """CPU seconds used so far by gunicorn (master and workers) and by the database's backends."""
    import psycopg

    app = _cpu_seconds(master) + sum(_cpu_seconds(pid) for pid in _children(master))
    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(database_url, autocommit=True) as conn:
        pids = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
        ]
    return {"app": app, "db": sum(_cpu_seconds(pid) for pid in pids)}


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# ---------------------------------------------------------------- clients


class _Response:
    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def read(self) -> bytes:
        return self.body

    def getheader(self, name: str, default=None):
        return self.headers.get(name.lower(), default)


class KeepAliveConnection:
    """The part of ``http.client.HTTPConnection`` the clients use, for less client CPU.

    The clients share the two cores with the server they measure. ``http.client``
    builds each request from many small writes and parses each response's headers
    with the ``email`` package: about half of the clients' CPU. This sends the same
    HTTP/1.1 request (Host, ``Accept-Encoding: identity``, Content-Length, the
    caller's headers) in one write and reads the status line, the headers and a
    Content-Length or chunked body, keeping the connection open unless the server
    closes it. Protocol errors raise ``http.client.HTTPException``, socket errors
    ``OSError``, as ``http.client`` does.
    """

    def __init__(self, host: str, port: int, timeout: float = 30.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.response: _Response | None = None
        self._host_header = f"Host: {host}:{port}\r\nAccept-Encoding: identity\r\n"

    def request(self, method: str, path: str, body: bytes | None = None, headers=None) -> None:
        if self.sock is None:
            self.sock = socket.create_connection((self.host, self.port), self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buffer = b""
        lines = [f"{method} {path} HTTP/1.1\r\n", self._host_header]
        if body is not None or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body or b'')}\r\n")
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}\r\n")
        lines.append("\r\n")
        self.sock.sendall("".join(lines).encode("latin-1") + (body or b""))
        self.response = self._read_response(method)

    def getresponse(self) -> _Response:
        response, self.response = self.response, None
        return response

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""

    # ------------------------------------------------------------ reading

    def _fill(self) -> None:
        chunk = self.sock.recv(262144)
        if not chunk:
            raise http.client.RemoteDisconnected("the server closed the connection")
        self.buffer += chunk

    def _read_until(self, marker: bytes) -> bytes:
        while (end := self.buffer.find(marker)) < 0:
            self._fill()
        line, self.buffer = self.buffer[:end], self.buffer[end + len(marker) :]
        return line

    def _read_exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def _read_response(self, method: str) -> _Response:
        head = self._read_until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        try:
            version, code = head[0].split(" ", 2)[:2]
            status = int(code)
        except ValueError:
            raise http.client.BadStatusLine(head[0]) from None
        headers: dict[str, str] = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            body = b""
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int(self._read_until(b"\r\n").split(b";")[0], 16):
                parts.append(self._read_exactly(size))
                self._read_exactly(2)
            self._read_until(b"\r\n")  # (no trailers are sent)
            body = b"".join(parts)
        elif "content-length" in headers:
            body = self._read_exactly(int(headers["content-length"]))
        else:  # delimited by the server closing the connection
            try:
                while True:
                    self._fill()
            except http.client.RemoteDisconnected:
                pass
            body, self.buffer = self.buffer, b""
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close" or version == "HTTP/1.0":
            self.close()
        return _Response(status, headers, body)


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {c: [] for c in CALLS})
    errors: dict[str, int] = field(default_factory=dict)
    requests: int = 0


class Client:
    """One annotator with a keep-alive connection, its drafts, and a reviewer's token."""

    def __init__(self, port, token, reviewer_token, segments, seed):
        self.port = port
        self.token = token
        self.reviewer_token = reviewer_token
        self.segments = segments
        self.rng = random.Random(seed)
        self.conn = KeepAliveConnection(HOST, port, timeout=30)
        self.drafts: list[tuple[str, str]] = []  # (id, etag)
        self.next_list: str | None = None
        self.stats = Stats()

    def call(self, kind, method, path, body=None, token=None, if_match=None):
        headers = {"Authorization": f"Token {token or self.token}", "Accept": "application/json"}
        payload = None
        if body is not None:
            payload = _dumps(body)
            headers["Content-Type"] = "application/json"
        if if_match:
            headers["If-Match"] = if_match
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = KeepAliveConnection(HOST, self.port, timeout=30)
            self.stats.errors[f"{kind} connection"] = (
                self.stats.errors.get(f"{kind} connection", 0) + 1
            )
            return None, None, None
        elapsed = time.perf_counter() - started
        self.stats.requests += 1
        self.stats.latencies[kind].append(elapsed)
        if response.status >= 300:
            key = f"{kind} {response.status}"
            self.stats.errors[key] = self.stats.errors.get(key, 0) + 1
            return response.status, None, None
        return response.status, _loads(data) if data else None, response.getheader("ETag")

    def create(self):
        segment_id, length = self.rng.choice(self.segments)
        start = self.rng.randrange(0, max(1, length - 20))
        end = min(length, start + self.rng.randint(5, 20))
        status, body, etag = self.call(
            "create",
            "POST",
            "/api/v1/annotations/",
            {
                "segment": segment_id,
                "start": start,
                "end": end,
                "claim_type": self.rng.choice(CLAIM_TYPES),
                "claim_text": "A claim restated by the API benchmark.",
                "verdict": self.rng.choice(VERDICTS),
                "citations": [{"url": "https://example.org/evidence", "stance": "supports"}],
            },
        )
        if status == 201:
            self.drafts.append((body["id"], etag))

    def update(self):
        if not self.drafts:
            return self.create()
        index = self.rng.randrange(len(self.drafts))
        pk, etag = self.drafts[index]
        status, body, new_etag = self.call(
            "update",
            "PATCH",
            f"/api/v1/annotations/{pk}/",
            {"verdict_summary": f"Checked at {time.time():.3f}."},
            if_match=etag,
        )
        if status == 200:
            self.drafts[index] = (pk, new_etag)

    def list_page(self):
        path = self.next_list or "/api/v1/annotations/?page_size=100"
        status, body, _ = self.call("list", "GET", path)
        if status == 200:
            next_url = body["next"]
            self.next_list = (
                urlsplit(next_url)._replace(scheme="", netloc="").geturl()
                if next_url and self.rng.random() < 0.8
                else None
            )

    def transition(self):
        if not self.drafts:
            return self.create()
        pk, etag = self.drafts.pop(self.rng.randrange(len(self.drafts)))
        status, _, etag = self.call(
            "transition", "POST", f"/api/v1/annotations/{pk}/submit/", {}, if_match=etag
        )
        if status == 200:
            self.call(
                "transition",
                "POST",
                f"/api/v1/annotations/{pk}/approve/",
                {},
                token=self.reviewer_token,
                if_match=etag,
            )

    def run(self, until: float) -> None:
        actions = [self.create, self.update, self.list_page, self.transition]
        while time.perf_counter() < until:
            self.rng.choice(actions)()
        self.conn.close()


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def run_clients(port, data, clients: int, duration: float, seed: int):
    annotators = data["tokens"]["Annotator"]
    reviewers = data["tokens"]["Reviewer"]
    pool = [
        Client(
            port,
            annotators[n % len(annotators)],
            reviewers[n % len(reviewers)],
            data["segments"],
            seed + n,
        )
        for n in range(clients)
    ]
    started = time.perf_counter()
    until = started + duration
    threads = [threading.Thread(target=c.run, args=(until,)) for c in pool]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    merged = Stats()
    for client in pool:
        merged.requests += client.stats.requests
        for kind in CALLS:
            merged.latencies[kind].extend(client.stats.latencies[kind])
        for key, count in client.stats.errors.items():
            merged.errors[key] = merged.errors.get(key, 0) + count
    return merged, elapsed


def report(stats: Stats, elapsed: float, args) -> str:
    lines = [
        f"{stats.requests:,} requests in {elapsed:.1f} s = {stats.requests / elapsed:.0f} "
        f"requests/s overall ({args.clients} clients, gunicorn {args.workers} workers x "
        f"{args.threads} threads)",
        "",
        "| call | count | req/s | p50 ms | p95 ms | p99 ms | target p99 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in CALLS:
        values = stats.latencies[kind]
        target = "< 150 ms" if kind == "list" else "< 100 ms"
        lines.append(
            f"| {kind} | {len(values):,} | {len(values) / elapsed:.0f} | "
            f"{percentile(values, 0.50) * 1000:.1f} | {percentile(values, 0.95) * 1000:.1f} | "
            f"{percentile(values, 0.99) * 1000:.1f} | {target} |"
        )
    lines.append("")
    cpu = getattr(stats, "cpu", None)
    if cpu:
        total = cpu["app"] + cpu["db"] + cpu["client"]
        lines.append(
            f"CPU per request: gunicorn {cpu['app']:.1f} ms, PostgreSQL {cpu['db']:.1f} ms, "
            f"bench clients {cpu['client']:.1f} ms; {total:.1f} ms in all, so 2 cores cap this "
            f"mix near {2000 / total:.0f} requests/s even with nothing else running"
        )
    if stats.errors:
        lines.append(
            "non-2xx or failed calls: "
            + ", ".join(f"{key}: {count}" for key, count in sorted(stats.errors.items()))
        )
    else:
        lines.append("non-2xx or failed calls: none")
    return "\n".join(lines)


def verdict(stats: Stats, elapsed: float) -> list[str]:
    rps = stats.requests / elapsed
    single = max(percentile(stats.latencies[kind], 0.99) for kind in SINGLE)
    listing = percentile(stats.latencies["list"], 0.99)
    return [
        f"- overall {rps:.0f} requests/s: {'met' if rps >= TARGET_RPS else 'NOT met'} "
        f"(target >= {TARGET_RPS})",
        f"- single-object p99 {single * 1000:.0f} ms: "
        f"{'met' if single < TARGET_SINGLE_P99 else 'NOT met'} (target < 100 ms)",
        f"- list page p99 {listing * 1000:.0f} ms: "
        f"{'met' if listing < TARGET_LIST_P99 else 'NOT met'} (target < 150 ms)",
    ]


def write_results(stats: Stats, elapsed: float, args, load: tuple[str, str]) -> None:
    """Replace this benchmark's own section of bench/RESULTS.md."""
    body = "\n".join(
        [
            SECTION_START,
            "## API (issue 5): REST API under gunicorn, 8 concurrent clients",
            "",
            f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on PostgreSQL with "
            f"{args.segments:,} segments and {args.annotations:,} annotations "
            f"(bench/datagen.py), {args.duration:.0f} s of load after a 2 s warm-up. Each client "
            "is a bench annotator with a token and a keep-alive connection, calling an even mix "
            "of create (with one citation), update with If-Match, list page of 100 (following "
            "`next`), and transition (submit by the author, then approve by a reviewer: two "
            "calls, both counted). Clients and server share the machine's 2 cores; the load "
            f"average was {load[0]} before and {load[1]} after the run (other engineers' jobs "
            "included).",
            "",
            report(stats, elapsed, args),
            "",
            *verdict(stats, elapsed),
            "",
            *NOTES,
            "",
            "Command: `make bench-api` (= `.venv/bin/python bench/api.py`; `--reuse` keeps the "
            "generated data, `--quick` is a small smoke run that writes nothing here).",
            SECTION_END,
        ]
    )
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if SECTION_START in text and SECTION_END in text:
        before, rest = text.split(SECTION_START, 1)
        after = rest.split(SECTION_END, 1)[1]
        text = before + body + after
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    RESULTS.write_text(text)


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--annotations", type=int, default=50_000)
    parser.add_argument("--duration", type=float, default=45.0, help="seconds of load (<= 120)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the bench database when it already holds enough rows",
    )
    parser.add_argument(
        "--quick", action="store_true", help="2,000 segments, 1,000 annotations, 8 s of load"
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_API_URL", DEFAULT_URL))
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args(argv)
    if args.quick:
        args.segments, args.annotations, args.duration = 2_000, 1_000, 8.0
    if not (1 <= args.clients <= 8) or not (0 < args.duration <= 120):
        parser.error("use 1-8 clients and a duration of at most 120 s")
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the API benchmark runs on PostgreSQL (--database-url postgres://...)")

    configure_environment(args.database_url)
    ensure_database(args.database_url)
    data = prepare(args.segments, args.annotations, args.seed, args.reuse)
    settle(args.database_url)
    server = start_gunicorn(args.port, args.workers, args.threads)
    try:
        wait_ready(args.port, data["tokens"]["Annotator"][0])
        # Warm every worker's connection and code paths (not measured).
        run_clients(args.port, data, args.clients, 2.0, args.seed + 1000)
        load_before = _load()
        cpu_before = server_cpu(server.pid, args.database_url)
        client_before = time.process_time()
        stats, elapsed = run_clients(args.port, data, args.clients, args.duration, args.seed)
        client_cpu = time.process_time() - client_before
        cpu_after = server_cpu(server.pid, args.database_url)
        load_after = _load()
    finally:
        stop(server)
    per_request = {
        "app": (cpu_after["app"] - cpu_before["app"]) / max(1, stats.requests) * 1000,
        "db": (cpu_after["db"] - cpu_before["db"]) / max(1, stats.requests) * 1000,
        "client": client_cpu / max(1, stats.requests) * 1000,
    }
    stats.cpu = per_request
    print(report(stats, elapsed, args))
    print("\n".join(verdict(stats, elapsed)))
    print(f"load average: {load_before} before, {load_after} after")
    if not args.quick and not args.no_write:
        write_results(stats, elapsed, args, (load_before, load_after))
        print(f"wrote the API section of {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
