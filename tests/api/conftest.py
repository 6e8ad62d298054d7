"""API fixtures: token-authenticated clients for each role, a draft and a stock of segments."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from annotate import accounts
from tests.factories import make_annotation


def token_for(user) -> str:
    """An API key of ``user``, issued through the real service once per user object (the
    store keeps only digests, so the key is remembered here)."""
    key = getattr(user, "_test_api_key", None)
    if key is None:
        _, key = accounts.token_issue(actor=None, user=user)
        user._test_api_key = key
    return key


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
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
