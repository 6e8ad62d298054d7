"""manage.py issue_token: prints a working key once; refuses unknown, inactive or role-less
users and actors who are neither the user nor a superuser."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from tests.factories import UserFactory


def _issue(*args) -> str:
    out = StringIO()
    call_command("issue_token", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def _status(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/annotations/").status_code


def test_token_authenticates(annotator):
    key = _issue("ann")
    assert _status(key) == 200


def test_issuing_again_gives_another_working_key(annotator):
    first, second = _issue("ann"), _issue("ann")
    assert first != second
    assert _status(first) == 200 and _status(second) == 200


def test_rotate_revokes_the_old_token(annotator):
    old = _issue("ann")
    new = _issue("ann", "--rotate")
    assert new != old
    assert _status(old) == 401
    assert _status(new) == 200


def test_the_user_themself_or_a_superuser_may_be_the_actor(annotator):
    UserFactory(username="root", is_superuser=True)
    assert _status(_issue("ann", "--actor", "ann")) == 200
    assert _status(_issue("ann", "--actor", "root")) == 200


def test_refuses_another_user_as_actor(annotator, editor):
    with pytest.raises(CommandError, match="themself or a superuser"):
        _issue("ann", "--actor", "ed")


@pytest.mark.parametrize("username", ["ghost", "nobody"])
def test_refuses_unknown_or_roleless_users(outsider, username):
    with pytest.raises(CommandError):
        _issue(username)


def test_refuses_unknown_actors(annotator):
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        _issue("ann", "--actor", "ghost")


def test_refuses_inactive_users(annotator):
    annotator.is_active = False
    annotator.save()
    with pytest.raises(CommandError, match="inactive"):
        _issue("ann")
