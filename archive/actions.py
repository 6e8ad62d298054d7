"""The ledger's vocabulary: every action an event may carry, one enum per app, registered once.

An app names its actions in a :class:`~enum.StrEnum` and registers it here (the
archive's below, annotate's in :mod:`annotate.actions`). Writers pass the members to
:func:`archive.ledger.append`; readers compare with them, after :func:`canonical`,
which maps the older spellings already inside hashed rows (those rows are never
rewritten) to today's member.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

_MEMBERS: dict[str, StrEnum] = {}
_LEGACY: dict[str, StrEnum] = {}


class ArchiveAction(StrEnum):
    SOURCE_IMPORT = "source.import"
    SOURCE_RESTORE = "source.restore"


def register(actions: type[StrEnum], *, legacy: Mapping[str, StrEnum] | None = None):
    """Add an app's actions (and the old names its readers must still accept)."""
    for member in actions:
        known = _MEMBERS.setdefault(member.value, member)
        if known is not member:
            raise ValueError(f"ledger action {member.value!r} is registered twice")
    _LEGACY.update(legacy or {})
    return actions


def canonical(name: str) -> str:
    """The registered action ``name`` stands for: itself, or today's name for a legacy one."""
    return _LEGACY.get(name, name)


def registered() -> frozenset[str]:
    return frozenset(_MEMBERS)


register(ArchiveAction)
