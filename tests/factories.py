"""factory_boy factories and small builders that go through the real services."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from annotate import services

LIVEBLOG = """Home News Sample breadcrumb...

Sample hearing on the town budget

0900: Riverton: Ms. Ada Example, treasurer of Riverton

The town spent 4.2 million on roads in 2023, up 12 per cent on 2022.

According to the 2024 audit, three bridges need repair before 2027.

0915: Riverton: Mr. Ben Sample

Unemployment fell to 5 per cent last year, the lowest since 2009.

0930: Riverton: The session closes with a vote.

Exit mobile version"""


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pw-for-tests-1")
    is_staff = True


def make_transcript(text: str = LIVEBLOG, *, actor=None, filename: str = "sample.txt"):
    """Import ``text`` through the real import service and return its transcript."""
    from archive.services import source_import

    return source_import(data=text.encode("utf-8"), actor=actor, filename=filename).transcript


def make_annotation(actor, segment, *, words: str | None = None, verdict: str = "true", **extra):
    """Create a draft over ``words`` (or the segment's first 10 characters)."""
    start = segment.text.index(words) if words else 0
    end = start + len(words) if words else min(10, len(segment.text))
    return services.annotation_create(
        actor=actor,
        segment=segment,
        start=start,
        end=end,
        claim_type=extra.pop("claim_type", "quantity"),
        claim_text=extra.pop("claim_text", "A restated claim."),
        verdict=verdict,
        **extra,
    )


def three_annotations(annotator, annotator2, transcript, *, bridges_verdict: str = "false"):
    """Two drafts in the first segment (one by each annotator) and one submitted claim
    in the second: the set the filter tests search."""
    segments = list(transcript.segments.order_by("ordinal"))
    roads = make_annotation(annotator, segments[0], words="4.2 million on roads", verdict="true")
    bridges = make_annotation(
        annotator2, segments[0], words="three bridges", verdict=bridges_verdict
    )
    jobs = make_annotation(annotator, segments[1], words="Unemployment fell", verdict="mixed")
    jobs = services.annotation_submit(actor=annotator, annotation=jobs, expected_version=1)
    return roads, bridges, jobs
