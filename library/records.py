"""The one declaration of a fact-check's fields, and the shapes derived from it.

:data:`FIELDS` names what a fact-check says, in order, with its kind. The parsed
record (:class:`library.formats.FactCheckRecord`), the ledger state, the digest that
makes a re-import a no-op, the API answer and the evidence check all read it, so a
field added here is added everywhere. Keys are inside hashed ledger rows: only ever
add them.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import orjson

# (field, kind): ``text`` is a string ("" when absent), ``date`` a date or None,
# ``number`` a float or None, ``uuid`` an id or None.
FIELDS: tuple[tuple[str, str], ...] = (
    ("url", "text"),
    ("claim_reviewed", "text"),
    ("claimant", "text"),
    ("claim_date", "date"),
    ("rating_name", "text"),
    ("rating_value", "number"),
    ("rating_best", "number"),
    ("rating_worst", "number"),
    ("verdict", "text"),
    ("publisher_name", "text"),
    ("publisher_url", "text"),
    ("date_published", "date"),
    ("headline", "text"),
    ("language", "text"),
    ("annotation", "uuid"),
    # The article (reviewBody): what matching reads beside the claim; cut to a bound.
    ("review_body", "text"),
)
FIELD_NAMES = tuple(name for name, _ in FIELDS)
KINDS = dict(FIELDS)

# Bounds on what one record may hold (characters); a record over one is refused.
MAX_LENGTHS = {
    "url": 2000,
    "claim_reviewed": 10_000,
    "claimant": 500,
    "rating_name": 500,
    "verdict": 20,
    "publisher_name": 500,
    "publisher_url": 2000,
    "headline": 1000,
    "language": 35,
}
# The article is kept up to this many characters (longer ones are cut, not refused).
REVIEW_BODY_MAX_LENGTH = 20_000
ORIGIN_MAX_LENGTH = 255


def json_value(kind: str, value: Any) -> Any:
    """A field's value as the ledger and the digest write it (JSON-ready)."""
    if value is None:
        return "" if kind == "text" else None
    if kind == "date":
        return value.isoformat() if isinstance(value, date) else str(value)
    if kind == "number":
        return float(value)
    if kind == "uuid":
        return str(value)
    return value


def values_of(obj) -> dict[str, Any]:
    """The fields of a stored fact-check (or a parsed record) as JSON-ready values."""
    out = {}
    for name, kind in FIELDS:
        attribute = "annotation_id" if name == "annotation" else name
        out[name] = json_value(kind, getattr(obj, attribute))
    return out


def digest_of(values: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of :func:`values_of` (sorted keys, compact, UTF-8).

    Two records digest alike exactly when every field is equal, so an import that
    finds the stored digest unchanged writes nothing. Where a record came from
    (``origin``) is not part of it: the same fact-check read from a renamed file is
    the same fact-check.
    """
    return hashlib.sha256(orjson.dumps(values, option=orjson.OPT_SORT_KEYS)).hexdigest()


def state_of(factcheck) -> dict[str, Any]:
    """The fact-check as the ledger records it: its id, fields, origin and digest."""
    return {
        "id": str(factcheck.pk),
        **values_of(factcheck),
        "origin": factcheck.origin,
        "digest": factcheck.digest,
    }


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """``{field: [before, after]}`` for every field whose value changed."""
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }
