"""W3C Web Annotation JSON-LD by content negotiation, expanded by pyld against the
shipped W3C context (offline: the loader refuses any URL it does not ship)."""

from __future__ import annotations

from annotate import services
from annotate.datasets.jsonld import expand

LD = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
OA = "http://www.w3.org/ns/oa#"
AS = "http://www.w3.org/ns/activitystreams#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "@type"


def _values(node: dict, iri: str) -> list:
    return [item.get("@value", item.get("@id")) for item in node.get(iri, [])]


def test_annotation_as_web_annotation_expands_to_w3c_terms(as_reviewer, draft, annotator):
    services.citation_add(
        actor=annotator,
        annotation=draft,
        expected_version=1,
        url="https://example.org/budget",
        title="Budget 2023",
    )
    response = as_reviewer.get(f"/api/v1/annotations/{draft.pk}/", HTTP_ACCEPT=LD)
    assert response.status_code == 200
    assert response["Content-Type"] == LD
    assert response["ETag"] == '"2"'
    document = response.json()

    [node] = expand(document)
    assert node["@id"].endswith(f"/api/v1/annotations/{draft.pk}/")
    assert node[RDF_TYPE] == [OA + "Annotation"]
    assert _values(node, OA + "motivatedBy") == [OA + "assessing"]
    assert _values(node, DCT + "created") and _values(node, DCT + "modified")
    [creator] = node[DCT + "creator"]
    assert _values(creator, "http://xmlns.com/foaf/0.1/nick") == ["ann"]

    bodies = node[OA + "hasBody"]
    purposes = {_values(b, OA + "hasPurpose")[0]: b for b in bodies}
    assert _values(
        purposes[OA + "assessing"], "http://www.w3.org/1999/02/22-rdf-syntax-ns#value"
    ) == ["true"]
    assert _values(
        purposes[OA + "classifying"], "http://www.w3.org/1999/02/22-rdf-syntax-ns#value"
    ) == ["quantity"]
    assert OA + "linking" in purposes

    [target] = node[OA + "hasTarget"]
    selectors = {s[RDF_TYPE][0]: s for s in target[OA + "hasSelector"]}
    quote = selectors[OA + "TextQuoteSelector"]
    assert _values(quote, OA + "exact") == ["4.2 million"]
    position = selectors[OA + "TextPositionSelector"]
    [start], [end] = _values(position, OA + "start"), _values(position, OA + "end")
    source = draft.segment.transcript.source
    assert target[OA + "hasSource"][0]["@id"].endswith(f"/api/v1/sources/{source.pk}/")
    assert source.text[start:end] == draft.quote == "4.2 million"


def test_plain_ld_json_gets_the_same_document(as_reviewer, draft):
    profiled = as_reviewer.get(f"/api/v1/annotations/{draft.pk}/", HTTP_ACCEPT=LD).json()
    plain = as_reviewer.get(
        f"/api/v1/annotations/{draft.pk}/", HTTP_ACCEPT="application/ld+json"
    ).json()
    assert plain == profiled


def test_list_is_a_collection_with_linked_pages(as_reviewer, annotator, segment):
    from tests.factories import make_annotation

    made = [make_annotation(annotator, segment) for _ in range(3)]
    first = as_reviewer.get("/api/v1/annotations/?page_size=2", HTTP_ACCEPT=LD)
    assert first.status_code == 200
    collection = first.json()
    [expanded] = expand(collection)
    assert expanded[RDF_TYPE] == [AS + "OrderedCollection"]
    assert _values(expanded, AS + "totalItems") == [3]
    page = collection["first"]
    assert page["type"] == "AnnotationPage" and len(page["items"]) == 2
    second = as_reviewer.get(page["next"], HTTP_ACCEPT=LD).json()
    [expanded_page] = expand(second)
    assert expanded_page[RDF_TYPE] == [AS + "OrderedCollectionPage"]
    assert _values(expanded_page, AS + "partOf") == [collection["id"]]
    assert "next" not in second and second["prev"]
    seen = [item["id"] for item in page["items"] + second["items"]]
    assert sorted(seen) == sorted(f"http://testserver/api/v1/annotations/{a.pk}/" for a in made)


def test_workflow_action_answers_json_ld_when_asked(as_annotator, draft):
    response = as_annotator.post(
        f"/api/v1/annotations/{draft.pk}/submit/",
        {},
        format="json",
        HTTP_IF_MATCH='"1"',
        HTTP_ACCEPT=LD,
    )
    assert response.status_code == 200
    assert response.json()["type"] == "Annotation"
    assert response.json()["status"] == "in-review"


def test_json_ld_is_not_offered_where_it_has_no_meaning(as_reviewer, segment):
    response = as_reviewer.get("/api/v1/segments/", HTTP_ACCEPT=LD)
    assert response.status_code == 406
