"""Accounts: API tokens and team members' roles, each change with its ledger event.

Services like those in ``annotate.services``: one transaction, the user's row locked
(a user's events form one chain, scope ``auth.user:<id>``), the rules checked, the
ledger event appended last. The admin and ``manage.py issue_token`` only call these.

Who may do what:

* a token is issued or revoked for a user by that user, by a superuser, or by an
  operator at the server's console (``actor=None``, recorded as ``system``); never by an
  editor for someone else, or a role could be borrowed;
* editors manage accounts and roles; only superusers touch superusers, the superuser
  flag and per-user permissions.

A token's key is returned once by :func:`token_issue` and never stored: the database
keeps its SHA-512 digest and the first characters knox looks it up by. Ledger events
carry neither the key nor the digest.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken

from annotate.actions import AnnotateAction
from archive import ledger
from common.errors import InvalidInput, NotAllowed
from common.roles import Role, roles_of

USER_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
)


def token_digest(key: str) -> str:
    """The digest the token store keeps for ``key`` (knox's hash)."""
    return hash_token(key)


def token_ttl() -> timedelta:
    return timedelta(days=settings.CLAIMTRAIL_TOKEN_TTL_DAYS)


def user_state(user) -> dict[str, Any]:
    """The user as the ledger records it: never the password hash."""
    state = {field: getattr(user, field) for field in USER_FIELDS}
    state["groups"] = sorted(user.groups.values_list("name", flat=True))
    state["permissions"] = sorted(
        f"{app}.{codename}"
        for app, codename in user.user_permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    return state


def _lock(user):
    return get_user_model().objects.select_for_update().get(pk=user.pk)


def _active_tokens(user):
    return AuthToken.objects.filter(user=user).filter(
        Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
    )


def _require_token_authority(actor, user) -> None:
    if actor is None:  # an operator at the console (manage.py)
        return
    if actor.is_active and (actor.pk == user.pk or actor.is_superuser):
        return
    name = user.get_username()
    raise NotAllowed(f"only {name} themself or a superuser may issue or revoke {name}'s tokens")


def _token_event(actor, action: AnnotateAction, user, reason: str, **state) -> None:
    ledger.append(
        actor=actor,
        action=action.value,
        obj=user,
        state={"user": user.get_username(), **state, "active_tokens": _active_tokens(user).count()},
        reason=reason,
    )


@ledger.atomic
def token_issue(*, actor, user, rotate: bool = False, reason: str = "") -> tuple[AuthToken, str]:
    """Issue a new API token for ``user``; with ``rotate``, revoke their others first.

    Returns the stored token and its key, which is shown once and never kept.
    """
    _require_token_authority(actor, user)
    user = _lock(user)
    name = user.get_username()
    if not user.is_active:
        raise InvalidInput(f"{name} is inactive; activate the account first")
    if rotate:
        _revoke(actor, user, AuthToken.objects.filter(user=user), reason or "rotated")
    token, key = AuthToken.objects.create(user=user, expiry=token_ttl())
    _token_event(
        actor,
        AnnotateAction.TOKEN_ISSUE,
        user,
        reason,
        created=token.created.isoformat(),
        expiry=token.expiry.isoformat(),
    )
    return token, key


@ledger.atomic
def token_revoke(
    *, actor, user, tokens: Iterable[AuthToken] | None = None, reason: str = ""
) -> int:
    """Revoke ``tokens`` of ``user`` (all of them when None); returns how many."""
    _require_token_authority(actor, user)
    user = _lock(user)
    queryset = AuthToken.objects.filter(user=user)
    if tokens is not None:
        queryset = queryset.filter(pk__in=[token.pk for token in tokens])
    return _revoke(actor, user, queryset, reason)


def _revoke(actor, user, queryset, reason: str) -> int:
    created = sorted(value.isoformat() for value in queryset.values_list("created", flat=True))
    if not created:
        return 0
    queryset.delete()
    _token_event(
        actor,
        AnnotateAction.TOKEN_REVOKE,
        user,
        reason,
        revoked=len(created),
        revoked_created=created,
    )
    return len(created)


# ---------------------------------------------------------------- team members


def _require_user_manager(actor, before: dict | None, user, permissions) -> None:
    if actor is None or actor.is_superuser:
        return
    if Role.EDITOR not in roles_of(actor):
        raise NotAllowed("only an editor or a superuser may manage team members")
    if (before and before["is_superuser"]) or user.is_superuser:
        raise NotAllowed("only a superuser may change a superuser or grant superuser status")
    if permissions is not None:
        raise NotAllowed("only a superuser may change a user's own permissions")


def _changes(before: dict, after: dict, fields: Iterable[str]) -> dict[str, list]:
    return {
        field: [before[field], after[field]] for field in fields if before[field] != after[field]
    }


@ledger.atomic
def user_save(*, actor, user, groups=None, permissions=None, reason: str = ""):
    """Create or change a team member (the form has validated the fields).

    ``groups`` and ``permissions`` replace the user's when given. One event per kind of
    change: roles, activation or deactivation, and the other fields.
    """
    adding = user._state.adding
    before = None if adding else user_state(_lock(user))
    _require_user_manager(actor, before, user, permissions)
    user.save()
    if groups is not None:
        user.groups.set(groups)
    if permissions is not None:
        user.user_permissions.set(permissions)
    after = user_state(user)
    if adding:
        ledger.append(
            actor=actor,
            action=AnnotateAction.USER_CREATE.value,
            obj=user,
            state=after,
            reason=reason,
        )
        return user
    kinds = [
        (AnnotateAction.USER_ROLES_CHANGE, ("groups",)),
        (
            AnnotateAction.USER_ACTIVATE if after["is_active"] else AnnotateAction.USER_DEACTIVATE,
            ("is_active",),
        ),
        (
            AnnotateAction.USER_UPDATE,
            tuple(field for field in after if field not in ("groups", "is_active")),
        ),
    ]
    for action, fields in kinds:
        changes = _changes(before, after, fields)
        if changes:
            ledger.append(
                actor=actor,
                action=action.value,
                obj=user,
                state=after,
                changes=changes,
                reason=reason,
            )
    return user
