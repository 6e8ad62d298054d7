"""Stealing API tokens from the database: what it stores cannot be used as a token.

A token is shown once, when it is issued; the database keeps only a digest of it (and a
short lookup prefix), so anyone who reads the token tables (a database dump, a backup,
the app's own credentials) still cannot send ``Authorization: Token <value>``. Tokens
expire, rotation revokes the old ones, and every issue and revocation is on the ledger
without the key or its digest.
"""

from __future__ import annotations

import importlib
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from archive.ledger import LedgerEvent, canonical_json
from tests.factories import UserFactory

PATH = "/api/v1/annotations/"


def _issue(*args) -> str:
    out = StringIO()
    call_command("issue_token", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def _status(key: str, *, address: str = "192.0.2.1") -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(PATH, REMOTE_ADDR=address).status_code


def _token_rows() -> list[tuple]:
    """Every row of every table whose name says it holds tokens, as the database has it."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if "token" in table:
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
                rows.extend(cursor.fetchall())
    return rows


def test_no_stored_value_works_as_a_token(annotator, reviewer):
    keys = [_issue("ann"), _issue("rev")]
    assert all(_status(key) == 200 for key in keys)

    values = {str(value) for row in _token_rows() for value in row if value is not None}

    assert values, "the tokens are stored somewhere"
    assert not any(key in value for key in keys for value in values)
    for index, value in enumerate(sorted(values)):
        # Each from its own address, so the failure brake does not answer instead.
        assert _status(value, address=f"198.51.100.{index % 250 + 1}") == 401, value


def test_a_token_expires_after_the_configured_days(annotator):
    key = _issue("ann")
    days = settings.CLAIMTRAIL_TOKEN_TTL_DAYS
    with time_machine.travel(timezone.now() + timedelta(days=days) - timedelta(hours=1)):
        assert _status(key) == 200
    with time_machine.travel(timezone.now() + timedelta(days=days, hours=1)):
        assert _status(key) == 401


def test_issuing_again_adds_a_token_and_rotating_revokes_the_others(annotator):
    first = _issue("ann")
    second = _issue("ann")
    assert first != second and _status(first) == 200 and _status(second) == 200

    rotated = _issue("ann", "--rotate")

    assert _status(first) == 401 and _status(second) == 401
    assert _status(rotated) == 200


def test_issue_rotation_and_revocation_are_ledger_events_without_the_secret(annotator):
    UserFactory(username="root", is_superuser=True)
    keys = [_issue("ann"), _issue("ann", "--rotate", "--actor", "root")]
    from annotate import accounts

    digests = [accounts.token_digest(key) for key in keys]

    events = list(LedgerEvent.objects.filter(scope=f"auth.user:{annotator.pk}"))

    assert [event.action for event in events] == ["token.issue", "token.revoke", "token.issue"]
    assert [event.actor_label for event in events] == ["system", "root", "root"]
    assert events[1].state["revoked"] == 1
    for event in events:
        text = canonical_json([event.state, event.changes, event.reason])
        for secret in (*keys, *digests, *(key[:15] for key in keys)):
            assert secret not in text


def test_a_plaintext_drf_token_row_does_not_authenticate(annotator):
    """DRF's own table stays installed for its migrations, but it is not read any more."""
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=annotator)

    assert _status(token.key) == 401


def test_the_migration_revokes_every_plaintext_token(annotator, reviewer):
    from rest_framework.authtoken.models import Token

    Token.objects.create(user=annotator)
    Token.objects.create(user=reviewer)
    migration = importlib.import_module("annotate.migrations.0007_token_store")

    migration.revoke_plaintext_tokens(django_apps, None)

    assert not Token.objects.exists()


@pytest.mark.parametrize("key", ["", "x" * 200, "ñ" * 64, "0" * 64])
def test_malformed_or_unknown_keys_are_refused_cleanly(db, key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get(PATH)
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message", "fields"}
