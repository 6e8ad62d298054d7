"""Token authentication that reads the token, its user and the user's roles in one query.

DRF's ``TokenAuthentication`` reads the token with its user, and the permission check
then reads the user's groups: two queries (and two ORM compilations) before any view
code runs, on every API request. Here one fixed SQL statement returns the user's
columns the API needs and one row per group; the roles are cached on the user, so
:func:`annotate.roles.roles_of` (the permission check and the services) asks nothing
more. The statement is built once from the models' metadata, not compiled per request.

Only what the API and the services read of the user is loaded (id, username and the
flags); any other field is deferred and would be read on first access, as Django
does for ``only()``.
"""

from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connections, router
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from annotate.roles import Role

USER_FIELDS = ("id", "username", "is_active", "is_superuser", "is_staff")
_ROLE_BY_NAME = {role.value: role for role in Role}


@cache
def _statement(vendor: str) -> str:
    """``SELECT`` the user's fields and one group name per row, for one token key."""
    del vendor  # one statement per backend: quoting may differ
    User = get_user_model()
    memberships = User.groups.through
    connection = connections[router.db_for_read(Token)]
    q = connection.ops.quote_name
    user_field = memberships._meta.get_field("user").column
    group_field = memberships._meta.get_field("group").column
    columns = ", ".join(f"u.{q(User._meta.get_field(name).column)}" for name in USER_FIELDS)
    return (
        f"SELECT {columns}, g.{q(Group._meta.get_field('name').column)} "
        f"FROM {q(Token._meta.db_table)} t "
        f"INNER JOIN {q(User._meta.db_table)} u "
        f"ON u.{q(User._meta.pk.column)} = t.{q(Token._meta.get_field('user').column)} "
        f"LEFT OUTER JOIN {q(memberships._meta.db_table)} ug ON ug.{q(user_field)} = "
        f"u.{q(User._meta.pk.column)} "
        f"LEFT OUTER JOIN {q(Group._meta.db_table)} g "
        f"ON g.{q(Group._meta.pk.column)} = ug.{q(group_field)} "
        f"WHERE t.{q(Token._meta.pk.column)} = %s"
    )


def user_with_roles(key: str):
    """The user holding token ``key`` with its roles cached, and the token; None if unknown."""
    alias = router.db_for_read(Token)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(_statement(connection.vendor), [key])
        rows = cursor.fetchall()
    if not rows:
        return None
    first = rows[0]
    loaded = dict(zip(USER_FIELDS, (first[0], first[1], *map(bool, first[2:5])), strict=True))
    User = get_user_model()
    names = [f.attname for f in User._meta.concrete_fields if f.attname in loaded]
    user = User.from_db(alias, names, [loaded[name] for name in names])  # model field order
    user._claimtrail_roles = frozenset(
        _ROLE_BY_NAME[row[5]] for row in rows if row[5] in _ROLE_BY_NAME
    )
    token = Token.from_db(alias, ("key", "user_id"), [key, user.pk])
    Token.user.field.set_cached_value(token, user)
    return user, token


class TeamTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, as DRF's, in one query with the user's roles."""

    def authenticate_credentials(self, key):
        found = user_with_roles(key)
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user, token = found
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, token
