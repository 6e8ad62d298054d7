"""The API benchmark's client mix works against a live server (no timings asserted)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.db import connection

from bench import api as bench_api
from tests.api.conftest import token_for


@pytest.fixture(autouse=True)
def _seeded(reseeded):
    """The flush after each transactional test empties the data migrations' rows."""


@pytest.mark.django_db(transaction=True)
def test_each_call_type_succeeds(live_server, annotator, reviewer, transcript):
    data = {
        "tokens": {
            "Annotator": [token_for(annotator)],
            "Reviewer": [token_for(reviewer)],
        },
        "segments": [(str(s.pk), len(s.text)) for s in transcript.segments.all()],
    }
    clients = 2 if connection.vendor == "postgresql" else 1
    port = urlsplit(live_server.url).port
    stats, _ = bench_api.run_clients(port, data, clients, 1.5, seed=7)
    assert stats.errors == {}
    assert all(stats.latencies[kind] for kind in bench_api.CALLS), {
        kind: len(values) for kind, values in stats.latencies.items()
    }
