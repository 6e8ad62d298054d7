"""Shared fixtures: users in each role, an imported transcript, annotation factories."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from annotate.roles import Role
from tests.factories import UserFactory, make_transcript

REPO = Path(__file__).resolve().parent.parent
SEED = REPO.parent / "shared" / "seeds" / "000_59dbd672810bc89e.txt"
SAMPLE = REPO / "fixtures" / "sample_liveblog.txt"


def _user(username: str, *roles: Role):
    user = UserFactory(username=username)
    user.groups.add(*Group.objects.filter(name__in=[r.value for r in roles]))
    return user


@pytest.fixture
def annotator(db):
    return _user("ann", Role.ANNOTATOR)


@pytest.fixture
def annotator2(db):
    return _user("ann2", Role.ANNOTATOR)


@pytest.fixture
def reviewer(db):
    return _user("rev", Role.REVIEWER)


@pytest.fixture
def reviewer2(db):
    return _user("rev2", Role.REVIEWER)


@pytest.fixture
def editor(db):
    return _user("ed", Role.EDITOR)


@pytest.fixture
def outsider(db):
    return _user("nobody")


@pytest.fixture
def transcript(db):
    return make_transcript()


@pytest.fixture
def segment(transcript):
    return transcript.segments.order_by("ordinal").first()
