"""manage.py issue_token: prints a working token; refuses unknown, inactive or role-less users."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient


def _issue(*args) -> str:
    out = StringIO()
    call_command("issue_token", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_token_authenticates_and_is_stable(annotator):
    key = _issue("ann")
    assert _issue("ann") == key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/annotations/").status_code == 200


def test_rotate_revokes_the_old_token(annotator):
    old = _issue("ann")
    new = _issue("ann", "--rotate")
    assert new != old
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert client.get("/api/v1/annotations/").status_code == 401


@pytest.mark.parametrize("username", ["ghost", "nobody"])
def test_refuses_unknown_or_roleless_users(outsider, username):
    with pytest.raises(CommandError):
        _issue(username)


def test_refuses_inactive_users(annotator):
    annotator.is_active = False
    annotator.save()
    with pytest.raises(CommandError, match="inactive"):
        _issue("ann")
