"""How a ledger event reads on a History page: the fields it set or changed, by their
labels, with values a person can read.

The ledger keeps states and changes as recorded (keys, ids, slugs); this module only
presents them: a field's label comes from the model it belongs to, a choice shows its
label, a long value is cut with "…" and kept whole for the page to show on demand, and
the id of another object is shortened (an object the event is about is named by what
its state carries: a title, a name, a URL).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst

from common.text import shorten

from .models import LedgerEvent

SHOWN_CHARS = 80  # longer values are cut on the page; the whole value opens on demand
ID_CHARS = 8  # an id is shown as its first characters: enough to tell two apart
HIDDEN_KEYS = frozenset({"id", "dropped"})  # the event names its object; "dropped" is import detail
# Keys of a recorded state that name its object, best first.
NAME_KEYS = ("title", "name", "username", "user", "quote", "url", "slug", "filename")
_WORDS = {"url": "URL", "id": "ID", "sha256": "SHA-256", "utc": "UTC"}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_EMPTY = (None, "", [], {})


@dataclass(frozen=True)
class Value:
    """A value as the page shows it: ``short``, and ``full`` when ``short`` was cut."""

    short: str
    full: str = ""


@dataclass(frozen=True)
class Field:
    """One field of an event: ``before`` is None when the event set it rather than
    changed it (a creation, an import, the last state of a removed object)."""

    label: str
    after: Value
    before: Value | None = None


def event_row(event: LedgerEvent, page_object: models.Model) -> dict:
    """What the History page of ``page_object`` shows of ``event``."""
    model = _model(event.object_type)
    own_id = str(page_object.pk)
    pairs = [
        (key, pair)
        for key, pair in (event.changes or {}).items()
        if key not in HIDDEN_KEYS and isinstance(pair, list | tuple) and len(pair) == 2
    ]
    if pairs:
        fields = [
            (key, Field(_label(model, key), _value(model, key, new), _value(model, key, old)))
            for key, (old, new) in pairs
        ]
    else:  # nothing changed from an earlier state: what the event recorded
        fields = [
            (key, Field(_label(model, key), _value(model, key, value)))
            for key, value in (event.state or {}).items()
            if key not in HIDDEN_KEYS and value not in _EMPTY and str(value) != own_id
        ]
    order = _field_order(model)
    fields.sort(key=lambda item: (order.get(item[0], len(order)), item[0]))
    return {
        "event": event,
        "fields": [field for _, field in fields],
        "changed": bool(pairs),
        "subject": "" if event.object_id == own_id else _subject(event),
    }


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _model_field(model, key: str) -> models.Field | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def _field_order(model) -> dict[str, int]:
    """The model's field order, which is the order its forms and records use."""
    if model is None:
        return {}
    return {field.name: index for index, field in enumerate(model._meta.concrete_fields)}


def _label(model, key: str) -> str:
    field = _model_field(model, key)
    name = str(field.verbose_name) if field is not None else key.removesuffix("_id")
    words = name.replace("_", " ").split()
    return capfirst(" ".join(_WORDS.get(word.lower(), word) for word in words))


def _value(model, key: str, value: Any) -> Value:
    field = _model_field(model, key)
    if field is not None and field.choices and isinstance(value, str):
        value = dict(field.flatchoices).get(value, value)
    text = _text(value)
    short = shorten(text, SHOWN_CHARS)
    return Value(short, text if short != text else "")


def _text(value: Any) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_text(item) for item in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_text(item)}" for key, item in value.items()) or "—"
    text = str(value)
    return _short_id(text) if _UUID.fullmatch(text) else text


def _short_id(value: str) -> str:
    return value[:ID_CHARS] + "…"


def _subject(event: LedgerEvent) -> str:
    """The object an event of another object on this page is about: its kind and name."""
    kind = event.object_type.split(".")[-1]
    state = event.state or {}
    name = next((str(state[key]) for key in NAME_KEYS if state.get(key) not in _EMPTY), "")
    return f"{kind}: {shorten(name, 60) if name else _short_id(event.object_id)}"
