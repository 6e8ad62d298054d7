"""What the management commands share."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def user_named(username: str | None):
    """The user a command's ``--user`` names (``None`` when it names nobody: the system);
    a one-line :class:`CommandError` when there is no such user."""
    if not username:
        return None
    User = get_user_model()
    try:
        return User.objects.get_by_natural_key(username)
    except User.DoesNotExist:
        raise CommandError(f"no user named {username!r}") from None
