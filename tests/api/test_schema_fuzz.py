"""schemathesis against the project's own OpenAPI schema (/api/schema/), in-process.

Every operation is called with generated valid and invalid input, authenticated as
an editor (the role that may call the most), against a database holding a
transcript and a draft. Checks: no 5xx, documented status codes, content types,
headers and bodies that match the schema. Examples are bounded per operation.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.api.conftest import token_for
from tests.factories import make_annotation

APP = get_wsgi_application()
# A write without If-Match answers 428 Precondition Required (RFC 6585), which is the
# precise status for a missing precondition header.
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "missing_required_header": {
                "expected-statuses": [400, 401, 403, 406, 415, 422, 428],
            }
        }
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", APP, config=CONFIG)


@pytest.fixture
def keep_test_connection():
    """Calls go straight to the WSGI app, whose request signals would close the test's
    database connection (and with it the test transaction); Django's test client
    disconnects them the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(keep_test_connection, editor, annotator, segment):
    """An editor's token and real objects, so some calls reach real rows, not only 404s."""
    draft = make_annotation(
        annotator,
        segment,
        words="4.2 million",
        citations=[{"url": "https://example.org/audit", "title": "Audit"}],
    )
    citation = draft.citations.get()
    return {
        "token": token_for(editor),
        "ids": {
            "annotations": str(draft.pk),
            "citations": str(citation.pk),
            "segments": str(segment.pk),
            "transcripts": str(segment.transcript_id),
            "sources": str(segment.transcript.source_id),
        },
    }


def _point_at_real_objects(case, ids) -> None:
    """For every other example, aim a generated id at an object that exists."""
    path_id = (case.path_parameters or {}).get("id")
    resource = case.path.split("/")[3] if case.path.count("/") > 3 else ""
    if isinstance(path_id, str) and resource in ids and len(path_id) % 2 == 0:
        case.path_parameters["id"] = ids[resource]


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_api_conforms_to_its_schema(case, world):
    _point_at_real_objects(case, world["ids"])
    # Schema-valid input may still break a domain rule the schema cannot express (a span
    # outside its segment, a URL that is not http(s), an unknown id): those answer a
    # documented 4xx, so "valid data must be accepted" is not checked; everything else is.
    case.call_and_validate(
        headers={"Authorization": f"Token {world['token']}"},
        excluded_checks=[positive_data_acceptance],
    )
