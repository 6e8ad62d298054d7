"""The claim-type taxonomy: the one write path for the API, the admin and restore.

Editors only. A claim type has no version number: its fingerprint (a hash of its
fields) is its ETag, and a change based on another fingerprint is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from annotate import records, workflow
from annotate.actions import AnnotateAction
from annotate.models import ClaimType
from annotate.services._rules import _require_user
from archive import ledger
from common.errors import Conflict, InvalidInput, NotAllowed
from common.roles import roles_of

CLAIM_TYPE_FIELDS = records.CLAIM_TYPE_EDITABLE  # the import surface's name for them


def claim_type_fingerprint(claim_type: ClaimType | Mapping[str, Any]) -> str:
    """A short hash of the claim type's fields (an instance, or its fields as a mapping)."""
    if not isinstance(claim_type, Mapping):
        claim_type = {field: getattr(claim_type, field) for field in records.CLAIM_TYPE_FIELDS}
    state = {field: claim_type[field] for field in records.CLAIM_TYPE_FIELDS}
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:16]


def _require_editor(actor) -> None:
    _require_user(actor)
    if not workflow.may(workflow.Action.CHANGE_TAXONOMY, roles_of(actor)):
        raise NotAllowed("only an editor may change the taxonomy")


def _name(value: Any) -> str:
    name = (value or "").strip()
    if not name:
        raise InvalidInput("name is required", fields={"name": ["required"]})
    return name


@ledger.atomic
def claim_type_create(
    *, actor, slug: str, name: str, description: str = "", checkable: bool = True, reason: str = ""
) -> ClaimType:
    """Add a claim type to the taxonomy (editors only)."""
    _require_editor(actor)
    if ClaimType.objects.filter(slug=slug).exists():
        raise InvalidInput(f"a claim type {slug!r} already exists", fields={"slug": ["taken"]})
    claim_type = ClaimType(
        slug=slug, name=_name(name), description=description or "", checkable=bool(checkable)
    )
    claim_type.save(force_insert=True)
    ledger.append(
        actor=actor,
        action=AnnotateAction.CLAIMTYPE_CREATE,
        obj=claim_type,
        state=records.claim_type_state(claim_type),
        reason=reason,
    )
    return claim_type


@ledger.atomic
def claim_type_update(
    *, actor, claim_type: ClaimType, expected_fingerprint: str, reason: str = "", **changes: Any
) -> ClaimType:
    """Change a claim type's name, description or checkability; its slug is stable."""
    _require_editor(actor)
    unknown = set(changes) - set(records.CLAIM_TYPE_EDITABLE)
    if unknown:
        raise InvalidInput(f"these fields cannot be changed: {', '.join(sorted(unknown))}")
    claim_type = ClaimType.objects.select_for_update().filter(pk=claim_type.pk).first()
    if claim_type is None:
        raise InvalidInput("this claim type no longer exists")
    if expected_fingerprint != claim_type_fingerprint(claim_type):
        last = ledger.history(claim_type).order_by("-sequence").first()
        raise Conflict(
            f"claim type {claim_type.slug!r} was changed since you read it; reload it",
            current_version=0,
            changed_by=last.actor_label if last else "",
            changed_at=last.recorded_at if last else None,
        )
    before = records.claim_type_state(claim_type)
    if "name" in changes:
        claim_type.name = _name(changes["name"])
    if "description" in changes:
        claim_type.description = changes["description"] or ""
    if "checkable" in changes:
        claim_type.checkable = bool(changes["checkable"])
    claim_type.save()
    after = records.claim_type_state(claim_type)
    ledger.append(
        actor=actor,
        action=AnnotateAction.CLAIMTYPE_UPDATE,
        obj=claim_type,
        state=after,
        changes=records.changes(before, after),
        reason=reason,
    )
    return claim_type


@ledger.atomic
def claim_type_delete(*, actor, claim_type: ClaimType, reason: str = "") -> None:
    """Delete a claim type no annotation uses (the database refuses otherwise)."""
    _require_editor(actor)
    if claim_type.annotations.exists():
        raise NotAllowed(
            f"claim type {claim_type.slug!r} is used by annotations and cannot be deleted"
        )
    state, object_id = records.claim_type_state(claim_type), str(claim_type.pk)
    claim_type.delete()
    ledger.append(
        actor=actor,
        action=AnnotateAction.CLAIMTYPE_DELETE,
        object_type="annotate.claimtype",
        object_id=object_id,
        state=state,
        reason=reason,
    )
