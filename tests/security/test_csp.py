"""Script injection: every page carries a Content-Security-Policy that runs only the
project's own scripts and styles (or inline ones carrying the response's nonce), and the
pages themselves need nothing more: no inline handlers or style attributes, no inline
script or style without the nonce, no asset from another origin.

The browser tests (tests/browser/test_csp_browser.py) check the same pages in Chromium.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.factories import make_annotation

# The nonce is named only in answers whose page used it (Django leaves it out otherwise).
EXPECTED = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]{16,})'")


def _policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


def _nonce(response) -> str | None:
    match = NONCE.search(response.headers.get("Content-Security-Policy", ""))
    return match.group(1) if match else None


def _assert_policy(response):
    policy = _policy(response)
    with_nonce = {name for name, values in policy.items() if any(NONCE.match(v) for v in values)}
    assert with_nonce <= {"script-src", "style-src"}
    shape = {name: [v for v in values if not NONCE.match(v)] for name, values in policy.items()}
    assert shape == EXPECTED


class _InlineCode(HTMLParser):
    """Collect what a strict policy would block on a page."""

    def __init__(self, nonce: str | None):
        super().__init__()
        self.nonce = nonce
        self.blocked: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, _value in attrs:
            if name.startswith("on"):
                self.blocked.append(f"<{tag} {name}=…> (inline handler)")
        if "style" in values:
            self.blocked.append(f"<{tag} style=…> (style attribute)")
        url = values.get("src") or (values.get("href") if tag == "link" else None)
        if url and url.startswith(("http:", "https:", "//")):
            self.blocked.append(f"<{tag}> from {url}")
        inline = tag in {"script", "style"} and not values.get("src")
        if inline and (self.nonce is None or values.get("nonce") != self.nonce):
            self.blocked.append(f"inline <{tag}> without the response's nonce")
        if tag == "a" and (values.get("href") or "").strip().lower().startswith("javascript:"):
            self.blocked.append("javascript: link")


def _assert_nothing_blocked(response):
    assert response.status_code == 200, response.status_code
    parser = _InlineCode(_nonce(response))
    parser.feed(response.content.decode())
    assert parser.blocked == [], response.request["PATH_INFO"]


@pytest.fixture
def admin_client_for(client):
    def _as(user):
        client.force_login(user)
        return client

    return _as


def test_admin_login_page_carries_the_policy(client, db):
    response = client.get("/admin/login/")
    _assert_policy(response)
    _assert_nothing_blocked(response)


def test_api_answers_carry_the_policy(client, annotator):
    _assert_policy(client.get("/api/v1/annotations/"))  # 401, JSON
    client.force_login(annotator)
    response = client.get("/api/v1/annotations/")
    assert response.status_code == 200
    _assert_policy(response)


def test_api_docs_carry_the_policy_and_need_nothing_it_blocks(client, db):
    response = client.get("/api/docs/")
    _assert_policy(response)
    _assert_nothing_blocked(response)


def test_each_response_gets_its_own_nonce(client, db):
    first, second = client.get("/admin/login/"), client.get("/admin/login/")
    assert _nonce(first) and _nonce(second) and _nonce(first) != _nonce(second)


def test_admin_pages_need_nothing_the_policy_blocks(
    admin_client_for, annotator, editor, transcript, segment
):
    annotation = make_annotation(annotator, segment, words="4.2 million", verdict="false")
    client = admin_client_for(editor)
    pages = [
        "/admin/",
        reverse("admin:annotate_dashboard"),
        reverse("admin:annotate_annotation_changelist"),
        reverse("admin:annotate_annotation_change", args=[annotation.pk]),
        reverse("admin:annotate_annotation_history", args=[annotation.pk]),
        reverse("admin:archive_transcript_changelist"),
        reverse("admin:archive_transcript_change", args=[transcript.pk]),
        reverse("admin:archive_ledgerevent_changelist"),
    ]
    for path in pages:
        response = client.get(path)
        _assert_policy(response)
        _assert_nothing_blocked(response)
