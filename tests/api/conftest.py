"""API fixtures: token-authenticated clients for each role, a draft and a stock of segments."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import make_annotation


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def as_annotator(annotator):
    return client_for(annotator)


@pytest.fixture
def as_annotator2(annotator2):
    return client_for(annotator2)


@pytest.fixture
def as_reviewer(reviewer):
    return client_for(reviewer)


@pytest.fixture
def as_reviewer2(reviewer2):
    return client_for(reviewer2)


@pytest.fixture
def as_editor(editor):
    return client_for(editor)


@pytest.fixture
def as_outsider(outsider):
    return client_for(outsider)


@pytest.fixture
def draft(annotator, segment):
    return make_annotation(annotator, segment, words="4.2 million")


def etag(version: int) -> dict:
    return {"HTTP_IF_MATCH": f'"{version}"'}
