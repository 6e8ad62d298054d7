"""Walking every annotation with the cursor while another thread writes.

The walker must see every annotation that existed when it started exactly once,
however many rows are inserted or edited meanwhile (edits change ``updated_at``,
which is why the cursor orders by creation time and id instead).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from annotate import services
from annotate.models import Annotation
from tests.api.conftest import client_for
from tests.factories import make_annotation


@pytest.fixture(autouse=True)
def _seeded(reseeded):
    """The flush after each transactional test empties the data migrations' rows."""


pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are tested on PostgreSQL (SQLite serialises them)")


def test_walk_sees_each_existing_row_once_while_rows_are_inserted_and_edited(
    annotator, reviewer, transcript
):
    segments = list(transcript.segments.order_by("ordinal"))
    existing = [make_annotation(annotator, segments[n % len(segments)]) for n in range(60)]
    before = {str(a.pk) for a in existing}
    stop = threading.Event()
    written = {"inserted": 0, "edited": 0}
    failures: list[BaseException] = []

    def writer():
        try:
            n = 0
            while not stop.is_set() and n < 400:
                make_annotation(annotator, segments[n % len(segments)])
                written["inserted"] += 1
                target = Annotation.objects.get(pk=existing[n % len(existing)].pk)
                services.annotation_update(
                    actor=annotator,
                    annotation=target,
                    expected_version=target.version,
                    claim_text=f"edit {n}",
                )
                written["edited"] += 1
                n += 1
        except BaseException as error:  # reported by the test below
            failures.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    client = client_for(reviewer)
    seen: list[str] = []
    thread.start()
    try:
        url = "/api/v1/annotations/?page_size=7"
        pages = 0
        while url:
            response = client.get(url)
            assert response.status_code == 200, response.content
            body = response.json()
            seen.extend(row["id"] for row in body["results"])
            url = body["next"]
            pages += 1
            if pages % 3 == 0 and written["inserted"] == 0:
                threading.Event().wait(0.05)  # let the writer get going
    finally:
        stop.set()
        thread.join(timeout=60)

    assert not failures, failures
    assert written["inserted"] > 0 and written["edited"] > 0, "the writer never overlapped"
    assert len(seen) == len(set(seen)), "a row was repeated"
    assert before <= set(seen), f"skipped: {sorted(before - set(seen))[:5]}"
