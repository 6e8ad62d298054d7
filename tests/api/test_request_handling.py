"""Remembered content negotiation and copied input fields behave as DRF's own."""

from __future__ import annotations

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.serializers import Serializer
from rest_framework.test import APIRequestFactory

from annotate.api import serializers as s
from annotate.api.renderers import JSONLDRenderer, JSONRenderer, PlainJSONLDRenderer
from common.api.negotiation import RememberedNegotiation

LD = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "application/json",
        "*/*",
        LD,
        "application/ld+json",
        "application/json; indent=4",
        "text/html, application/json;q=0.9",
        "application/*",
    ],
)
def test_remembered_negotiation_chooses_as_drf(accept):
    factory = APIRequestFactory()
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    from rest_framework.request import Request

    for _ in range(2):  # the first call negotiates, the second looks it up
        renderers = [JSONRenderer(), JSONLDRenderer(), PlainJSONLDRenderer()]
        request = Request(factory.get("/api/v1/annotations/", **headers))
        mine = RememberedNegotiation().select_renderer(request, renderers)
        theirs = DefaultContentNegotiation().select_renderer(request, renderers)
        assert mine[0] is theirs[0] and mine[1] == theirs[1]


def test_unacceptable_is_refused_every_time(as_reviewer):
    for _ in range(2):
        response = as_reviewer.get("/api/v1/annotations/", HTTP_ACCEPT="text/csv")
        assert response.status_code == 406


def _drf_fields(serializer_class):
    return Serializer.get_fields(serializer_class())


def test_input_fields_are_fresh_per_instance_and_validate_as_drf():
    one, two = s.AnnotationCreateSerializer(), s.AnnotationCreateSerializer()
    assert set(one.fields) == set(_drf_fields(s.AnnotationCreateSerializer))
    for name in one.fields:
        assert one.fields[name] is not two.fields[name]
        assert one.fields[name].parent is one and two.fields[name].parent is two
    good = {
        "segment": "7a9c3b1e-0000-4000-8000-000000000001",
        "start": 0,
        "end": 3,
        "claim_type": "quantity",
        "citations": [{"url": "https://example.org/a"}],
    }
    bad = {**good, "start": "0", "citations": [{"url": 5, "stance": "nope"}], "extra": 1}
    first = s.AnnotationCreateSerializer(data=bad)
    assert not first.is_valid()
    second = s.AnnotationCreateSerializer(data=good)
    assert second.is_valid(), second.errors
    assert second.validated_data["citations"] == [{"url": "https://example.org/a"}]
    assert second.validated_data["reason"] == "" and second.validated_data["verdict"] == ""
    again = s.AnnotationCreateSerializer(data={**bad, "extra": None})
    assert not again.is_valid()
    assert again.errors == first.errors  # nothing carried over from the valid one

    class Rebuilt(s.AnnotationCreateSerializer):  # DRF's own deep copy of the fields
        def get_fields(self):
            return Serializer.get_fields(self)

    for data in (good, bad, {**good, "citations": [{}] * 101}, {**good, "end": True}):
        mine, theirs = s.AnnotationCreateSerializer(data=data), Rebuilt(data=data)
        assert mine.is_valid() == theirs.is_valid()
        assert mine.errors == theirs.errors
        if not mine.errors:
            assert mine.validated_data == theirs.validated_data
