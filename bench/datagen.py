"""Benchmark data: bulk sources, transcripts, segments, annotations, citations and reviews.

BENCHMARK-ONLY. This module writes rows straight into the tables (PostgreSQL
``COPY``, or batched ``INSERT`` on SQLite) instead of going through the services,
so the benchmarks can start from a million segments in minutes. The rows obey the
same invariants the services enforce (``segment.text == source.text[start:end]``,
``annotation.quote == segment.text[start:end]``, prefix/suffix derived from the
segment, unique source sha256, workflow-consistent status, version and reviews),
but they are not provenance: no per-annotation ledger events are written. Each
source gets the ``source.import`` event a real import writes (with its digests, so
exports' evidence check passes), and each run appends one summary event,
``bench.generate``, through :func:`archive.ledger.append` so the ledger still
verifies and says where the data came from.

Use it only on a throwaway database::

    DATABASE_URL=postgres://claimtrail:claimtrail@127.0.0.1:5432/claimtrail_bench_dev \\
        .venv/bin/python bench/datagen.py --reset --segments 1000000 --annotations 200000

From Python (after ``django.setup()``)::

    from bench import datagen
    datagen.reset()
    summary = datagen.generate(100_000, 20_000, seed=1)
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SEGMENTS_PER_TRANSCRIPT = 200
CONTEXT_CHARS = 32  # as annotate.services.CONTEXT_CHARS
BENCH_IMPORTER = "bench-datagen@1"
BENCH_ACTION = "bench.generate"
INSERT_BATCH = 2000

# Users the generator creates (and the annotate benchmark acts as).
ANNOTATORS = [f"bench_annotator{n}" for n in range(1, 9)]
REVIEWERS = [f"bench_reviewer{n}" for n in range(1, 5)]
EDITORS = [f"bench_editor{n}" for n in range(1, 3)]

# ---------------------------------------------------------------- liveblog text (no Django)

PLACES = ["Paris", "Brussels", "Geneva", "Berlin", "London", "Rome", "Vienna", "Oslo"]
TITLES = ["Mr.", "Mrs.", "Ms.", "Dr.", "Prof."]
FIRST = ["Ada", "Ben", "Chloe", "Dario", "Elif", "Femi", "Greta", "Hugo", "Ines", "Jonas"]
LAST = ["Example", "Sample", "Tester", "Moreau", "Okafor", "Lindqvist", "Rossi", "Novak"]
ROLES = [
    "treasurer of the council",
    "member of parliament",
    "former minister of finance",
    "director of the institute",
    "spokesperson for the committee",
    "",
]
SUBJECTS = [
    "The council",
    "The ministry",
    "Our committee",
    "The regional government",
    "The audit office",
    "Independent observers",
    "The survey",
    "Last year's report",
]
VERBS = ["spent", "recorded", "counted", "estimated", "reported", "found", "approved", "cut"]
OBJECTS = [
    "on roads and bridges",
    "in new housing",
    "for public schools",
    "in unpaid wages",
    "on hospital staff",
    "in emergency aid",
    "for rail maintenance",
    "in tax relief",
]
UNITS = ["million euros", "per cent", "thousand people", "billion dollars", "cases", "jobs"]
CLOSERS = [
    "according to the annual audit.",
    "the lowest figure since records began.",
    "up from the year before.",
    "and the trend is continuing.",
    "as the minister confirmed in parliament.",
    "which critics dispute.",
]


def _sentence_pool(rng: random.Random, size: int = 4000) -> list[str]:
    pool = []
    for _ in range(size):
        number = rng.choice([str(rng.randint(2, 999)), f"{rng.randint(1, 99)}.{rng.randint(1, 9)}"])
        pool.append(
            f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {number} {rng.choice(UNITS)} "
            f"{rng.choice(OBJECTS)} in {rng.randint(1990, 2025)}, {rng.choice(CLOSERS)}"
        )
    return pool


@dataclass(frozen=True, slots=True)
class Block:
    """One generated liveblog block: its header fields and the span of its body text."""

    clock: str
    clock_normalised: str
    location: str
    speaker: str
    speaker_role: str
    start: int
    end: int


class LiveblogWriter:
    """Builds liveblog documents (the format of the real report in ../shared/seeds/).

    ``HHMM: Location: Speaker, role`` headers, each followed by one or two
    paragraphs; a breadcrumb line and a title first, ``Exit mobile version`` last.
    Every few blocks has no speaker (``HHMM: Location: The session closes ...``).
    """

    def __init__(self, seed: int = 1, *, sentences: tuple[int, int] = (1, 3)):
        self.rng = random.Random(seed)
        self.pool = _sentence_pool(self.rng)
        self.sentences = sentences
        self.speakers = [
            (f"{t} {f} {last}", role)
            for t in TITLES
            for f in FIRST
            for last in LAST
            for role in (self.rng.choice(ROLES),)
        ]

    def body(self, *, paragraphs: bool = True) -> str:
        rng = self.rng
        low, high = self.sentences
        if paragraphs and rng.random() < 0.25:
            first = " ".join(rng.choices(self.pool, k=rng.randint(low, high)))
            second = " ".join(rng.choices(self.pool, k=rng.randint(low, high)))
            return f"{first}\n\n{second}"
        return " ".join(rng.choices(self.pool, k=rng.randint(low, high)))

    def blocks(self, count: int, offset: int) -> Iterator[tuple[str, Block]]:
        """Yield ``(piece, block)``: the text to append and where its body lies.

        ``offset`` is the length of the document before the first piece.
        """
        rng = self.rng
        minute = rng.randint(8 * 60, 10 * 60)
        for _ in range(count):
            minute = (minute + rng.randint(0, 4)) % (24 * 60)
            clock = f"{minute // 60:02d}{minute % 60:02d}"
            location = rng.choice(PLACES)
            if rng.random() < 0.08:
                speaker, role = "", ""
                header = f"{clock}: {location}: "
            else:
                speaker, role = rng.choice(self.speakers)
                header = f"{clock}: {location}: {speaker}" + (f", {role}" if role else "") + "\n\n"
            # A block without a speaker is narration on its header line: one paragraph.
            body = self.body(paragraphs=bool(speaker))
            start = offset + len(header)
            piece = f"{header}{body}\n\n"
            yield (
                piece,
                Block(
                    clock,
                    f"{clock[:2]}:{clock[2:]}",
                    location,
                    speaker,
                    role,
                    start,
                    start + len(body),
                ),
            )
            offset += len(piece)

    def document(self, title: str, count: int) -> tuple[str, list[Block]]:
        """A whole document of ``count`` blocks: ``(text, blocks)``."""
        head = f"Home News Bench {title[:40]}...\n\n{title}\n\n"
        parts, blocks, offset = [head], [], len(head)
        for piece, block in self.blocks(count, offset):
            parts.append(piece)
            blocks.append(block)
            offset += len(piece)
        parts.append("Exit mobile version")
        return "".join(parts), blocks


# ---------------------------------------------------------------- Django side


def setup_django() -> None:
    """Configure Django for a script run (local settings, DATABASE_URL from the environment)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings.local")
    import django

    django.setup()


def _new_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


class _Writer:
    """Writes rows into one table: COPY on PostgreSQL, batched INSERT elsewhere."""

    def __init__(self, cursor, model, columns: Sequence[str]):
        from django.db import connection

        self.cursor = cursor
        self.table = model._meta.db_table
        self.columns = tuple(columns)
        self.count = 0
        self.postgres = connection.vendor == "postgresql"
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        if self.postgres:
            self._copy_cm = cursor.cursor.copy(f"COPY {self.table} ({quoted}) FROM STDIN")
            self._copy = self._copy_cm.__enter__()
        else:
            self._connection = connection
            self._fields = [model._meta.get_field(c) for c in self.columns]
            placeholders = ", ".join(["%s"] * len(self.columns))
            self._sql = f"INSERT INTO {self.table} ({quoted}) VALUES ({placeholders})"
            self._batch: list[tuple] = []

    def write(self, row: tuple) -> None:
        self.count += 1
        if self.postgres:
            self._copy.write_row(row)
            return
        self._batch.append(
            tuple(
                field.get_db_prep_value(value, self._connection, prepared=False)
                for field, value in zip(self._fields, row, strict=True)
            )
        )
        if len(self._batch) >= INSERT_BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            self.cursor.executemany(self._sql, self._batch)
            self._batch = []

    def close(self) -> None:
        if self.postgres:
            self._copy_cm.__exit__(None, None, None)
        else:
            self._flush()


SOURCE_COLUMNS = (
    "id", "title", "filename", "origin_url", "media_type", "encoding", "retrieved_at",
    "imported_at", "imported_by_id", "importer", "sha256", "size", "content", "text",
)  # fmt: skip
TRANSCRIPT_COLUMNS = (
    "id", "source_id", "title", "event_date", "format", "segment_count", "created_at",
)  # fmt: skip
SEGMENT_COLUMNS = (
    "id", "transcript_id", "ordinal", "clock", "clock_normalised", "location", "speaker",
    "speaker_role", "text", "source_start", "source_end",
)  # fmt: skip
ANNOTATION_COLUMNS = (
    "id", "segment_id", "start", "end", "quote", "prefix", "suffix", "claim_type_id",
    "claim_text", "verdict", "verdict_summary", "status", "created_by_id", "last_edited_by_id",
    "assignee_id", "version", "review_round", "created_at", "updated_at",
)  # fmt: skip
CITATION_COLUMNS = (
    "id", "annotation_id", "url", "title", "publisher", "published_on", "accessed_at",
    "archived_url", "excerpt", "stance", "added_by_id", "added_at",
)  # fmt: skip
REVIEW_COLUMNS = (
    "id", "annotation_id", "decision", "comment", "annotation_version", "review_round",
    "reviewer_id", "created_at",
)  # fmt: skip


def bench_users() -> dict[str, list]:
    """Get or create the bench users, each in its role group: {role: [users]}."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from common.roles import Role

    User = get_user_model()
    groups = {g.name: g for g in Group.objects.filter(name__in=[r.value for r in Role])}
    missing = {r.value for r in Role} - set(groups)
    if missing:
        raise RuntimeError(f"role groups missing ({', '.join(sorted(missing))}): run migrate first")
    result: dict[str, list] = {}
    for role, names in (
        (Role.ANNOTATOR, ANNOTATORS),
        (Role.REVIEWER, REVIEWERS),
        (Role.EDITOR, EDITORS),
    ):
        users = []
        for name in names:
            user, created = User.objects.get_or_create(
                username=name, defaults={"email": f"{name}@bench.invalid", "is_staff": True}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            user.groups.add(groups[role.value])
            users.append(user)
        result[role.value] = users
    return result


def _segment_quota(rng: random.Random, segments: int, annotations: int) -> dict[int, int]:
    """How many annotations each segment index gets (only indexes with at least one)."""
    quota: dict[int, int] = {}
    if segments == 0:
        return quota
    for index in rng.choices(range(segments), k=annotations):
        quota[index] = quota.get(index, 0) + 1
    return quota


def require_bench_database(*, force: bool = False) -> None:
    """Refuse to touch a database whose name does not say it is for benches or tests."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if not force and not any(word in name for word in ("bench", "test", "memory")):
        raise RuntimeError(f"refusing to use database {name!r}: not a bench or test database")


def generate(segments: int, annotations: int, *, seed: int = 1) -> dict:
    """Add ``segments`` segments (in transcripts of ~200) and ``annotations`` annotations.

    BENCHMARK-ONLY bulk path (see the module docstring). Runs in one transaction
    and returns a summary: counts, seconds, and the ids of the bench users.
    Content is deterministic for a given seed; ids and hashes are unique per run,
    so generating twice into one database adds to it. Callers choose the database:
    the CLI refuses one whose name has no ``bench``/``test`` in it (this is not
    evidence), see :func:`require_bench_database`.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from annotate.models import Annotation, Citation, ClaimType, Review
    from archive import evidence, ledger
    from archive.models import Segment, Source, Transcript

    if segments < 0 or annotations < 0:
        raise ValueError("segments and annotations must be >= 0")
    if annotations and not segments:
        raise ValueError("annotations need segments")
    started = time.perf_counter()
    rng = random.Random(seed)
    run_id = uuid.uuid4().hex[:12]  # keeps sha256 and ids unique across runs
    id_rng = random.Random(f"{seed}:{run_id}")
    writer = LiveblogWriter(seed)
    users = bench_users()
    annotators = users["Annotator"] + users["Editor"]
    reviewers = users["Reviewer"]
    claim_types = list(ClaimType.objects.values_list("id", flat=True).order_by("slug"))
    if not claim_types:
        raise RuntimeError("no claim types: run migrate first")
    now = timezone.now()
    quota = _segment_quota(rng, segments, annotations)
    counts = {"sources": 0, "transcripts": 0, "segments": 0}
    targets: list[tuple[uuid.UUID, str, int]] = []  # (segment id, text, annotation count)
    timings: dict[str, float] = {}

    with transaction.atomic(), connection.cursor() as cursor:
        # Sources first (their text is needed whole), then transcripts, then segments;
        # one COPY at a time per connection, so documents are built twice: once for
        # the source rows and once (same seed) for the segment rows. Cheaper than
        # holding a million segments in memory.
        transcripts = _transcript_plan(segments)
        phase = time.perf_counter()
        doc_ids = [(_new_uuid(id_rng), _new_uuid(id_rng)) for _ in transcripts]
        out = _Writer(cursor, Source, SOURCE_COLUMNS)
        doc_writer = LiveblogWriter(seed)
        import_states: list[dict] = []  # one source.import event per source (see below)
        for number, ((source_id, _), size) in enumerate(zip(doc_ids, transcripts, strict=True)):
            title = f"Bench hearing {number + 1} (run {run_id})"
            text, _ = doc_writer.document(title, size)
            data = text.encode("utf-8")
            out.write((
                source_id, title, f"bench-{run_id}-{number + 1}.txt", "", "text/plain", "utf-8",
                None, now, None, BENCH_IMPORTER, hashlib.sha256(data).hexdigest(), len(data),
                data, text,
            ))  # fmt: skip
            import_states.append({
                "source_id": str(source_id), "sha256": hashlib.sha256(data).hexdigest(),
                "text_sha256": evidence.text_digest(text), "importer": BENCH_IMPORTER,
            })  # fmt: skip
        out.close()
        counts["sources"] = out.count
        out = _Writer(cursor, Transcript, TRANSCRIPT_COLUMNS)
        for number, ((source_id, transcript_id), size) in enumerate(
            zip(doc_ids, transcripts, strict=True)
        ):
            title = f"Bench hearing {number + 1} (run {run_id})"
            out.write((transcript_id, source_id, title, date(2024, 1, 1), "liveblog", size, now))
        out.close()
        counts["transcripts"] = out.count
        timings["sources"] = time.perf_counter() - phase

        phase = time.perf_counter()
        out = _Writer(cursor, Segment, SEGMENT_COLUMNS)
        index = 0
        for number, ((_, transcript_id), size) in enumerate(zip(doc_ids, transcripts, strict=True)):
            title = f"Bench hearing {number + 1} (run {run_id})"
            text, blocks = writer.document(title, size)
            digest = evidence.SegmentDigest()
            for ordinal, block in enumerate(blocks, start=1):
                segment_id = _new_uuid(id_rng)
                body = text[block.start : block.end]
                row = (
                    segment_id, transcript_id, ordinal, block.clock, block.clock_normalised,
                    block.location, block.speaker, block.speaker_role, body, block.start,
                    block.end,
                )  # fmt: skip
                digest.add(row)
                out.write(row)
                wanted = quota.get(index)
                if wanted:
                    targets.append((segment_id, body, wanted))
                index += 1
            import_states[number].update(
                transcript_id=str(transcript_id),
                segment_count=digest.count,
                segments_sha256=digest.hexdigest(),
            )
        out.close()
        counts["segments"] = out.count
        timings["segments"] = time.perf_counter() - phase

        phase = time.perf_counter()
        counts.update(
            _annotations(
                cursor, rng, id_rng, targets, annotators, reviewers, claim_types, now,
                models=(Annotation, Citation, Review),
            )
        )  # fmt: skip
        timings["annotations"] = time.perf_counter() - phase

        # Exports check each source against its import event (archive.evidence), so
        # every bench source gets one, with the digests a real import records.
        for state in import_states:
            ledger.append(
                actor=None,
                actor_label="bench.datagen",
                action="source.import",
                object_type="archive.source",
                object_id=state.pop("source_id"),
                state=state,
                reason="benchmark data generated in bulk",
            )
        # BENCHMARK-ONLY: one summary event instead of one per annotation row.
        ledger.append(
            actor=None,
            actor_label="bench.datagen",
            action=BENCH_ACTION,
            object_type="bench.run",
            object_id=run_id,
            state={"seed": seed, **counts},
            reason="benchmark data generated in bulk; not provenance",
        )
        phase = time.perf_counter()
    if connection.vendor == "postgresql":
        # VACUUM sets the visibility map after the bulk load, as autovacuum would a
        # little later, so index-only scans work from the first run. Inside a test's
        # transaction VACUUM cannot run: statistics only.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for model in (Source, Transcript, Segment, Annotation, Citation, Review):
                cursor.execute(f"{command} {model._meta.db_table}")
    timings["commit_analyze"] = time.perf_counter() - phase
    return {
        "run": run_id,
        "seed": seed,
        **counts,
        "seconds": round(time.perf_counter() - started, 2),
        "timings": {key: round(value, 2) for key, value in timings.items()},
        "users": {role: [u.pk for u in members] for role, members in users.items()},
        "vendor": connection.vendor,
    }


def _transcript_plan(segments: int) -> list[int]:
    """Segment counts per transcript: 200 each, the rest in a last smaller one."""
    full, rest = divmod(segments, SEGMENTS_PER_TRANSCRIPT)
    return [SEGMENTS_PER_TRANSCRIPT] * full + ([rest] if rest else [])


VERDICTS = ["true", "mostly-true", "mixed", "mostly-false", "false", "unverifiable"]
STATUS_WEIGHTS = (("draft", 45), ("in-review", 25), ("approved", 20), ("rejected", 10))
STANCES = ("supports", "refutes", "context")
PUBLISHERS = ("Statistics Office", "Audit Court", "Reuters", "Parliament record", "OECD")


def _annotations(
    cursor, rng, id_rng, targets, annotators, reviewers, claim_types, now, *, models
) -> dict[str, int]:
    """Write annotations over ``targets``, then their citations, then their reviews."""
    Annotation, Citation, Review = models
    statuses = [s for s, _ in STATUS_WEIGHTS]
    weights = [w for _, w in STATUS_WEIGHTS]
    citations: list[tuple] = []
    reviews: list[tuple] = []
    out = _Writer(cursor, Annotation, ANNOTATION_COLUMNS)
    for segment_id, text, wanted in targets:
        length = len(text)
        for _ in range(wanted):
            start = rng.randrange(0, max(1, length - 1))
            end = min(length, start + rng.randint(8, 120))
            if end <= start:
                start, end = 0, length
            status = rng.choices(statuses, weights)[0]
            verdict = rng.choice(VERDICTS)
            if status == "draft" and rng.random() < 0.3:
                verdict = ""
            creator = rng.choice(annotators)
            assignee = rng.choice(reviewers).pk if rng.random() < 0.4 else None
            version, review_round = 1, 0
            annotation_id = _new_uuid(id_rng)
            created = now - timedelta(seconds=rng.randint(60, 30 * 86400))
            updated = created + timedelta(seconds=rng.randint(0, 3600))
            if status != "draft":
                version, review_round = 2, 1  # submitted
                needed = 2 if verdict in ("false", "mostly-false") else 1
                if status == "in-review":
                    given = rng.randint(0, needed - 1)
                    decisions = ["approve"] * given
                elif status == "approved":
                    decisions = ["approve"] * needed
                else:
                    decisions = ["reject"]
                for reviewer in rng.sample(reviewers, len(decisions)):
                    decision = decisions.pop()
                    reviews.append((
                        _new_uuid(id_rng), annotation_id, decision,
                        "" if decision == "approve" else "The source does not support this.",
                        version, review_round, reviewer.pk, updated,
                    ))  # fmt: skip
                    version += 1
            out.write((
                annotation_id, segment_id, start, end, text[start:end],
                text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS],
                rng.choice(claim_types), f"Claim restated: {text[start:end][:80]}", verdict,
                "Checked against the official figures." if verdict else "", status,
                creator.pk, creator.pk, assignee, version, review_round, created, updated,
            ))  # fmt: skip
            for n in range(rng.randint(0, 3)):
                cited = f"https://example.org/bench/{annotation_id.hex[:12]}/{n}"
                citations.append((
                    _new_uuid(id_rng), annotation_id, cited, f"Evidence {n + 1}",
                    rng.choice(PUBLISHERS), date(2024, 1, 1) + timedelta(days=rng.randint(0, 600)),
                    created, f"https://web.archive.org/web/2025/{cited}" if n == 0 else "",
                    "An excerpt of the cited document.", rng.choice(STANCES), creator.pk, created,
                ))  # fmt: skip
    out.close()
    counts = {"annotations": out.count}
    for model, columns, rows, key in (
        (Citation, CITATION_COLUMNS, citations, "citations"),
        (Review, REVIEW_COLUMNS, reviews, "reviews"),
    ):
        out = _Writer(cursor, model, columns)
        for row in rows:
            out.write(row)
        out.close()
        counts[key] = out.count
    return counts


BENCH_TABLES = (
    "annotate_review",
    "annotate_citation",
    "annotate_annotation",
    "archive_segment",
    "archive_transcript",
    "archive_source",
    "archive_ledgerevent",
    "archive_ledgerseal",
)


def reset(*, force: bool = False, as_owner=None) -> None:
    """Empty the archive, annotations and ledger of the bench database.

    Refuses unless the database name contains ``bench``, ``test`` or ``memory``
    (or ``force``): this wipes the ledger, which no real database should ever lose.
    On PostgreSQL only the tables' owner may (the benchmarks connect as it);
    ``as_owner(sql)`` runs the TRUNCATE some other way (the tests' app role).
    """
    from django.db import connection

    require_bench_database(force=force)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks pending in this transaction would block TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # TRUNCATE does not fire the ledger's row triggers (UPDATE/DELETE only).
            (as_owner or cursor.execute)(f"TRUNCATE {', '.join(BENCH_TABLES)} CASCADE")
        else:
            for table in BENCH_TABLES:
                cursor.execute(f"DELETE FROM {table}")


def check_invariants(*, limit: int | None = None) -> list[str]:
    """Return problems found: segment spans, annotation quotes/prefix/suffix, unique sha256."""
    from django.db.models import Count

    from annotate.models import Annotation
    from archive.models import Segment, Source

    problems = []
    sources = Source.objects.only("id", "text").order_by("id")
    for source in sources[:limit] if limit else sources.iterator(chunk_size=50):
        spans = Segment.objects.filter(transcript__source=source).values_list(
            "pk", "source_start", "source_end", "text"
        )
        for pk, start, end, text in spans.iterator(chunk_size=2000):
            if source.text[start:end] != text:
                problems.append(f"segment {pk}: text is not its source span")
    annotations = Annotation.objects.select_related("segment")
    for annotation in annotations[:limit] if limit else annotations.iterator(chunk_size=2000):
        text = annotation.segment.text
        start, end = annotation.start, annotation.end
        if not (0 <= start < end <= len(text)) or text[start:end] != annotation.quote:
            problems.append(f"annotation {annotation.pk}: quote is not the segment span")
        elif (
            annotation.prefix != text[max(0, start - CONTEXT_CHARS) : start]
            or annotation.suffix != text[end : end + CONTEXT_CHARS]
        ):
            problems.append(f"annotation {annotation.pk}: prefix/suffix do not match")
    duplicated = Source.objects.values("sha256").annotate(n=Count("id")).filter(n__gt=1)
    problems += [f"sha256 {row['sha256']} is shared by {row['n']} sources" for row in duplicated]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--annotations", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reset", action="store_true", help="empty the bench tables first")
    parser.add_argument("--check", action="store_true", help="verify invariants afterwards")
    parser.add_argument(
        "--force", action="store_true", help="allow a database whose name has no 'bench'/'test'"
    )
    args = parser.parse_args(argv)
    if args.segments < 0 or args.annotations < 0:
        parser.error("--segments and --annotations must be >= 0")
    setup_django()
    from django.db import DatabaseError, connection

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    try:
        require_bench_database(force=args.force)
        if args.reset:
            reset(force=args.force)
        summary = generate(args.segments, args.annotations, seed=args.seed)
    except DatabaseError as error:
        print(f"error: {' '.join(str(error).split())} (is it migrated?)", file=sys.stderr)
        return 1
    except (RuntimeError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(
        f"{summary['segments']:,} segments in {summary['transcripts']:,} transcripts, "
        f"{summary['annotations']:,} annotations, {summary['citations']:,} citations, "
        f"{summary['reviews']:,} reviews in {summary['seconds']} s {summary['timings']}"
    )
    if args.check:
        problems = check_invariants()
        for problem in problems[:20]:
            print(problem)
        print(f"invariants: {'OK' if not problems else f'{len(problems)} problems'}")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
