"""PostgreSQL least privilege: the app's role may add evidence and ledger rows, never change them.

Migrations run as the role that owns the tables. After each ``migrate`` (the
``post_migrate`` signal) the owner grants the app's role (``DATABASE_APP_ROLE``):

* on the ledger and the evidence tables, SELECT and INSERT only: no UPDATE, DELETE or
  TRUNCATE, and as it owns nothing it cannot ALTER a table or disable a trigger;
* SELECT, INSERT, UPDATE, DELETE on every other table (annotations, users, sessions…);
* USAGE on the sequences (``nextval``, not ``setval``);
* EXECUTE on the one function sealing needs (migration 0006).

Grants are re-applied after every migrate, so tables added later are covered. When
the app role does not exist (a single-role development database) nothing is granted
and ``manage.py check --deploy`` warns.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core import checks
from django.db import connections, transaction

APPEND_ONLY_TABLES = (
    "archive_source",
    "archive_transcript",
    "archive_segment",
    "archive_ledgerevent",
    "archive_ledgerseal",
)
FUNCTIONS = ("archive_lock_ledger_for_seal()",)


def app_role() -> str:
    return getattr(settings, "DATABASE_APP_ROLE", "") or ""


def grant_statements(role: str) -> list[str]:
    """The statements that give ``role`` exactly the app's privileges (idempotent)."""
    quoted = '"' + role.replace('"', '""') + '"'
    append_only = ", ".join(APPEND_ONLY_TABLES)
    return [
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {append_only} FROM {quoted}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {quoted}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        *(f"GRANT EXECUTE ON FUNCTION {function} TO {quoted}" for function in FUNCTIONS),
    ]


def grant_app_role(*, using: str = "default", **kwargs) -> bool:
    """Grant the app role its privileges on ``using``; False when there is nothing to do."""
    connection = connections[using]
    role = app_role()
    if connection.vendor != "postgresql" or not role:
        return False
    # One transaction: a running app never sees its privileges revoked and not yet granted.
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            return False
        cursor.execute("SELECT current_user = %s", [role])
        if cursor.fetchone()[0]:
            return False  # migrating as the app role: it has what it has
        for statement in grant_statements(role):
            cursor.execute(statement)
    return True


def owns_evidence(connection) -> bool:
    """True when the connected role owns the ledger table (so it could rewrite it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_has_role(current_user, tableowner, 'USAGE') FROM pg_tables"
            " WHERE tablename = 'archive_ledgerevent'"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


@checks.register(checks.Tags.security, deploy=True)
def check_app_role(app_configs=None, **kwargs):
    """``check --deploy``: warn when the app connects as a role that could rewrite the ledger."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return []  # SQLite has no roles (README "How it is secured")
    try:
        owner = owns_evidence(connection)
    except Exception as error:  # noqa: BLE001 - a check reports, it never crashes the command
        return [checks.Warning(f"could not read the ledger's owner: {error}", id="archive.W003")]
    if owner:
        return [
            checks.Warning(
                "The app connects to PostgreSQL as a role that owns (or is a member of the"
                " owner of) the ledger tables, so it could truncate or rewrite them. Run"
                " migrations as the owner (DATABASE_OWNER_URL) and the app as"
                f" DATABASE_APP_ROLE ({app_role() or 'unset'}).",
                id="archive.W002",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_signing_key(app_configs=None, **kwargs):
    """``check --deploy``: the seal signing key must exist and be readable by its owner only."""
    path = getattr(settings, "CLAIMTRAIL_LEDGER_SIGNING_KEY", None)
    if not path or not Path(path).is_file():
        if getattr(settings, "CLAIMTRAIL_LEDGER_SIGNING_KEY_CREATE", False):
            return []  # created on first seal
        return [
            checks.Error(
                f"the ledger signing key {path} does not exist: run `manage.py ledger_key"
                " --create` once (CLAIMTRAIL_LEDGER_SIGNING_KEY)",
                id="archive.E001",
            )
        ]
    if Path(path).stat().st_mode & 0o077:
        return [
            checks.Warning(
                f"the ledger signing key {path} is readable by other users: chmod 600 it",
                id="archive.W004",
            )
        ]
    return []
