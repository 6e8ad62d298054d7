"""Imports racing on PostgreSQL: one fact-check per URL, each written once, the ledger intact."""

from __future__ import annotations

import io

import pytest
from django.db import connection

from archive import ledger
from library import services
from library.models import FactCheck
from tests.concurrently import race
from tests.library.conftest import as_jsonl, claim_review

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
IMPORTERS = 6


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (SQLite serialises all writers)")


def test_the_same_file_imported_at_once_creates_each_fact_check_once(monkeypatch):
    monkeypatch.setattr(services, "BATCH", 4)  # several batches, each a chance to collide
    data = as_jsonl(*(claim_review(n) for n in range(1, 21)))

    def run(index):
        return services.factcheck_import_file(
            actor=None, stream=io.BytesIO(data), filename=f"copy{index}.jsonl"
        )

    results = race(run, IMPORTERS, timeout=120)
    assert all(isinstance(result, services.ImportResult) for result in results), results
    assert sum(result.created for result in results) == 20
    assert all(result.created + result.unchanged == 20 for result in results)
    assert FactCheck.objects.count() == 20
    events = ledger.LedgerEvent.objects.filter(object_type="library.factcheck")
    assert events.count() == 20
    assert list(ledger.verify()) == []
