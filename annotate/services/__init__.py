"""Every change to annotations, citations, reviews and the taxonomy, each with its ledger event.

Each service is one transaction: it locks what it changes, checks the version the
caller based the change on, checks the workflow rules, writes, and appends its
ledger event last. A refused call raises a :mod:`common.errors` exception and
writes nothing. The admin, the API, the commands and restore all write through
these functions; this module is their one import surface.
"""

from annotate.records import (
    ANNOTATION_EDITABLE as EDITABLE_FIELDS,
)
from annotate.records import (
    CITATION_FIELDS,
    annotation_state,
    citation_state,
)
from annotate.services._rules import CONTEXT_CHARS, LOCK_RELATIONS, quote_span
from annotate.services.anchors import (
    anchor_candidates,
    annotation_place,
    annotation_retire,
    annotations_carry,
    latest_revision,
)
from annotate.services.annotations import (
    annotation_assign,
    annotation_create,
    annotation_delete,
    annotation_update,
)
from annotate.services.citations import citation_add, citation_remove, citation_update
from annotate.services.claim_types import (
    CLAIM_TYPE_FIELDS,
    claim_type_create,
    claim_type_delete,
    claim_type_fingerprint,
    claim_type_update,
)
from annotate.services.transitions import (
    TRANSITION_SERVICES,
    annotation_approve,
    annotation_reject,
    annotation_reopen,
    annotation_request_changes,
    annotation_submit,
    require_verdict_to_submit,
)

__all__ = [
    "CITATION_FIELDS",
    "CLAIM_TYPE_FIELDS",
    "CONTEXT_CHARS",
    "EDITABLE_FIELDS",
    "LOCK_RELATIONS",
    "TRANSITION_SERVICES",
    "anchor_candidates",
    "annotation_place",
    "annotation_retire",
    "annotations_carry",
    "latest_revision",
    "annotation_approve",
    "annotation_assign",
    "annotation_create",
    "annotation_delete",
    "annotation_reject",
    "annotation_reopen",
    "annotation_request_changes",
    "annotation_state",
    "annotation_submit",
    "annotation_update",
    "citation_add",
    "citation_remove",
    "citation_state",
    "citation_update",
    "claim_type_create",
    "claim_type_delete",
    "claim_type_fingerprint",
    "claim_type_update",
    "quote_span",
    "require_verdict_to_submit",
]
