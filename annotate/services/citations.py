"""Citations of a draft: add, change, remove. Each raises the annotation's version."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from annotate import records, workflow
from annotate.actions import AnnotateAction
from annotate.fast import statements
from annotate.models import Annotation, Citation
from annotate.services._rules import (
    _check_version,
    _citation_values,
    _lock,
    _require,
    _require_user,
    _workflow_actor,
)
from annotate.workflow import Action
from archive import ledger


def _insert_citation(actor, annotation: Annotation, values: dict, reason: str) -> Citation:
    citation = Citation(annotation=annotation, added_by=actor, **values)
    statements.insert(citation)  # citation.save(force_insert=True)
    _citation_event(
        actor,
        AnnotateAction.CITATION_ADD,
        citation,
        annotation,
        records.citation_state(citation),
        {},
        reason,
    )
    return citation


def _citation_event(actor, action, citation, annotation, state, changes, reason) -> None:
    """Citation events belong to the annotation's history and carry its new version."""
    ledger.append(
        actor=actor,
        action=action,
        object_type="annotate.citation",
        object_id=str(citation.pk),
        scope=annotation,
        state={
            **state,
            "annotation_version": annotation.version,
            "annotation_last_edited_by": records.username(annotation.last_edited_by),
        },
        changes=changes,
        reason=reason,
    )


def _touch(annotation: Annotation, actor) -> None:
    """A citation change is a change of the annotation: new version, new last editor."""
    Annotation.objects.filter(pk=annotation.pk).update(
        version=annotation.version + 1, last_edited_by=actor, updated_at=timezone.now()
    )
    annotation.version += 1
    annotation.last_edited_by = actor


@ledger.atomic
def citation_add(
    *, actor, annotation: Annotation, expected_version: int, reason: str = "", **data: Any
) -> Citation:
    """Add a citation to a draft. Raises the annotation's version."""
    _require_user(actor)
    values = _citation_values(data)
    annotation = _lock(annotation)
    _check_version(annotation, expected_version)
    _require(workflow.check(Action.EDIT, annotation.status, _workflow_actor(actor, annotation)))
    _touch(annotation, actor)
    return _insert_citation(actor, annotation, values, reason)


@ledger.atomic
def citation_update(
    *, actor, citation: Citation, expected_version: int, reason: str = "", **data: Any
) -> Citation:
    """Change a citation of a draft; ``expected_version`` is the annotation's version."""
    _require_user(actor)
    values = _citation_values(data, partial=True)
    annotation = _lock(citation.annotation_id)
    _check_version(annotation, expected_version)
    _require(workflow.check(Action.EDIT, annotation.status, _workflow_actor(actor, annotation)))
    citation = Citation.objects.select_related("added_by").get(pk=citation.pk)
    before = records.citation_state(citation)
    for key, value in values.items():
        setattr(citation, key, value)
    citation.save()
    _touch(annotation, actor)
    after = records.citation_state(citation)
    _citation_event(
        actor,
        AnnotateAction.CITATION_UPDATE,
        citation,
        annotation,
        after,
        records.changes(before, after),
        reason,
    )
    return citation


@ledger.atomic
def citation_remove(*, actor, citation: Citation, expected_version: int, reason: str = "") -> None:
    """Remove a citation from a draft; ``expected_version`` is the annotation's version."""
    _require_user(actor)
    annotation = _lock(citation.annotation_id)
    _check_version(annotation, expected_version)
    _require(workflow.check(Action.EDIT, annotation.status, _workflow_actor(actor, annotation)))
    citation = Citation.objects.select_related("added_by").get(pk=citation.pk)
    state = records.citation_state(citation)
    citation.delete()
    citation.pk = state["id"]
    _touch(annotation, actor)
    _citation_event(actor, AnnotateAction.CITATION_REMOVE, citation, annotation, state, {}, reason)
