"""Guessing admin passwords: after a few wrong ones the admin login locks that username
from that address, even the right password is refused until the cool-off has passed or
an operator runs ``axes_reset``; nobody can lock a user out from everywhere.

Every attempt goes through the real admin login form (a POST to /admin/login/).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from tests.factories import UserFactory

PASSWORD = "pw-for-tests-1"
# Documentation addresses (RFC 5737): only request metadata here, no traffic goes anywhere.
HOME = "192.0.2.10"
OFFICE = "198.51.100.20"
LOCKED_STATUS = 429


@pytest.fixture
def editor_user(db):
    return UserFactory(username="ed")


def _login(client, username: str, password: str, *, address: str = HOME, **headers):
    """POST the admin login form as a browser at ``address`` would."""
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **headers,
    )


def _logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def _fail_until_locked(client, username: str = "ed", *, address: str = HOME, **headers):
    """Send the failure limit's worth of wrong passwords; return the last answer."""
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = _login(client, username, f"wrong-{attempt}", address=address, **headers)
    return response


def test_wrong_passwords_below_the_limit_get_the_ordinary_form_error(client, editor_user):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "ed", f"wrong-{attempt}")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()


def test_after_the_limit_even_the_right_password_is_refused(client, editor_user):
    assert _fail_until_locked(client).status_code == LOCKED_STATUS

    response = _login(client, "ed", PASSWORD)

    assert response.status_code == LOCKED_STATUS
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_the_lockout_page_says_what_happened_and_when_to_retry(client, editor_user):
    _fail_until_locked(client)

    response = _login(client, "ed", PASSWORD)

    html = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "Too many failed logins" in html
    assert "15 minutes" in html
    assert "Claimtrail" in html  # the admin's own page, not a bare line of text
    assert PASSWORD not in html


def test_the_lock_lifts_after_the_cool_off(client, editor_user):
    _fail_until_locked(client)
    assert _login(client, "ed", PASSWORD).status_code == LOCKED_STATUS

    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(seconds=1)):
        response = _login(client, "ed", PASSWORD)

    assert _logged_in(response)


def test_the_lock_is_still_on_just_before_the_cool_off_ends(client, editor_user):
    _fail_until_locked(client)

    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME - timedelta(seconds=5)):
        assert _login(client, "ed", PASSWORD).status_code == LOCKED_STATUS


def test_axes_reset_lifts_the_lock(client, editor_user):
    _fail_until_locked(client)
    assert _login(client, "ed", PASSWORD).status_code == LOCKED_STATUS

    call_command("axes_reset", verbosity=0)

    assert _logged_in(_login(client, "ed", PASSWORD))


def test_a_successful_login_starts_the_count_again(client, editor_user):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "ed", f"wrong-{attempt}")
    assert _logged_in(_login(client, "ed", PASSWORD))
    client.logout()

    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "ed", f"again-{attempt}").status_code == 200
    assert _logged_in(_login(client, "ed", PASSWORD))


def test_a_lock_from_one_address_does_not_lock_the_user_out_elsewhere(client, editor_user):
    """An attacker who knows a username must not be able to keep its owner out."""
    _fail_until_locked(client, address=HOME)

    assert _logged_in(_login(client, "ed", PASSWORD, address=OFFICE))


def test_a_lock_on_one_username_leaves_other_users_at_that_address_alone(client, editor_user):
    """Colleagues behind one office address are not locked out by one person's typos."""
    UserFactory(username="rev")
    _fail_until_locked(client, "ed", address=OFFICE)

    assert _logged_in(_login(client, "rev", PASSWORD, address=OFFICE))


def test_unknown_usernames_are_locked_the_same_way(client, editor_user):
    """The lockout answer does not tell which usernames exist."""
    assert _fail_until_locked(client, "no-such-user").status_code == LOCKED_STATUS
    assert _login(client, "no-such-user", PASSWORD).status_code == LOCKED_STATUS


def test_a_forged_forwarded_for_header_does_not_give_a_fresh_address(client, editor_user):
    """Without a configured proxy the address is the connection's, never a client header."""
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "ed", f"wrong-{attempt}", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")

    response = _login(client, "ed", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99")

    assert response.status_code == LOCKED_STATUS
