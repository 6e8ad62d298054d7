"""Writes to the claim-type taxonomy, each with its ledger event.

Services like those in ``annotate.services`` (one transaction, editor-only,
ledger event last), so the admin never saves a claim type on its own.
"""

from __future__ import annotations

from django.db import transaction

from archive import ledger

from .errors import NotAllowed
from .models import ClaimType
from .roles import Role, roles_of

FIELDS = ("slug", "name", "description", "checkable")


def _state(claim_type: ClaimType) -> dict:
    return {field: getattr(claim_type, field) for field in FIELDS}


def _require_editor(actor) -> None:
    if Role.EDITOR not in roles_of(actor):
        raise NotAllowed("only an editor may change the claim-type taxonomy")


@transaction.atomic
def claim_type_save(*, actor, claim_type: ClaimType, changed=(), reason: str = "") -> ClaimType:
    """Create or change a claim type (the form has already validated it)."""
    _require_editor(actor)
    adding = claim_type._state.adding
    before = {} if adding else _state(ClaimType.objects.get(pk=claim_type.pk))
    claim_type.save()
    after = _state(claim_type)
    ledger.append(
        actor=actor,
        action="claimtype.create" if adding else "claimtype.update",
        obj=claim_type,
        state=after,
        changes={} if adding else {k: [before[k], v] for k, v in after.items() if before[k] != v},
        reason=reason,
    )
    return claim_type


@transaction.atomic
def claim_type_delete(*, actor, claim_type: ClaimType, reason: str = "") -> None:
    """Delete a claim type no annotation uses (the database refuses otherwise)."""
    _require_editor(actor)
    state, object_id = _state(claim_type), str(claim_type.pk)
    claim_type.delete()
    ledger.append(
        actor=actor,
        action="claimtype.delete",
        object_type="annotate.claimtype",
        object_id=object_id,
        state=state,
        reason=reason,
    )
