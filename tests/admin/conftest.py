"""Helpers for the admin tests: logged-in clients per role and bigger transcripts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_annotation, make_transcript


def liveblog(count: int, *, extra: str = "") -> str:
    """A liveblog with ``count`` segments, one speaker each."""
    blocks = [
        f"{9 + i // 60:02d}{i % 60:02d}: Town: Speaker {i}\n\n"
        f"Statement {i} says unemployment fell 5 per cent.{extra if i == 0 else ''}"
        for i in range(count)
    ]
    return "Sample hearing\n\n" + "\n\n".join(blocks) + "\n"


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def big_transcript(db):
    def _make(count: int, *, extra: str = ""):
        return make_transcript(liveblog(count, extra=extra), filename=f"big{count}.txt")

    return _make


@pytest.fixture
def annotate_each(db):
    def _annotate(user, transcript):
        return [
            make_annotation(user, segment, words="5 per cent")
            for segment in transcript.segments.order_by("ordinal")
        ]

    return _annotate


def change_url(annotation) -> str:
    return reverse("admin:annotate_annotation_change", args=[annotation.pk])


def step_url(annotation) -> str:
    return reverse("admin:annotate_annotation_step", args=[annotation.pk])


def reading_url(transcript) -> str:
    return reverse("admin:archive_transcript_change", args=[transcript.pk])
