"""An API request leaves nothing for Python's cyclic garbage collector.

Objects caught in a reference cycle are freed only by a collection, and a full one
stops every thread of a gunicorn worker: under load those pauses were most of the
API's p99 (bench/RESULTS.md). These tests send requests through Django's WSGI
handler, as gunicorn does, with the collector off and saving what it finds, and
check that a finished request left no cycle behind.

The test client is not used for the request itself: it keeps each response in
cycles of its own (``response.json`` and friends).

Not covered: a filtered list. django-filter's filterset builds a Django form, whose
bound fields and the form hold each other; that cycle is made and dropped inside the
filter backend, out of the middleware's reach (a few hundred small objects).
"""

from __future__ import annotations

import gc
import io
import json
from collections import Counter
from wsgiref.util import setup_testing_defaults

import pytest
from django.test.client import ClientHandler

from annotate import services
from common.api.middleware import release_request_objects
from tests.api.conftest import token_for
from tests.factories import make_annotation

CITATIONS = [{"url": "https://example.org/a", "title": "A", "stance": "supports"}]


def sender():
    """A ``send(user, method, path, ...)`` through one WSGI application built now (from
    the current settings), kept as gunicorn keeps one: building it makes cycles."""
    handler = ClientHandler(enforce_csrf_checks=True)

    def send(user, method: str, path: str, body=None, query: str = "", if_match=None) -> int:
        return handler(_environ(user, method, path, body, query, if_match)).status_code

    return send


@pytest.fixture
def send():
    return sender()


def _environ(user, method, path, body, query, if_match) -> dict:
    payload = body if isinstance(body, bytes) else json.dumps(body or {}).encode()
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(payload)),
        "wsgi.input": io.BytesIO(payload),
        "HTTP_AUTHORIZATION": f"Token {token_for(user)}",
        "HTTP_ACCEPT": "application/json",
    }
    if if_match is not None:
        environ["HTTP_IF_MATCH"] = f'"{if_match}"'
    setup_testing_defaults(environ)
    return environ


def cyclic_garbage(send, *args, **kwargs) -> tuple[int, Counter]:
    """The status of ``send(...)`` and what only the cyclic collector would free after it."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        status = send(*args, **kwargs)
        gc.collect()
        found = Counter(type(thing).__qualname__ for thing in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.collect()
        gc.enable()
    return status, found


@pytest.fixture
def page(annotator, reviewer, transcript):
    segments = list(transcript.segments.order_by("ordinal"))
    made = [
        make_annotation(annotator, segments[n % len(segments)], citations=CITATIONS)
        for n in range(12)
    ]
    submitted = services.annotation_submit(
        actor=annotator, annotation=made[0], expected_version=made[0].version
    )
    services.annotation_request_changes(
        actor=reviewer, annotation=submitted, expected_version=submitted.version, comment="Why?"
    )
    return made


def _warm(send, user, path, **kwargs):
    """First requests fill caches (URL resolvers, negotiation, field templates)."""
    for _ in range(2):
        send(user, "GET", path, **kwargs)


def test_reads_leave_no_cycles(send, annotator, page, transcript):
    reads = [
        ("/api/v1/annotations/", "page_size=100"),
        ("/api/v1/annotations/", "page_size=5"),
        (f"/api/v1/annotations/{page[1].pk}/", ""),
        (f"/api/v1/annotations/{page[0].pk}/history/", ""),
        ("/api/v1/segments/", ""),
        ("/api/v1/transcripts/", ""),
        ("/api/v1/sources/", ""),
        ("/api/v1/citations/", ""),
        ("/api/v1/claim-types/", ""),
    ]
    for path, query in reads:
        _warm(send, annotator, path, query=query)
        status, garbage = cyclic_garbage(send, annotator, "GET", path, query=query)
        assert status == 200
        assert not garbage, f"{path}?{query} left cycles: {garbage.most_common(10)}"


def test_writes_and_transitions_leave_no_cycles(send, annotator, reviewer, page):
    draft = page[2]
    _warm(send, annotator, f"/api/v1/annotations/{draft.pk}/")
    new = {
        "segment": str(draft.segment_id),
        "start": 0,
        "end": 3,
        "claim_type": "quantity",
        "verdict": "true",
        "citations": CITATIONS,
    }
    calls = [
        (annotator, "POST", "/api/v1/annotations/", new, None, 201),
        (
            annotator,
            "PATCH",
            f"/api/v1/annotations/{draft.pk}/",
            {"verdict_summary": "Checked."},
            draft.version,
            200,
        ),
        (annotator, "POST", f"/api/v1/annotations/{draft.pk}/submit/", {}, draft.version + 1, 200),
        (reviewer, "POST", f"/api/v1/annotations/{draft.pk}/approve/", {}, draft.version + 2, 200),
    ]
    for user, method, path, body, version, expected in calls:
        stale = None if version is None else version - 100
        send(user, method, path, body, if_match=stale)  # warms this path (and the 412 one)
        status, garbage = cyclic_garbage(send, user, method, path, body, if_match=version)
        assert status == expected
        assert not garbage, f"{method} {path} left cycles: {garbage.most_common(10)}"


@pytest.mark.parametrize(
    "method, suffix, body, if_match, expected",
    [
        ("POST", "", b"{not json", None, 400),
        ("PATCH", "{pk}/", {"verdict_summary": "x"}, None, 428),
        ("PATCH", "{pk}/", {"verdict_summary": "x"}, 999, 412),
        ("GET", "00000000-0000-4000-8000-000000000000/", None, None, 404),
    ],
)
def test_error_answers_leave_no_cycles(
    send, annotator, page, method, suffix, body, if_match, expected
):
    path = "/api/v1/annotations/" + suffix.format(pk=page[3].pk)
    send(annotator, method, path, body, if_match=if_match)
    status, garbage = cyclic_garbage(send, annotator, method, path, body, if_match=if_match)
    assert status == expected
    assert not garbage, f"{method} {path} ({expected}) left cycles: {garbage.most_common(10)}"


def test_without_the_middleware_a_list_page_is_left_to_the_collector(annotator, page, settings):
    """The check above can fail: without the release, a page of rows waits for a collection."""
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if not name.endswith("ReleaseRequestObjectsMiddleware")
    ]
    send = sender()
    _warm(send, annotator, "/api/v1/annotations/", query="page_size=100")
    status, garbage = cyclic_garbage(
        send, annotator, "GET", "/api/v1/annotations/", query="page_size=100"
    )
    assert status == 200
    assert garbage["WSGIRequest"] == 1 and sum(garbage.values()) > 100


def test_streaming_responses_keep_their_request():
    class Streaming:
        streaming = True
        renderer_context = {"view": object()}

    class Request:
        pass

    request, response = Request(), Streaming()
    request.user = "someone"
    release_request_objects(request, response)
    assert request.user == "someone" and response.renderer_context
