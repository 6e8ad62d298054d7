"""Acting as another user: an editor must not be able to borrow anyone's credentials.

The attack this guards against: an editor read two reviewers' API tokens in the admin,
created a ``false`` annotation and approved it twice with them, so the ledger showed
two reviewers. Editors may still manage accounts and roles, but never see, create or
delete tokens, never set another user's password, and every role change, activation
and deactivation they make is on the ledger.
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from annotate import services
from annotate.models import Review, Status
from archive.ledger import LedgerEvent
from tests.factories import UserFactory, make_annotation

TOKEN_ADMIN_PAGES = (
    "/admin/authtoken/tokenproxy/",
    "/admin/authtoken/tokenproxy/add/",
    "/admin/knox/authtoken/",
    "/admin/knox/authtoken/add/",
)
OLD_PASSWORD = "pw-for-tests-1"
NEW_PASSWORD = "a-new-password-93x"


def _issue(username: str) -> str:
    out = StringIO()
    call_command("issue_token", username, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def _logged_in(client, user):
    client.force_login(user)
    return client


def _token_rows_of(user) -> int:
    """Tokens of ``user`` in either store (DRF's old table or the hashed one)."""
    from django.db import connection

    count = 0
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table in ("authtoken_token", "knox_authtoken"):
                cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE user_id = %s", [user.pk])
                count += cursor.fetchone()[0]
    return count


def test_the_editor_group_has_no_token_permissions(db):
    codenames = Group.objects.get(name="Editor").permissions.values_list(
        "content_type__app_label", "codename"
    )
    assert [pair for pair in codenames if "token" in pair[1]] == []


@pytest.mark.parametrize("path", TOKEN_ADMIN_PAGES)
def test_an_editor_cannot_open_the_token_admin(client, editor, reviewer, path):
    key = _issue("rev")
    response = _logged_in(client, editor).get(path)
    assert response.status_code in (403, 404)
    assert key not in response.content.decode()


def test_an_editor_cannot_create_a_token_for_a_reviewer(client, editor, reviewer):
    _logged_in(client, editor)
    for path in ("/admin/authtoken/tokenproxy/add/", "/admin/knox/authtoken/add/"):
        response = client.post(path, {"user": reviewer.pk})
        assert response.status_code in (403, 404), path
    with pytest.raises(CommandError, match="only .* themself or a superuser"):
        call_command("issue_token", "rev", "--actor", "ed", stdout=StringIO())

    assert _token_rows_of(reviewer) == 0


def test_the_token_service_refuses_an_editor_acting_for_someone_else(editor, reviewer):
    from annotate import accounts
    from common.errors import NotAllowed

    with pytest.raises(NotAllowed):
        accounts.token_issue(actor=editor, user=reviewer)
    assert _token_rows_of(reviewer) == 0
    token, key = accounts.token_issue(actor=editor, user=editor)  # their own
    assert key and token.user_id == editor.pk


def test_an_editor_cannot_approve_a_false_claim_twice_with_reviewers_tokens(
    client, editor, reviewer, reviewer2, segment
):
    keys = [_issue("rev"), _issue("rev2")]
    annotation = make_annotation(editor, segment, words="4.2 million", verdict="false")
    annotation = services.annotation_submit(
        actor=editor, annotation=annotation, expected_version=annotation.version
    )
    _logged_in(client, editor)
    pages = [*TOKEN_ADMIN_PAGES, "/admin/", "/admin/auth/user/"]
    pages += [f"/admin/auth/user/{user.pk}/change/" for user in (reviewer, reviewer2)]
    seen = "".join(client.get(page).content.decode() for page in pages)

    assert not any(key in seen for key in keys)
    # Whatever looks like a key on those pages does not act as anyone.
    for index, candidate in enumerate(sorted(set(re.findall(r"[0-9a-f]{32,}", seen)))):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {candidate}")
        response = api.post(
            f"/api/v1/annotations/{annotation.pk}/approve/",
            {},
            format="json",
            HTTP_IF_MATCH=f'"{annotation.version}"',
            REMOTE_ADDR=f"198.51.100.{index % 250 + 1}",
        )
        assert response.status_code == 401
    annotation.refresh_from_db()
    assert annotation.status == Status.IN_REVIEW
    assert not Review.objects.filter(annotation=annotation, decision="approve").exists()


def test_an_editor_cannot_set_another_users_password(client, editor, reviewer):
    _logged_in(client, editor)
    url = f"/admin/auth/user/{reviewer.pk}/password/"

    assert client.get(url).status_code == 403
    response = client.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )

    assert response.status_code == 403
    reviewer.refresh_from_db()
    assert reviewer.check_password(OLD_PASSWORD)
    change_page = client.get(f"/admin/auth/user/{reviewer.pk}/change/").content.decode()
    assert "password/" not in change_page


def test_an_editor_changes_their_own_password_with_the_old_one(client, editor):
    _logged_in(client, editor)
    own = client.get(f"/admin/auth/user/{editor.pk}/password/")
    assert own.status_code == 302 and own["Location"] == "/admin/password_change/"

    response = client.post(
        "/admin/password_change/",
        {
            "old_password": OLD_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.check_password(NEW_PASSWORD)


def test_a_superuser_may_still_set_a_users_password(client, reviewer):
    root = UserFactory(username="root", is_superuser=True)
    _logged_in(client, root)
    response = client.post(
        f"/admin/auth/user/{reviewer.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.check_password(NEW_PASSWORD)


def _change_form(user, **overrides) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "groups": [group.pk for group in user.groups.all()],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value not in ("", None)}


def test_role_changes_and_deactivation_in_the_team_admin_are_ledger_events(
    client, editor, annotator
):
    _logged_in(client, editor)
    reviewer_group = Group.objects.get(name="Reviewer")
    url = f"/admin/auth/user/{annotator.pk}/change/"
    groups = [*annotator.groups.values_list("pk", flat=True), reviewer_group.pk]

    response = client.post(url, _change_form(annotator, groups=groups))
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(url, _change_form(annotator, groups=groups, is_active=""))
    assert response.status_code == 302

    events = list(LedgerEvent.objects.filter(scope=f"auth.user:{annotator.pk}"))
    assert [(event.action, event.actor_label) for event in events] == [
        ("user.roles_change", "ed"),
        ("user.deactivate", "ed"),
    ]
    assert events[0].changes["groups"] == [["Annotator"], ["Annotator", "Reviewer"]]
    assert events[1].state["is_active"] is False
    assert "password" not in events[0].state
    annotator.refresh_from_db()
    assert not annotator.is_active


def test_a_user_created_in_the_team_admin_is_a_ledger_event(client, editor):
    _logged_in(client, editor)
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "newcomer",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = LedgerEvent.objects.get(action="user.create")
    assert event.actor_label == "ed" and event.state["username"] == "newcomer"
    assert not any("pbkdf2" in str(value) or "md5" in str(value) for value in event.state.values())


def test_a_superuser_lists_tokens_without_keys_and_revokes_them_on_the_ledger(client, reviewer):
    from knox.models import AuthToken

    key = _issue("rev")
    root = UserFactory(username="root", is_superuser=True)
    _logged_in(client, root)

    page = client.get("/admin/knox/authtoken/")

    assert page.status_code == 200
    assert "rev" in page.content.decode() and key not in page.content.decode()
    token = AuthToken.objects.get(user=reviewer)
    response = client.post(
        "/admin/knox/authtoken/",
        {"action": "delete_selected", "_selected_action": [token.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AuthToken.objects.filter(user=reviewer).exists()
    event = LedgerEvent.objects.get(scope=f"auth.user:{reviewer.pk}", action="token.revoke")
    assert event.actor_label == "root" and event.state["revoked"] == 1
