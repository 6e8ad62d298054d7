"""Every endpoint x role x method: who is allowed, who is refused (deny by default).

Roles: anonymous (401), an authenticated user with no team role (403), annotator,
reviewer, editor. Object rules (own drafts, four-eyes, editors reopen) come from
the services, so the API refuses exactly what the admin refuses.
"""

from __future__ import annotations

import pytest

from annotate import services
from tests.api.conftest import client_for, etag

ROLES = ("anon", "outsider", "annotator", "reviewer", "editor")


@pytest.fixture
def users(annotator, annotator2, reviewer, reviewer2, editor, outsider):
    return {
        "anon": None,
        "outsider": outsider,
        "annotator": annotator,
        "annotator2": annotator2,
        "reviewer": reviewer,
        "reviewer2": reviewer2,
        "editor": editor,
    }


def _client(users, role):
    return client_for(users[role])


def _read_paths(draft, segment):
    citation = services.citation_add(
        actor=draft.created_by,
        annotation=draft,
        expected_version=draft.version,
        url="https://example.org/audit",
    )
    transcript = segment.transcript
    return [
        "/api/v1/sources/",
        f"/api/v1/sources/{transcript.source_id}/",
        "/api/v1/transcripts/",
        f"/api/v1/transcripts/{transcript.pk}/",
        "/api/v1/segments/",
        f"/api/v1/segments/{segment.pk}/",
        "/api/v1/claim-types/",
        "/api/v1/claim-types/quantity/",
        "/api/v1/annotations/",
        f"/api/v1/annotations/{draft.pk}/",
        f"/api/v1/annotations/{draft.pk}/history/",
        "/api/v1/citations/",
        f"/api/v1/citations/{citation.pk}/",
    ]


@pytest.mark.parametrize(
    "role,expected",
    [("anon", 401), ("outsider", 403), ("annotator", 200), ("reviewer", 200), ("editor", 200)],
)
def test_reads(users, draft, segment, role, expected):
    client = _client(users, role)
    for path in _read_paths(draft, segment):
        response = client.get(path)
        assert response.status_code == expected, path
        if expected != 200:
            assert set(response.json()["error"]) >= {"code", "message", "fields"}


def test_anonymous_gets_a_challenge(anon):
    response = anon.get("/api/v1/annotations/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert response.json()["error"]["code"] == "not_authenticated"


def test_inactive_user_token_is_refused(annotator):
    client = client_for(annotator)
    annotator.is_active = False
    annotator.save()
    assert client.get("/api/v1/annotations/").status_code == 401


def test_session_auth_works(client, annotator):
    client.force_login(annotator)
    assert client.get("/api/v1/annotations/").status_code == 200


def test_bad_token_is_401(anon, db):
    anon.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = anon.get("/api/v1/annotations/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.parametrize(
    "role,expected",
    [("anon", 401), ("outsider", 403), ("annotator", 403), ("reviewer", 403), ("editor", 201)],
)
def test_source_upload(users, role, expected):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "0900: Riverton: Ms. Ada Example\n\nThe bridge cost 3 million.\n"
    upload = SimpleUploadedFile(f"{role}.txt", text.encode(), content_type="text/plain")
    response = _client(users, role).post(
        "/api/v1/sources/", {"file": upload, "format": "liveblog"}, format="multipart"
    )
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(
    "role,expected",
    [("anon", 401), ("outsider", 403), ("annotator", 403), ("reviewer", 403), ("editor", 201)],
)
def test_claim_type_create(users, role, expected):
    response = _client(users, role).post(
        "/api/v1/claim-types/", {"slug": f"new-{role}", "name": "New"}, format="json"
    )
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(
    "role,expected",
    [("anon", 401), ("outsider", 403), ("annotator", 403), ("reviewer", 403), ("editor", 200)],
)
def test_claim_type_update(users, role, expected):
    client = _client(users, role)
    read = client_for(users["editor"]).get("/api/v1/claim-types/opinion/")
    response = client.patch(
        "/api/v1/claim-types/opinion/",
        {"description": "Views."},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(
    "role,expected",
    [("anon", 401), ("outsider", 403), ("annotator", 201), ("reviewer", 403), ("editor", 201)],
)
def test_annotation_create(users, segment, role, expected):
    response = _client(users, role).post(
        "/api/v1/annotations/",
        {"segment": str(segment.pk), "start": 0, "end": 5, "claim_type": "quantity"},
        format="json",
    )
    assert response.status_code == expected, response.content


# The draft belongs to "annotator"; "annotator2" is another annotator.
OWNER_RULES = [
    ("anon", 401),
    ("outsider", 403),
    ("annotator", 200),
    ("annotator2", 403),
    ("reviewer", 403),
    ("editor", 200),
]


@pytest.mark.parametrize("role,expected", OWNER_RULES)
def test_annotation_update(users, draft, role, expected):
    response = _client(users, role).patch(
        f"/api/v1/annotations/{draft.pk}/",
        {"claim_text": "Roads cost more."},
        format="json",
        **etag(draft.version),
    )
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("role,expected", [(r, 204 if e == 200 else e) for r, e in OWNER_RULES])
def test_annotation_delete(users, draft, role, expected):
    response = _client(users, role).delete(
        f"/api/v1/annotations/{draft.pk}/", **etag(draft.version)
    )
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("role,expected", OWNER_RULES)
def test_submit(users, draft, role, expected):
    response = _client(users, role).post(
        f"/api/v1/annotations/{draft.pk}/submit/", {}, format="json", **etag(draft.version)
    )
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("role,expected", [(r, 201 if e == 200 else e) for r, e in OWNER_RULES])
def test_citation_add(users, draft, role, expected):
    response = _client(users, role).post(
        "/api/v1/citations/",
        {"annotation": str(draft.pk), "url": "https://example.org/report", "stance": "supports"},
        format="json",
        **etag(draft.version),
    )
    assert response.status_code == expected, response.content


REVIEW_RULES = [
    ("anon", 401),
    ("outsider", 403),
    ("annotator", 403),  # its author: four-eyes
    ("annotator2", 403),  # not a reviewer
    ("reviewer", 200),
    ("editor", 200),
]


@pytest.fixture
def in_review(draft, annotator):
    return services.annotation_submit(
        actor=annotator, annotation=draft, expected_version=draft.version
    )


@pytest.mark.parametrize("verb", ["approve", "request-changes", "reject"])
@pytest.mark.parametrize("role,expected", REVIEW_RULES)
def test_review_actions(users, in_review, verb, role, expected):
    response = _client(users, role).post(
        f"/api/v1/annotations/{in_review.pk}/{verb}/",
        {"comment": "Checked against the audit."},
        format="json",
        **etag(in_review.version),
    )
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(
    "role,expected",
    [
        ("anon", 401),
        ("outsider", 403),
        ("annotator", 403),
        ("reviewer", 403),
        ("reviewer2", 403),
        ("editor", 200),
    ],
)
def test_reopen(users, in_review, reviewer, role, expected):
    approved = services.annotation_approve(
        actor=reviewer, annotation=in_review, expected_version=in_review.version
    )
    response = _client(users, role).post(
        f"/api/v1/annotations/{approved.pk}/reopen/",
        {"comment": "New evidence."},
        format="json",
        **etag(approved.version),
    )
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(
    "role,expected",
    [("anon", 401), ("outsider", 403), ("annotator", 403), ("reviewer", 200), ("editor", 200)],
)
def test_assign(users, draft, role, expected):
    response = _client(users, role).post(
        f"/api/v1/annotations/{draft.pk}/assign/",
        {"assignee": "ann2"},
        format="json",
        **etag(draft.version),
    )
    assert response.status_code == expected, response.content


def test_refusal_writes_nothing(as_annotator2, draft):
    response = as_annotator2.patch(
        f"/api/v1/annotations/{draft.pk}/",
        {"claim_text": "hijack"},
        format="json",
        **etag(draft.version),
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_allowed"
    draft.refresh_from_db()
    assert draft.claim_text != "hijack" and draft.version == 1


@pytest.mark.parametrize("path", ["segments", "transcripts", "sources"])
def test_archive_is_read_only(as_editor, segment, path):
    target = {
        "segments": segment.pk,
        "transcripts": segment.transcript_id,
        "sources": segment.transcript.source_id,
    }[path]
    for method in ("put", "patch", "delete"):
        response = getattr(as_editor, method)(f"/api/v1/{path}/{target}/", {}, format="json")
        assert response.status_code == 405, (path, method)
        assert response.json()["error"]["code"] == "method_not_allowed"
