"""annotation_filter: the filters the API, the admin and the exports share."""

from datetime import timedelta

import pytest
from django.utils import timezone

from annotate import selectors, services
from annotate.models import Annotation
from tests.factories import make_transcript, three_annotations

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(annotator, annotator2, transcript):
    return three_annotations(annotator, annotator2, transcript, bridges_verdict="")


def _quotes(**filters) -> set[str]:
    return {a.quote for a in selectors.annotation_filter(Annotation.objects.all(), **filters)}


def test_without_a_condition_the_queryset_itself_comes_back():
    queryset = Annotation.objects.all()
    assert selectors.annotation_filter(queryset) is queryset
    assert selectors.annotation_filter(queryset, speaker="  ", status=(), creator="") is queryset


@pytest.mark.parametrize("spelling", ["Mr. Ben Sample", "mr. ben sample", "  MR. BEN SAMPLE \t"])
def test_speaker_ignores_case_and_surrounding_spaces(three, spelling):
    assert _quotes(speaker=spelling) == {"Unemployment fell"}


def test_speaker_is_the_whole_name_not_a_part(three):
    assert _quotes(speaker="Ben Sample") == set()


def test_segment_speaker_follows_the_same_rule(transcript):
    found = selectors.segment_filter(transcript.segments.all(), speaker=" mr. ben SAMPLE ")
    assert [segment.speaker for segment in found] == ["Mr. Ben Sample"]


def test_status_verdict_and_claim_type(three):
    assert _quotes(status=["in-review"]) == {"Unemployment fell"}
    assert _quotes(status=["draft", "in-review"]) == {
        "4.2 million on roads",
        "three bridges",
        "Unemployment fell",
    }
    assert _quotes(verdict=[""]) == {"three bridges"}
    assert _quotes(verdict=["true", "mixed"]) == {"4.2 million on roads", "Unemployment fell"}
    assert len(_quotes(claim_type=["quantity"])) == 3
    assert _quotes(claim_type=["event"]) == set()


def test_transcript_by_id_or_title_and_segment(three, transcript):
    other = make_transcript(
        "Other hearing\n\n0800: Town: Mr. Eve\n\nOne fact.\n", filename="other.txt"
    )
    assert len(_quotes(transcript=[transcript.pk])) == 3
    assert _quotes(transcript=[other.pk]) == set()
    assert len(_quotes(transcript_title="town BUDGET")) == 3
    assert _quotes(transcript_title="other hearing") == set()
    assert _quotes(segment=three[2].segment_id) == {"Unemployment fell"}


def test_creator_assignee_and_unassigned(three, annotator, annotator2, editor):
    roads = three[0]
    services.annotation_assign(
        actor=editor, annotation=roads, expected_version=roads.version, assignee=annotator2
    )
    assert _quotes(creator="ann2") == {"three bridges"}
    assert _quotes(assignee="ann2") == {"4.2 million on roads"}
    assert _quotes(unassigned=True) == {"three bridges", "Unemployment fell"}


def test_changed_since_and_changed_between_dates(three):
    now = timezone.now()
    assert len(_quotes(updated_since=now - timedelta(hours=1))) == 3
    assert _quotes(updated_since=now + timedelta(hours=1)) == set()
    today = now.date()
    assert len(_quotes(updated_from=today, updated_to=today)) == 3
    assert _quotes(updated_from=today + timedelta(days=1)) == set()
    assert _quotes(updated_to=today - timedelta(days=1)) == set()
