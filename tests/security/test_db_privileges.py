"""As the app's own PostgreSQL role, the ledger and the evidence cannot be erased or rewritten.

The suite connects as the role the app uses (tests/dbroles.py); these tests open a
connection of their own with the same credentials and try what an attacker holding
the app's DATABASE_URL would. PostgreSQL itself must refuse each statement.
"""

import psycopg
import pytest
from django.db import connection, transaction

from archive import ledger
from archive.privileges import APPEND_ONLY_TABLES

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ATTACKS = [
    "TRUNCATE {table}",
    "TRUNCATE {table} CASCADE",
    "UPDATE {table} SET id = id",
    "DELETE FROM {table}",
    "ALTER TABLE {table} DISABLE TRIGGER ALL",
    "ALTER TABLE {table} DISABLE TRIGGER USER",
    "DROP TABLE {table}",
    "CREATE RULE forget AS ON INSERT TO {table} DO INSTEAD NOTHING",
]


@pytest.fixture
def app_connection(reseeded):
    """A connection of its own with the app's credentials, after a committed event and seal
    (so nothing is refused merely for being empty)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no roles: README 'How it is secured' says what it cannot enforce")
    with transaction.atomic():
        ledger.append(actor=None, action="test.event", object_type="t", object_id="1")
    ledger.seal()
    settings = connection.settings_dict
    conn = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    )
    yield conn
    conn.close()


def test_the_app_role_is_not_the_owner_nor_a_superuser(app_connection):
    row = app_connection.execute(
        "SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb,"
        " pg_has_role(current_user, t.tableowner, 'USAGE')"
        " FROM pg_roles r, pg_tables t"
        " WHERE r.rolname = current_user AND t.tablename = 'archive_ledgerevent'"
    ).fetchone()
    assert row == (False, False, False, False), (
        "the suite connects as a role that owns the ledger (or may become its owner): run it"
        " with DATABASE_URL=app role and DATABASE_OWNER_URL=owner (README)"
    )


def test_postgres_refuses_every_rewrite_to_the_app_role(app_connection):
    allowed = []
    for table in APPEND_ONLY_TABLES:
        for attack in ATTACKS:
            statement = attack.format(table=table)
            try:
                app_connection.execute(statement)
            except psycopg.errors.InsufficientPrivilege:
                continue
            allowed.append(statement)
    assert allowed == []
    assert app_connection.execute("SELECT count(*) FROM archive_ledgerevent").fetchone()[0] == 1
    assert app_connection.execute("SELECT count(*) FROM archive_ledgerseal").fetchone()[0] == 1
    assert list(ledger.verify()) == []


def test_the_app_role_cannot_renumber_the_ledger(app_connection):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_connection.execute(f"SELECT setval('{ledger.SEQUENCE_NAME}', 1)")


def test_the_app_role_cannot_create_objects_in_the_schema(app_connection):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_connection.execute("CREATE TABLE public.shadow (id int)")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_connection.execute(
            "CREATE FUNCTION public.noop() RETURNS void LANGUAGE sql AS 'SELECT 1'"
        )


def test_the_app_role_still_does_its_work(app_connection):
    """Positive control: what the app needs is granted (it appends, reads, and seals)."""
    privileges = app_connection.execute(
        "SELECT has_table_privilege('archive_ledgerevent', 'INSERT'),"
        " has_table_privilege('archive_segment', 'SELECT'),"
        " has_table_privilege('annotate_annotation', 'UPDATE'),"
        " has_function_privilege('archive_lock_ledger_for_seal()', 'EXECUTE')"
    ).fetchone()
    assert privileges == (True, True, True, True)
