"""The API's annotation filters and the admin's list filters are one rule (the selector's)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import three_annotations


@pytest.fixture
def three(annotator, annotator2, transcript):
    return three_annotations(annotator, annotator2, transcript)


def _api_ids(client, query: str) -> set[str]:
    response = client.get(f"/api/v1/annotations/?{query}")
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def _admin_ids(client, query: str) -> set[str]:
    response = client.get(reverse("admin:annotate_annotation_changelist") + f"?{query}")
    assert response.status_code == 200
    return {str(row.pk) for row in response.context["cl"].result_list}


@pytest.mark.parametrize(
    "api_query, admin_query",
    [
        ("speaker=Mr.%20Ben%20Sample", "speaker=Mr.%20Ben%20Sample"),
        ("speaker=mr.%20ben%20sample", "speaker=mr.%20ben%20sample"),
        ("speaker=%20MR.%20BEN%20SAMPLE%20", "speaker=%20MR.%20BEN%20SAMPLE%20"),
        ("speaker=Ben%20Sample", "speaker=Ben%20Sample"),
        ("status=in-review", "status__exact=in-review"),
        ("verdict=false", "verdict__exact=false"),
        ("transcript={transcript}", "transcript={transcript}"),
    ],
)
def test_the_api_and_the_admin_find_the_same_annotations(
    as_editor, editor, transcript, three, api_query, admin_query
):
    admin = Client()
    admin.force_login(editor)
    api_found = _api_ids(as_editor, api_query.format(transcript=transcript.pk))
    admin_found = _admin_ids(admin, admin_query.format(transcript=transcript.pk))
    assert api_found == admin_found


def test_a_speaker_filter_of_spaces_only_filters_nothing(as_editor, three):
    assert len(_api_ids(as_editor, "speaker=%20%20")) == 3
