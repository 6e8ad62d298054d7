"""The one definition of each annotate record's fields, and the shapes built from them.

A field is named here once; the ledger state, the export records, the API
representation and restore read these tables instead of spelling the fields out.
``docs/adding-a-field.md`` says where else a new field goes.

The strings here are also inside hashed ledger rows and exported files: renaming a
key changes what history and packages say, so keys are only ever added.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

# What a citation's author writes, in the order every shape lists it: API input and
# output, the ledger state, JSONL, CSV and restore.
CITATION_FIELDS = (
    "url",
    "title",
    "publisher",
    "published_on",
    "accessed_at",
    "archived_url",
    "excerpt",
    "stance",
)

# The annotation's free-text fields, written as given (None as "").
ANNOTATION_TEXT = ("claim_text", "verdict_summary", "note")
# What an annotation's author may change on a draft (besides its citations).
ANNOTATION_EDITABLE = ("start", "end", "claim_type", "verdict", *ANNOTATION_TEXT)

# The annotation as the ledger records it, key by key. The anchor (quote, prefix,
# suffix) is derived from the span, never written by a caller.
ANNOTATION_STATE = (
    "id",
    "segment",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "claim_type",
    "claim_text",
    "verdict",
    "verdict_summary",
    "note",
    "status",
    "created_by",
    "last_edited_by",
    "assignee",
    "version",
    "review_round",
)

# Users are recorded by username: ids differ between databases, names travel.
ANNOTATION_USERS = ("created_by", "last_edited_by", "assignee")

# The export records (what every exporter reads, annotate.datasets.exporters.base):
# (key, model field or ORM path, kind). The kind says how a value is written:
# ``uuid`` as text, ``user`` as the username, ``datetime``/``date`` in ISO 8601, and
# anything else as it is. The reader (values() rows) and the instance path
# (annotation_record) both build records from these tables, so they agree.
ANNOTATION_RECORD = (
    ("id", "id", "uuid"),
    ("segment_id", "segment_id", "uuid"),
    ("start", "start", ""),
    ("end", "end", ""),
    ("quote", "quote", ""),
    ("prefix", "prefix", ""),
    ("suffix", "suffix", ""),
    ("claim_type", "claim_type__slug", ""),
    ("claim_text", "claim_text", ""),
    ("verdict", "verdict", ""),
    ("verdict_summary", "verdict_summary", ""),
    ("note", "note", ""),
    ("status", "status", ""),
    ("created_by", "created_by", "user"),
    ("last_edited_by", "last_edited_by", "user"),
    ("assignee", "assignee", "user"),
    ("version", "version", ""),
    ("review_round", "review_round", ""),
    ("created_at", "created_at", "datetime"),
    ("updated_at", "updated_at", "datetime"),
)
_CITATION_KINDS = {"published_on": "date", "accessed_at": "datetime"}
CITATION_RECORD = (
    ("id", "id", "uuid"),
    *((key, key, _CITATION_KINDS.get(key, "")) for key in CITATION_FIELDS),
    ("added_by", "added_by", "user"),
    ("added_at", "added_at", "datetime"),
)
REVIEW_RECORD = (
    ("id", "id", "uuid"),
    ("decision", "decision", ""),
    ("comment", "comment", ""),
    ("annotation_version", "annotation_version", ""),
    ("review_round", "review_round", ""),
    ("reviewer", "reviewer", "user"),
    ("created_at", "created_at", "datetime"),
)


# A JSONL package (annotate.datasets.exporters.jsonl) splits each annotation in two:
# segments.jsonl carries what a reader of the dataset wants, restore.jsonl the
# bookkeeping only ``import_dataset`` needs. A key of ANNOTATION_RECORD that is not
# public goes into restore.jsonl, so every exported field also round-trips.
ANNOTATION_PUBLIC = (
    "id",
    "start",
    "end",
    "quote",
    "claim_type",
    "claim_text",
    "verdict",
    "verdict_summary",
    "status",
    "created_by",
)
ANNOTATION_BOOKKEEPING = tuple(
    key for key, _, _ in ANNOTATION_RECORD if key not in ANNOTATION_PUBLIC and key != "segment_id"
)
CITATION_BOOKKEEPING = tuple(key for key, _, _ in CITATION_RECORD if key not in CITATION_FIELDS)


def _api_annotation_record() -> tuple:
    """The export record under the API's names: ``segment``, then its ``transcript`` and
    that transcript's ``revision``; last, where the annotation stands across revisions."""
    table = []
    for key, path, kind in ANNOTATION_RECORD:
        if key == "segment_id":
            table += [
                ("segment", path, kind),
                ("transcript", "segment__transcript_id", "uuid"),
                ("revision", "segment__transcript__revision", ""),
            ]
        else:
            table.append((key, path, kind))
    return (*table, ("anchor_status", "anchor_status", ""), ("anchor_note", "anchor_note", ""))


# The API's representations (annotate.api.serializers, annotate.fast.api_rows), before
# the nested citations and reviews.
API_ANNOTATION_RECORD = _api_annotation_record()
API_CITATION_RECORD = (
    CITATION_RECORD[0],
    ("annotation", "annotation_id", "uuid"),
    *CITATION_RECORD[1:],
)
API_REVIEW_RECORD = REVIEW_RECORD

CLAIM_TYPE_FIELDS = ("slug", "name", "description", "checkable")
# What an editor may change; the slug is the claim type's stable name.
CLAIM_TYPE_EDITABLE = ("name", "description", "checkable")


def username(user) -> str | None:
    return user.get_username() if user is not None else None


def iso_datetime(value: datetime | None) -> str | None:
    """UTC ISO 8601 with microseconds dropped only when they are zero (Python's rule)."""
    if value is None:
        return None
    if value.tzinfo is UTC:  # what the database hands back: the common, fast case
        return value.isoformat()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def uuid_text(value: Any) -> str | None:
    return str(value) if value is not None else None


WRITERS = {"uuid": uuid_text, "datetime": iso_datetime, "date": iso_date}


def attribute_path(obj, path: str) -> Any:
    """``obj``'s value at the ORM path ``path`` (``segment__transcript_id``), None past a
    missing relation."""
    value = obj
    for name in path.split("__"):
        value = getattr(value, name) if value is not None else None
    return value


def model_field(model, path: str):
    """The model field at the end of the ORM path ``path`` (``claim_type__slug``)."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.get_field(name)


def record_of(table, obj, writers=WRITERS) -> dict[str, Any]:
    """The record of one model instance under ``table`` (relations already loaded);
    ``writers`` say how each kind is written (the API writes UTC times with ``Z``)."""
    record: dict[str, Any] = {}
    for key, path, kind in table:
        value = attribute_path(obj, path)
        if kind == "user":
            value = username(value)
        elif kind:
            value = writers[kind](value)
        record[key] = value
    return record


def annotation_state(annotation) -> dict[str, Any]:
    """The annotation as the ledger records it (also what history rebuilds)."""
    state: dict[str, Any] = {}
    for key in ANNOTATION_STATE:
        if key == "id":
            state[key] = str(annotation.pk)
        elif key == "segment":
            state[key] = str(annotation.segment_id)
        elif key == "claim_type":
            state[key] = annotation.claim_type.slug
        elif key in ANNOTATION_USERS:
            state[key] = username(getattr(annotation, key))
        else:
            state[key] = getattr(annotation, key)
    return state


# The ANNOTATION_STATE keys that the export record names otherwise.
_RECORD_KEY_OF_STATE = {"segment": "segment_id"}


def annotation_state_of_record(record: dict[str, Any]) -> dict[str, Any]:
    """The ledger state of the annotation an export record describes (what restore
    records): ``annotation_state`` of the restored row."""
    return {key: record[_RECORD_KEY_OF_STATE.get(key, key)] for key in ANNOTATION_STATE}


def citation_state(citation) -> dict[str, Any]:
    """The citation as the ledger records it."""
    state: dict[str, Any] = {"id": str(citation.pk), "annotation": str(citation.annotation_id)}
    for key in CITATION_FIELDS:
        value = getattr(citation, key)
        if key in ("published_on", "accessed_at"):
            value = value.isoformat() if value else None
        state[key] = value
    state["added_by"] = username(citation.added_by)
    return state


def claim_type_state(claim_type) -> dict[str, Any]:
    """The claim type as the ledger records it."""
    return {
        "id": str(claim_type.pk),
        **{key: getattr(claim_type, key) for key in CLAIM_TYPE_FIELDS},
    }


def changes(before: dict, after: dict) -> dict[str, list]:
    """``{key: [before, after]}`` for every key whose value changed."""
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }
