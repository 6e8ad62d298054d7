"""The suite runs as the app's least-privileged PostgreSQL role (README "How it is secured").

pytest-django creates and migrates the test database as the owner
(``DATABASE_OWNER_URL``), then every test connects as the app role
(``DATABASE_URL``), so a test passes only if the app works without owning anything.
What needs the owner's rights goes through here:

* :func:`owner_sql` runs one statement with the owner's rights *inside the test's own
  transaction*, through a SECURITY DEFINER function that exists only in the test
  database (created by :func:`install_test_backdoor`, never by a migration). Tests use
  it to play an attacker who holds the owner's credentials.
* :func:`owner_connection` reconnects as the owner for a transactional test that runs
  migrations.
* The flush that ends a transactional test (TRUNCATE) goes through the function too.
"""

from __future__ import annotations

import contextlib
import os

import dj_database_url
from django.conf import settings
from django.db import connection

BACKDOOR = "claimtrail_test_as_owner"
_CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


def owner_credentials() -> dict | None:
    url = os.environ.get("DATABASE_OWNER_URL")
    if not url or connection.vendor != "postgresql":
        return None
    parsed = dj_database_url.parse(url)
    return {key: parsed[key] for key in _CREDENTIALS}


def current_credentials() -> dict:
    return {key: connection.settings_dict[key] for key in _CREDENTIALS}


def use_credentials(credentials: dict) -> None:
    """Point the default connection at other credentials (it reconnects on next use)."""
    connection.close()
    connection.settings_dict.update(credentials)
    settings.DATABASES["default"].update(credentials)


def install_test_backdoor(app_role: str) -> None:
    """Create the owner-rights function in the test database (as the owner)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {BACKDOOR}(statement text) RETURNS void"
            " LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN EXECUTE statement; END $$"
        )
        cursor.execute(f"REVOKE ALL ON FUNCTION {BACKDOOR}(text) FROM PUBLIC")
        cursor.execute(f'GRANT EXECUTE ON FUNCTION {BACKDOOR}(text) TO "{app_role}"')


def runs_as_app_role() -> bool:
    owner = owner_credentials()
    return bool(owner) and connection.settings_dict["USER"] != owner["USER"]


def owner_sql(sql: str, params=None) -> None:
    """Run ``sql`` with the tables' owner's rights, in the current transaction."""
    with connection.cursor() as cursor:
        if not runs_as_app_role():
            cursor.execute(sql, params)
            return
        statement = connection.ops.compose_sql(sql, params) if params else sql
        cursor.execute(f"SELECT {BACKDOOR}(%s)", [statement])


@contextlib.contextmanager
def owner_connection():
    """Reconnect as the owner for a block (transactional tests only: it closes the connection)."""
    owner = owner_credentials()
    if not owner or not runs_as_app_role():
        yield
        return
    app = current_credentials()
    use_credentials(owner)
    try:
        yield
    finally:
        use_credentials(app)


def flush_as_owner(ops, sql_list) -> None:
    """``DatabaseOperations.execute_sql_flush`` for the app role: TRUNCATE via the owner."""
    from django.db import transaction

    with transaction.atomic(using=ops.connection.alias), ops.connection.cursor() as cursor:
        for sql in sql_list:
            cursor.execute(f"SELECT {BACKDOOR}(%s)", [sql])


def tamper(table: str, sql: str, params=None) -> None:
    """Change rows of an append-only ``table`` as its owner would, the triggers off: what
    an attacker with the owner's credentials can do (and a test needing odd evidence)."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE needs none pending
        owner_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    owner_sql(sql, params)
    if postgres:
        owner_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def db_id(value) -> object:
    """A UUID as a raw statement must compare it (SQLite stores it as 32 hex digits)."""
    return value.hex if connection.vendor == "sqlite" else value
