"""Token authentication reads the token, its user and the user's roles in one query."""

from __future__ import annotations

from django.contrib.auth.models import Group

from annotate import accounts
from common.api.authentication import user_with_roles
from common.roles import Role
from tests.api.conftest import client_for
from tests.factories import UserFactory


def test_one_query_authenticates_and_authorises(as_reviewer, django_assert_num_queries):
    as_reviewer.get("/api/v1/claim-types/quantity/")  # warm whatever is cached per process
    with django_assert_num_queries(2):  # the token with the roles, then the claim type
        response = as_reviewer.get("/api/v1/claim-types/quantity/")
    assert response.status_code == 200


def test_every_role_of_the_user_is_loaded(db):
    user = UserFactory(username="both")
    user.groups.add(*Group.objects.filter(name__in=[Role.REVIEWER.value, Role.EDITOR.value]))
    client = client_for(user)
    key = client._credentials["HTTP_AUTHORIZATION"].split()[1]
    found, token = user_with_roles(key)
    assert found.pk == user.pk and found.get_username() == "both"
    assert token.digest == accounts.token_digest(key) and token.user_id == user.pk
    assert found._claimtrail_roles == {Role.REVIEWER, Role.EDITOR}
    # An editor-only write is allowed with the roles from that one query.
    response = client.post("/api/v1/claim-types/", {"slug": "x-new", "name": "X"}, format="json")
    assert response.status_code == 201, response.content


def test_role_changes_apply_to_the_next_request(annotator, segment):
    client = client_for(annotator)
    assert client.get("/api/v1/annotations/").status_code == 200
    annotator.groups.clear()
    assert client.get("/api/v1/annotations/").status_code == 403


def test_superuser_without_groups_is_a_member(db):
    admin = UserFactory(username="root", is_superuser=True)
    assert client_for(admin).get("/api/v1/annotations/").status_code == 200
