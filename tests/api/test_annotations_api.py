"""Annotations, citations and the workflow through the API: what each call changes."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from annotate.models import Annotation, Citation, Status
from tests.api.conftest import etag
from tests.factories import make_annotation


def test_create_with_citations_answers_201_with_etag_and_location(as_annotator, segment):
    words = "three bridges" if "three bridges" in segment.text else segment.text[:5]
    start = segment.text.index(words)
    response = as_annotator.post(
        "/api/v1/annotations/",
        {
            "segment": str(segment.pk),
            "start": start,
            "end": start + len(words),
            "quote": words,
            "claim_type": "quantity",
            "verdict": "mixed",
            "citations": [
                {
                    "url": "https://example.org/audit",
                    "stance": "refutes",
                    "published_on": "2024-03-01",
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["ETag"] == '"1"'
    assert response["Location"].endswith(f"/api/v1/annotations/{body['id']}/")
    assert body["quote"] == words and body["status"] == "draft" and body["created_by"] == "ann"
    assert [c["stance"] for c in body["citations"]] == ["refutes"]
    assert Citation.objects.filter(annotation_id=body["id"]).count() == 1


def test_retrieve_sends_version_as_etag(as_reviewer, draft):
    response = as_reviewer.get(f"/api/v1/annotations/{draft.pk}/")
    assert response["ETag"] == f'"{draft.version}"'
    assert response.json()["version"] == draft.version


def test_update_raises_the_version(as_annotator, draft):
    response = as_annotator.patch(
        f"/api/v1/annotations/{draft.pk}/",
        {"verdict": "mostly-true", "reason": "audit"},
        format="json",
        **etag(1),
    )
    assert response.status_code == 200
    assert response.json()["verdict"] == "mostly-true"
    assert response["ETag"] == '"2"'
    draft.refresh_from_db()
    assert (draft.verdict, draft.version) == ("mostly-true", 2)


def test_delete_draft(as_annotator, draft):
    response = as_annotator.delete(f"/api/v1/annotations/{draft.pk}/", **etag(1))
    assert response.status_code == 204
    assert not Annotation.objects.filter(pk=draft.pk).exists()
    history = as_annotator.get(f"/api/v1/annotations/{draft.pk}/history/")
    assert history.status_code == 200  # the provenance outlives the annotation
    assert [e["action"] for e in history.json()["results"]][-1] == "annotation.delete"


def test_history_of_an_annotation_that_never_existed_is_404(as_annotator):
    assert as_annotator.get(f"/api/v1/annotations/{uuid.uuid4()}/history/").status_code == 404
    assert as_annotator.get("/api/v1/annotations/not-a-uuid/history/").status_code == 404


def test_full_workflow_and_history(as_annotator, as_reviewer, as_reviewer2, as_editor, draft):
    url = f"/api/v1/annotations/{draft.pk}/"
    r = as_annotator.patch(url, {"verdict": "false"}, format="json", **etag(1))
    r = as_annotator.post(url + "submit/", {}, format="json", HTTP_IF_MATCH=r["ETag"])
    assert r.json()["status"] == "in-review"
    r = as_reviewer.post(url + "approve/", {}, format="json", HTTP_IF_MATCH=r["ETag"])
    assert r.json()["status"] == "in-review"  # "false" needs a second reviewer
    r = as_reviewer.post(url + "approve/", {}, format="json", HTTP_IF_MATCH=r["ETag"])
    assert r.status_code == 403
    r = as_reviewer2.post(
        url + "approve/", {}, format="json", HTTP_IF_MATCH=as_reviewer2.get(url)["ETag"]
    )
    assert r.json()["status"] == "approved"
    assert [rv["reviewer"] for rv in r.json()["reviews"]] == ["rev", "rev2"]
    r = as_editor.post(
        url + "reopen/", {"comment": "new audit"}, format="json", HTTP_IF_MATCH=r["ETag"]
    )
    assert r.json()["status"] == "draft"
    history = as_reviewer.get(url + "history/").json()["results"]
    assert [event["action"] for event in history] == [
        "annotation.create",
        "annotation.update",
        "annotation.submit",
        "annotation.approve",
        "annotation.approve",
        "annotation.reopen",
    ]
    assert history[-1]["actor"] == "ed" and history[-1]["reason"] == "new audit"


def test_reject_needs_a_comment(as_reviewer, draft, annotator):
    from annotate import services

    services.annotation_submit(actor=annotator, annotation=draft, expected_version=1)
    response = as_reviewer.post(
        f"/api/v1/annotations/{draft.pk}/reject/", {}, format="json", **etag(2)
    )
    assert response.status_code == 400
    assert "comment" in response.json()["error"]["fields"]
    draft.refresh_from_db()
    assert draft.status == Status.IN_REVIEW


def test_assign_and_filter_by_assignee(as_editor, draft, annotator, annotator2, segment):
    other = make_annotation(annotator, segment, words="2023")
    response = as_editor.post(
        f"/api/v1/annotations/{draft.pk}/assign/", {"assignee": "ann2"}, format="json", **etag(1)
    )
    assert response.status_code == 200 and response.json()["assignee"] == "ann2"
    ids = [a["id"] for a in as_editor.get("/api/v1/annotations/?assignee=ann2").json()["results"]]
    assert ids == [str(draft.pk)]
    ids = [a["id"] for a in as_editor.get("/api/v1/annotations/?assignee=none").json()["results"]]
    assert ids == [str(other.pk)]
    bad = as_editor.post(
        f"/api/v1/annotations/{draft.pk}/assign/", {"assignee": "ghost"}, format="json", **etag(2)
    )
    assert bad.status_code == 400


def test_filters(as_reviewer, annotator, annotator2, transcript):
    segments = list(transcript.segments.order_by("ordinal"))
    a1 = make_annotation(annotator, segments[0], verdict="true")
    a2 = make_annotation(annotator2, segments[-1], verdict="false", claim_type="event")

    def ids(query):
        response = as_reviewer.get(f"/api/v1/annotations/?{query}")
        assert response.status_code == 200, response.content
        return {a["id"] for a in response.json()["results"]}

    assert ids("verdict=false") == {str(a2.pk)}
    assert ids("verdict=true&verdict=false") == {str(a1.pk), str(a2.pk)}
    assert ids("claim_type=event") == {str(a2.pk)}
    assert ids("creator=ann") == {str(a1.pk)}
    assert ids(f"segment={segments[0].pk}") == {str(a1.pk)}
    assert ids(f"transcript={transcript.pk}") == {str(a1.pk), str(a2.pk)}
    assert ids(f"speaker={segments[0].speaker.upper()}") == {str(a1.pk)}
    assert ids("status=in-review") == set()
    assert ids("status=draft") == {str(a1.pk), str(a2.pk)}
    future = (timezone.now() + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert ids(f"updated_since={future}") == set()


def test_citation_changes_raise_the_annotation_version(as_annotator, draft):
    created = as_annotator.post(
        "/api/v1/citations/",
        {"annotation": str(draft.pk), "url": "https://example.org/a", "title": "A"},
        format="json",
        **etag(1),
    )
    assert created.status_code == 201 and created["ETag"] == '"2"'
    cid = created.json()["id"]
    stale = as_annotator.patch(
        f"/api/v1/citations/{cid}/", {"title": "B"}, format="json", **etag(1)
    )
    assert stale.status_code == 412
    updated = as_annotator.patch(
        f"/api/v1/citations/{cid}/", {"title": "B"}, format="json", **etag(2)
    )
    assert updated.json()["title"] == "B" and updated["ETag"] == '"3"'
    assert as_annotator.get(f"/api/v1/citations/{cid}/")["ETag"] == '"3"'
    listed = as_annotator.get(f"/api/v1/citations/?annotation={draft.pk}").json()["results"]
    assert [c["id"] for c in listed] == [cid]
    assert as_annotator.delete(f"/api/v1/citations/{cid}/", **etag(3)).status_code == 204
    draft.refresh_from_db()
    assert draft.version == 4 and not draft.citations.exists()


def test_citation_with_a_bad_url_is_400(as_annotator, draft):
    response = as_annotator.post(
        "/api/v1/citations/",
        {"annotation": str(draft.pk), "url": "ftp://example.org/x"},
        format="json",
        **etag(1),
    )
    assert response.status_code == 400 and "url" in response.json()["error"]["fields"]


def test_claim_type_update_with_etag(as_editor):
    read = as_editor.get("/api/v1/claim-types/opinion/")
    tag = read["ETag"]
    changed = as_editor.patch(
        "/api/v1/claim-types/opinion/", {"checkable": True}, format="json", HTTP_IF_MATCH=tag
    )
    assert changed.status_code == 200 and changed.json()["checkable"] is True
    assert changed["ETag"] != tag
    stale = as_editor.patch(
        "/api/v1/claim-types/opinion/", {"name": "Opinion!"}, format="json", HTTP_IF_MATCH=tag
    )
    assert stale.status_code == 412
    assert stale.json()["error"]["changed_by"] == "ed"
    assert stale["ETag"] == changed["ETag"]
    slug_change = as_editor.patch(
        "/api/v1/claim-types/opinion/",
        {"slug": "views"},
        format="json",
        HTTP_IF_MATCH=changed["ETag"],
    )
    assert slug_change.status_code == 400


def test_new_claim_type_is_usable(as_editor, segment):
    created = as_editor.post(
        "/api/v1/claim-types/", {"slug": "forecast", "name": "Forecast"}, format="json"
    )
    assert created.status_code == 201
    duplicate = as_editor.post(
        "/api/v1/claim-types/", {"slug": "forecast", "name": "Again"}, format="json"
    )
    assert duplicate.status_code == 400
    response = as_editor.post(
        "/api/v1/annotations/",
        {"segment": str(segment.pk), "start": 0, "end": 3, "claim_type": "forecast"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["claim_type"] == "forecast"


def test_write_answers_equal_a_fresh_read(as_annotator, as_reviewer, segment, annotator2):
    created = as_annotator.post(
        "/api/v1/annotations/",
        {
            "segment": str(segment.pk),
            "start": 0,
            "end": 4,
            "claim_type": "event",
            "verdict": "true",
            "citations": [{"url": "https://example.org/c", "title": "C"}],
        },
        format="json",
    )
    url = f"/api/v1/annotations/{created.json()['id']}/"
    assert created.json() == as_annotator.get(url).json()
    updated = as_annotator.patch(
        url, {"claim_text": "New."}, format="json", HTTP_IF_MATCH=created["ETag"]
    )
    assert updated.json() == as_annotator.get(url).json()
    submitted = as_annotator.post(url + "submit/", {}, format="json", HTTP_IF_MATCH=updated["ETag"])
    assert submitted.json() == as_annotator.get(url).json()
    reviewed = as_reviewer.post(
        url + "request-changes/",
        {"comment": "Source?"},
        format="json",
        HTTP_IF_MATCH=submitted["ETag"],
    )
    assert reviewed.json() == as_reviewer.get(url).json()
    assigned = as_reviewer.post(
        url + "assign/", {"assignee": "ann2"}, format="json", HTTP_IF_MATCH=reviewed["ETag"]
    )
    assert assigned.json() == as_reviewer.get(url).json()
    assert assigned.json()["reviews"][0]["comment"] == "Source?"


def test_assigning_to_someone_with_no_role_is_refused_by_name(as_editor, draft, outsider):
    response = as_editor.post(
        f"/api/v1/annotations/{draft.pk}/assign/",
        {"assignee": outsider.get_username()},
        format="json",
        **etag(1),
    )
    assert response.status_code == 400
    assert outsider.get_username() in response.json()["error"]["message"]
    draft.refresh_from_db()
    assert draft.assignee is None and draft.version == 1
