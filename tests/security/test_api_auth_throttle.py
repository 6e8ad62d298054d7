"""Guessing API tokens: after a few wrong ones an address is slowed, then locked.

Failures are counted per client address (the connection's, never a forwarded header a
client can forge). Past the burst limit the address gets 429 with Retry-After until the
window has passed; past the sustained limit, for longer. While it is refused even a
right token is not checked (else the refusal would not stop guessing); other addresses
are not affected, and successful requests are never counted. ``manage.py api_unlock``
lifts a lock at once.

These tests use the real throttle classes and the rates of the base settings.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from tests.api.conftest import client_for

PATH = "/api/v1/claim-types/"
# Documentation addresses (RFC 5737): request metadata only.
ATTACKER = "203.0.113.7"
COLLEAGUE = "198.51.100.20"


def _rate(scope: str) -> tuple[int, int]:
    """(requests, seconds) of a throttle scope as configured."""
    from common.api.authentication import AuthFailureBurstThrottle

    return AuthFailureBurstThrottle().parse_rate(api_settings.DEFAULT_THROTTLE_RATES[scope])


def _guess(number: int, *, address: str = ATTACKER, **headers):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {number:064x}")
    return client.get(PATH, REMOTE_ADDR=address, **headers)


def _with_token(user, *, address: str):
    return client_for(user).get(PATH, REMOTE_ADDR=address)


def test_many_wrong_tokens_get_429_after_the_limit(db):
    limit, _ = _rate("auth_failure_burst")

    statuses = [_guess(n).status_code for n in range(200)]

    assert statuses[:limit] == [401] * limit
    assert statuses[limit:] == [429] * (200 - limit)


def test_the_refusal_is_the_apis_json_error_with_retry_after(db):
    limit, seconds = _rate("auth_failure_burst")
    for n in range(limit):
        _guess(n)

    response = _guess(limit)

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert 0 < int(response["Retry-After"]) <= seconds


def test_a_locked_address_is_refused_even_with_a_right_token(annotator):
    limit, _ = _rate("auth_failure_burst")
    for n in range(limit):
        _guess(n)

    assert _with_token(annotator, address=ATTACKER).status_code == 429


def test_other_addresses_keep_working_while_one_is_locked(annotator):
    for n in range(50):
        _guess(n)

    assert _with_token(annotator, address=COLLEAGUE).status_code == 200
    assert _guess(999, address=COLLEAGUE).status_code == 401  # its own count starts at 0


def test_a_forged_forwarded_for_header_does_not_reset_the_count(db):
    limit, _ = _rate("auth_failure_burst")
    statuses = [
        _guess(n, HTTP_X_FORWARDED_FOR=f"192.0.2.{n % 250 + 1}").status_code
        for n in range(limit + 5)
    ]
    assert statuses[limit:] == [429] * 5


def test_successful_requests_are_never_counted(annotator):
    limit, _ = _rate("auth_failure_burst")
    for _ in range(limit * 3):
        assert _with_token(annotator, address=ATTACKER).status_code == 200

    assert _guess(1).status_code == 401


def test_the_lock_lifts_after_the_window(annotator):
    limit, seconds = _rate("auth_failure_burst")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(limit + 1):
            _guess(n)
        assert _with_token(annotator, address=ATTACKER).status_code == 429

        clock.shift(timedelta(seconds=seconds + 1))

        assert _with_token(annotator, address=ATTACKER).status_code == 200


def test_the_sustained_limit_locks_for_longer_than_the_burst_window(annotator):
    burst, burst_seconds = _rate("auth_failure_burst")
    sustained, sustained_seconds = _rate("auth_failure_sustained")
    assert sustained > burst and sustained_seconds > burst_seconds
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sent = 0
        while sent < sustained:  # at the burst rate, so each guess is counted
            for _ in range(burst):
                _guess(sent)
                sent += 1
            clock.shift(timedelta(seconds=burst_seconds + 1))
        response = _guess(sent)
        assert response.status_code == 429
        assert int(response["Retry-After"]) > burst_seconds

        clock.shift(timedelta(seconds=sustained_seconds + 1))
        assert _with_token(annotator, address=ATTACKER).status_code == 200


@pytest.mark.parametrize("address", [[ATTACKER], []])
def test_api_unlock_lifts_a_lock_at_once(annotator, address):
    for n in range(50):
        _guess(n)
        _guess(n, address=COLLEAGUE)
    assert _with_token(annotator, address=ATTACKER).status_code == 429

    out = StringIO()
    call_command("api_unlock", *address, stdout=out)

    assert _with_token(annotator, address=ATTACKER).status_code == 200
    assert "unlocked" in out.getvalue()
    still_locked = _with_token(annotator, address=COLLEAGUE).status_code
    assert still_locked == (429 if address else 200)
