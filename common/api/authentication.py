"""Token authentication that reads the token, its user and the user's roles in one query,
behind a brake on failed attempts per client address.

Tokens are knox's (:mod:`annotate.accounts` issues them): the database keeps a SHA-512
digest of each key and its first characters (``token_key``), never the key. One fixed
SQL statement finds the unexpired tokens with the key's first characters and returns,
per group of the holder, the user's columns the API needs and the token's digest; the
digest is compared in constant time here, as knox does. The roles are cached on the
user, so :func:`common.roles.roles_of` (the permission check and the services) asks
nothing more. The statement is built once from the models' metadata.

Only what the API and the services read of the user is loaded (id, username and the
flags); any other field is deferred and would be read on first access, as Django
does for ``only()``.

Failed attempts are counted per client address by two DRF throttles (a burst and a
sustained rate, ``DEFAULT_THROTTLE_RATES``) in the ``throttle`` cache. An address over
either rate is answered 429 with ``Retry-After`` before its token is even looked at, so a
right guess cannot be told from a wrong one while it is refused. Requests that succeed,
and requests without a token, are never counted.
"""

from __future__ import annotations

from functools import cache
from hmac import compare_digest

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.throttling import SimpleRateThrottle

from common.roles import Role

USER_FIELDS = ("id", "username", "is_active", "is_superuser", "is_staff")
TOKEN_FIELDS = ("digest", "token_key", "user_id", "expiry")
_ROLE_BY_NAME = {role.value: role for role in Role}
_GROUP, _DIGEST, _EXPIRY = len(USER_FIELDS), len(USER_FIELDS) + 1, len(USER_FIELDS) + 2


def key_length() -> int:
    """Every key knox issues has this many characters (prefix + random hex)."""
    return len(knox_settings.TOKEN_PREFIX) + knox_settings.AUTH_TOKEN_CHARACTER_LENGTH


@cache
def _statement(vendor: str) -> str:
    """``SELECT`` the user's fields, one group name per row and the token's digest and
    expiry, for the unexpired tokens whose key starts with the given characters."""
    del vendor  # one statement per backend: quoting may differ
    User = get_user_model()
    memberships = User.groups.through
    connection = connections[router.db_for_read(AuthToken)]
    q = connection.ops.quote_name
    token = AuthToken._meta
    user_field = memberships._meta.get_field("user").column
    group_field = memberships._meta.get_field("group").column
    columns = ", ".join(f"u.{q(User._meta.get_field(name).column)}" for name in USER_FIELDS)
    expiry = q(token.get_field("expiry").column)
    return (
        f"SELECT {columns}, g.{q(Group._meta.get_field('name').column)}, "
        f"t.{q(token.get_field('digest').column)}, t.{expiry} "
        f"FROM {q(token.db_table)} t "
        f"INNER JOIN {q(User._meta.db_table)} u "
        f"ON u.{q(User._meta.pk.column)} = t.{q(token.get_field('user').column)} "
        f"LEFT OUTER JOIN {q(memberships._meta.db_table)} ug ON ug.{q(user_field)} = "
        f"u.{q(User._meta.pk.column)} "
        f"LEFT OUTER JOIN {q(Group._meta.db_table)} g "
        f"ON g.{q(Group._meta.pk.column)} = ug.{q(group_field)} "
        f"WHERE t.{q(token.get_field('token_key').column)} = %s "
        f"AND (t.{expiry} IS NULL OR t.{expiry} > %s)"
    )


def user_with_roles(key: str):
    """The user holding the unexpired token ``key`` with its roles cached, and the token;
    None if no such token."""
    if len(key) != key_length():
        return None  # knox never issued it: no query
    alias = router.db_for_read(AuthToken)
    connection = connections[alias]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_statement(connection.vendor), [key[: CONSTANTS.TOKEN_KEY_LENGTH], now])
        rows = cursor.fetchall()
    digest = hash_token(key)
    rows = [row for row in rows if compare_digest(row[_DIGEST], digest)]
    if not rows:
        return None
    first = rows[0]
    loaded = dict(zip(USER_FIELDS, (first[0], first[1], *map(bool, first[2:5])), strict=True))
    User = get_user_model()
    names = [f.attname for f in User._meta.concrete_fields if f.attname in loaded]
    user = User.from_db(alias, names, [loaded[name] for name in names])  # model field order
    user._claimtrail_roles = frozenset(
        _ROLE_BY_NAME[row[_GROUP]] for row in rows if row[_GROUP] in _ROLE_BY_NAME
    )
    expiry = first[_EXPIRY]
    column = AuthToken._meta.get_field("expiry").get_col(AuthToken._meta.db_table)
    for converter in column.get_db_converters(connection):  # SQLite returns text
        expiry = converter(expiry, column, connection)
    token = AuthToken.from_db(
        alias, TOKEN_FIELDS, [digest, key[: CONSTANTS.TOKEN_KEY_LENGTH], user.pk, expiry]
    )
    AuthToken.user.field.set_cached_value(token, user)
    return user, token


# ---------------------------------------------------------------- the failure brake


class AuthFailureThrottle(SimpleRateThrottle):
    """Failed authentications of one client address, as a DRF rate throttle.

    Unlike DRF's throttles, which count every request, it counts only what
    :meth:`record_failure` is told, and :meth:`refusal` only reads.
    """

    cache_alias = "throttle"

    @property
    def cache(self):
        return caches[self.cache_alias]

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _load(self, request) -> None:
        self.key = self.get_cache_key(request)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()

    def refusal(self, request) -> float | None:
        """Seconds until this address may try again, or None if it may now."""
        self._load(request)
        if len(self.history) >= self.num_requests:
            return self.wait() or float(self.duration)
        return None

    def record_failure(self, request) -> None:
        self._load(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)

    @classmethod
    def unlock(cls, address: str) -> None:
        throttle = cls()
        throttle.cache.delete(throttle.cache_format % {"scope": cls.scope, "ident": address})


class AuthFailureBurstThrottle(AuthFailureThrottle):
    scope = "auth_failure_burst"


class AuthFailureSustainedThrottle(AuthFailureThrottle):
    scope = "auth_failure_sustained"


FAILURE_THROTTLES = (AuthFailureBurstThrottle, AuthFailureSustainedThrottle)


def unlock(addresses: list[str] | None = None) -> None:
    """Forget the failures of ``addresses`` (of every address when None)."""
    if addresses is None:
        caches[AuthFailureThrottle.cache_alias].clear()
        return
    for address in addresses:
        for throttle in FAILURE_THROTTLES:
            throttle.unlock(address)


class TeamTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, as DRF's, in one query with the user's roles,
    refused (429) for an address with too many recent failures."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # no token offered: nothing to guess, nothing to count
        throttles = [throttle() for throttle in FAILURE_THROTTLES]
        waits = [wait for throttle in throttles if (wait := throttle.refusal(request))]
        if waits:
            raise exceptions.Throttled(max(waits))
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            for throttle in throttles:
                throttle.record_failure(request)
            raise

    def authenticate_credentials(self, key):
        found = user_with_roles(key)
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user, token = found
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, token
