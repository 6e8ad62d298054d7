"""Imports get their vectors without anyone running embed_factchecks: a small import at
once (after its commit), a large one in the worker."""

from __future__ import annotations

import pytest
from django.tasks import task_backends
from django.test import override_settings

from library.formats import FactCheckRecord, Item
from library.services import ImportRefused, factcheck_import
from matching import receivers, tasks
from matching.models import FactCheckVector

# Vectors are computed once the import has committed: these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)

DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def records(count: int, *, start: int = 0) -> list[FactCheckRecord]:
    return [
        FactCheckRecord(
            url=f"https://checks.example.org/{n}",
            claim_reviewed=f"Claim number {n} about the harbour budget.",
            headline=f"Headline {n}",
            verdict="false",
        )
        for n in range(start, start + count)
    ]


def embedded() -> set[str]:
    """The URLs whose vectors are of their current content."""
    return {
        vector.factcheck.url
        for vector in FactCheckVector.objects.select_related("factcheck")
        if vector.digest == vector.factcheck.digest
    }


def test_a_small_import_is_embedded_when_it_commits():
    factcheck_import(actor=None, records=records(3), origin="tests")
    assert embedded() == {f"https://checks.example.org/{n}" for n in range(3)}


def test_a_changed_record_gets_vectors_of_its_new_content():
    factcheck_import(actor=None, records=records(1), origin="tests")
    (changed,) = records(1)
    factcheck_import(
        actor=None,
        records=[FactCheckRecord(url=changed.url, claim_reviewed="Other words.", verdict="true")],
        origin="tests",
    )
    assert embedded() == {changed.url}


@override_settings(TASKS=DUMMY)
def test_a_large_import_is_queued_for_the_worker(monkeypatch):
    monkeypatch.setattr(receivers, "EMBED_INLINE_MAX", 2)
    backend = task_backends["default"]
    backend.clear()
    factcheck_import(actor=None, records=records(3), origin="tests")
    assert embedded() == set()  # nothing computed in the importing process
    queued = [result.task.name for result in backend.results]
    assert queued == [tasks.embed_library.name]
    assert tasks.embed_library.call() == {"embedded": 3}  # what the worker then does
    assert len(embedded()) == 3


def test_an_import_that_changes_nothing_embeds_nothing():
    factcheck_import(actor=None, records=records(2), origin="tests")
    FactCheckVector.objects.all().delete()
    factcheck_import(actor=None, records=records(2), origin="tests")  # unchanged
    assert embedded() == set()


def test_a_refused_import_queues_nothing():
    bad = Item("record 1", reason="no claimReviewed")
    with override_settings(TASKS=DUMMY):
        backend = task_backends["default"]
        backend.clear()
        with pytest.raises(ImportRefused):
            factcheck_import(actor=None, records=[bad], origin="tests", strict=True)
        assert backend.results == []
