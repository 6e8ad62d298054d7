"""annotation_create / annotation_update find the span of a quote given without offsets."""

import pytest

from annotate import services
from annotate.models import Annotation
from common.errors import InvalidInput
from tests.factories import make_annotation

pytestmark = pytest.mark.django_db


def test_create_from_a_quote_that_occurs_once(annotator, segment):
    annotation = services.annotation_create(
        actor=annotator, segment=segment, quote="up 12 per cent", claim_type="quantity"
    )
    start = segment.text.index("up 12 per cent")
    assert (annotation.start, annotation.end) == (start, start + len("up 12 per cent"))


@pytest.mark.parametrize("quote, times", [("20", None), ("four tunnels", 0)])
def test_create_refuses_a_quote_that_does_not_occur_exactly_once(annotator, segment, quote, times):
    times = segment.text.count(quote) if times is None else times
    with pytest.raises(InvalidInput, match=f"occurs {times} times .* start and end") as caught:
        services.annotation_create(
            actor=annotator, segment=segment, quote=quote, claim_type="quantity"
        )
    assert "quote" in caught.value.fields
    assert not Annotation.objects.exists()


def test_offsets_still_win_over_the_search(annotator, segment):
    start = segment.text.index("2022")
    annotation = services.annotation_create(
        actor=annotator,
        segment=segment,
        start=start,
        end=start + 2,
        quote="20",
        claim_type="quantity",
    )
    assert (annotation.start, annotation.end) == (start, start + 2)


def test_update_with_the_unchanged_quote_keeps_the_span(annotator, segment):
    # "20" occurs several times, but it is the text at the current span: nothing moves.
    start = segment.text.index("2022")
    draft = services.annotation_create(
        actor=annotator, segment=segment, start=start, end=start + 2, claim_type="quantity"
    )
    updated = services.annotation_update(
        actor=annotator, annotation=draft, expected_version=1, quote="20"
    )
    assert (updated.start, updated.end) == (start, start + 2)


def test_update_with_a_new_quote_moves_the_span(annotator, segment):
    draft = make_annotation(annotator, segment, words="4.2 million")
    updated = services.annotation_update(
        actor=annotator, annotation=draft, expected_version=1, quote="three bridges"
    )
    assert segment.text[updated.start : updated.end] == "three bridges"
