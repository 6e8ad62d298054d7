"""The three roles of the team, carried by Django groups of the same names."""

from enum import StrEnum


class Role(StrEnum):
    ANNOTATOR = "Annotator"
    REVIEWER = "Reviewer"
    EDITOR = "Editor"


# Who may bring documents into the archive. The rule lives here, below both apps, because
# the archive's import service enforces it and the archive never imports annotate;
# ``annotate.workflow.ROLES_FOR`` reads it, so that table still lists every rule.
SOURCE_IMPORTERS: frozenset[Role] = frozenset({Role.EDITOR})


def roles_of(user) -> frozenset[Role]:
    """The roles a user holds; superusers hold all of them, inactive users none."""
    if user is None or not getattr(user, "is_active", False):
        return frozenset()
    if user.is_superuser:
        return frozenset(Role)
    cached = getattr(user, "_claimtrail_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role if role.value in names)
        user._claimtrail_roles = cached
    return cached
