"""The same new bytes uploaded at the same moment: one import, and every other upload
answers "already imported" with that source. Never a 500 or a traceback, and the
losers leave nothing behind (no second transcript, segments or ledger event).

The race needs real concurrent connections, so it runs on PostgreSQL, where the
unique index on ``archive_source.sha256`` makes the losing inserts wait for the
winner and then fail. SQLite serialises all writers, so there only the plain
duplicate path is tested.
"""

from __future__ import annotations

import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, connections, transaction

from archive import ledger
from archive.models import Segment, Source, Transcript
from archive.services import ImportResult, source_import
from tests.api.conftest import client_for
from tests.concurrently import race
from tests.factories import LIVEBLOG

UPLOADERS = 8
DATA = (LIVEBLOG + "\n1200: Closing: Chair\n\nThe hearing closed at noon.\n").encode()


def _stored_once() -> Source:
    """Exactly one source, one transcript with all its segments, one import event."""
    source = Source.objects.get()
    transcript = Transcript.objects.get()
    assert transcript.source_id == source.pk
    assert Segment.objects.count() == transcript.segment_count > 0
    assert ledger.LedgerEvent.objects.filter(action="source.import").count() == 1
    return source


@pytest.mark.django_db
def test_a_second_upload_of_the_same_bytes_returns_the_first(editor):
    first = source_import(data=DATA, actor=editor, filename="a.txt")
    again = source_import(data=DATA, actor=editor, filename="b.txt")
    assert first.created and not again.created
    assert (again.source.pk, again.transcript.pk) == (first.source.pk, first.transcript.pk)
    assert again.segment_count == first.segment_count
    _stored_once()


@pytest.fixture
def _postgres():
    if connection.vendor != "postgresql":
        pytest.skip("the race needs concurrent writers; SQLite serialises them")


@pytest.mark.usefixtures("_postgres")
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_imports_store_once_and_all_return_that_source(reseeded):
    results = race(lambda index: source_import(data=DATA, filename=f"copy{index}.txt"), UPLOADERS)
    assert all(isinstance(r, ImportResult) for r in results), results
    assert sum(r.created for r in results) == 1
    source = _stored_once()
    assert {r.source.pk for r in results} == {source.pk}
    assert {r.transcript.pk for r in results} == {Transcript.objects.get().pk}
    assert list(ledger.verify()) == []


@pytest.mark.usefixtures("_postgres")
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_api_uploads_answer_one_201_and_the_rest_200(reseeded, editor):
    clients = [client_for(editor) for _ in range(UPLOADERS)]

    def upload(index):
        file = SimpleUploadedFile(f"copy{index}.txt", DATA, content_type="text/plain")
        return clients[index].post("/api/v1/sources/", {"file": file}, format="multipart")

    responses = race(upload, UPLOADERS, timeout=120)
    statuses = sorted(getattr(r, "status_code", r) for r in responses)
    assert statuses == [200] * (UPLOADERS - 1) + [201], [r.content for r in responses]
    source = _stored_once()
    bodies = [r.json() for r in responses]
    assert {b["source"]["id"] for b in bodies} == {str(source.pk)}
    assert sum(b["created"] for b in bodies) == 1


@pytest.mark.usefixtures("_postgres")
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_import_commands_print_the_one_source(reseeded, tmp_path):
    path = tmp_path / "hearing.txt"
    path.write_bytes(DATA)
    outputs = [(io.StringIO(), io.StringIO()) for _ in range(4)]

    def run(index):
        out, err = outputs[index]
        call_command("import_transcript", str(path), stdout=out, stderr=err)

    results = race(run, count=len(outputs))
    assert results == [None] * len(outputs), results
    source = _stored_once()
    printed = [out.getvalue() for out, _ in outputs]
    assert all(err.getvalue() == "" for _, err in outputs)
    assert sum("already imported as source" in text for text in printed) == len(outputs) - 1
    transcript = Transcript.objects.get()
    assert all(str(transcript.pk) in text for text in printed)
    assert all(str(source.pk) in text for text in printed if "already" in text)


@pytest.mark.usefixtures("_postgres")
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_import_that_loses_the_race_while_inserting_returns_the_winner(reseeded):
    """The loser's existence check runs before the winner commits, so it parses and
    inserts, waits on the unique index, and fails when the winner commits."""
    inserted, commit = threading.Event(), threading.Event()
    results: dict = {}

    def winner():
        try:
            with transaction.atomic():
                results["winner"] = source_import(data=DATA, filename="first.txt")
                inserted.set()
                commit.wait(timeout=120)
        finally:
            connections.close_all()

    def loser():
        try:
            results["loser"] = source_import(data=DATA, filename="second.txt")
        except Exception as error:  # asserted on below
            results["loser"] = error
        finally:
            connections.close_all()

    first = threading.Thread(target=winner)
    first.start()
    assert inserted.wait(timeout=120)
    second = threading.Thread(target=loser)
    second.start()
    try:
        assert _a_backend_waits_on_a_lock(), "the second import never waited on the first"
    finally:
        commit.set()
        first.join(timeout=120)
        second.join(timeout=120)
    assert isinstance(results["loser"], ImportResult), results["loser"]
    assert results["winner"].created and not results["loser"].created
    assert results["loser"].source.pk == results["winner"].source.pk
    _stored_once()


def _a_backend_waits_on_a_lock(attempts: int = 1200) -> bool:
    """Poll pg_stat_activity until another backend of this database waits on a lock."""
    stop = threading.Event()
    with connection.cursor() as cursor:
        for _ in range(attempts):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            stop.wait(0.05)
    return False
