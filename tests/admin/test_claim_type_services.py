"""The taxonomy has one write path: the API and the admin write the same events."""

import pytest
from django.urls import reverse

from annotate import services
from annotate.actions import AnnotateAction
from annotate.datasets.reader import _event
from annotate.models import ClaimType
from archive import actions
from archive.ledger import LedgerEvent
from common.errors import NotAllowed
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def test_api_and_admin_record_the_same_action_and_state(login, editor):
    api = client_for(editor)
    response = api.post(
        "/api/v1/claim-types/", {"slug": "from-api", "name": "From the API"}, format="json"
    )
    assert response.status_code == 201, response.content
    response = login(editor).post(
        reverse("admin:annotate_claimtype_add"),
        {"name": "From the admin", "slug": "from-admin", "description": "", "checkable": "on"},
    )
    assert response.status_code == 302
    events = {
        event.state["slug"]: event
        for event in LedgerEvent.objects.filter(object_type="annotate.claimtype")
    }
    assert events["from-api"].action == events["from-admin"].action == "claimtype.create"
    assert set(events["from-api"].state) == set(events["from-admin"].state)


def test_the_admin_trims_names_and_keeps_the_slug_as_the_api_does(login, editor):
    client = login(editor)
    client.post(
        reverse("admin:annotate_claimtype_add"),
        {"name": "Forecast", "slug": "forecast", "description": "", "checkable": "on"},
    )
    created = ClaimType.objects.get(slug="forecast")
    client.post(
        reverse("admin:annotate_claimtype_change", args=[created.pk]),
        {"name": "  Forecast, renamed  ", "slug": "renamed", "checkable": "on"},
    )
    created.refresh_from_db()
    assert (created.slug, created.name) == ("forecast", "Forecast, renamed")


def test_a_used_claim_type_cannot_be_deleted(editor, segment):
    claim_type = ClaimType.objects.order_by("slug").first()
    services.annotation_create(actor=editor, segment=segment, start=0, end=4, claim_type=claim_type)
    with pytest.raises(NotAllowed, match="used by annotations"):
        services.claim_type_delete(actor=editor, claim_type=claim_type)
    assert ClaimType.objects.filter(pk=claim_type.pk).exists()


def test_readers_accept_the_older_claim_type_names():
    assert actions.canonical("claim_type.update") == AnnotateAction.CLAIMTYPE_UPDATE
    assert actions.canonical("annotation.create") == "annotation.create"
    assert "claimtype.restore" in actions.registered()


def test_export_events_read_legacy_annotation_names_alike():
    row = (1, None, "someone", "annotation.submit", "x", "s", {"version": 2, "status": "s"}, "h")
    assert _event(row)["version"] == 2


def test_the_admin_refuses_a_change_to_a_claim_type_someone_changed_meanwhile(login, editor):
    claim_type = ClaimType.objects.order_by("slug").first()
    client = login(editor)
    page = client.get(reverse("admin:annotate_claimtype_change", args=[claim_type.pk]))
    seen = page.context["adminform"].form["seen"].value()
    assert seen == services.claim_type_fingerprint(claim_type)
    services.claim_type_update(
        actor=editor, claim_type=claim_type, expected_fingerprint=seen, name="Renamed meanwhile"
    )
    response = client.post(
        reverse("admin:annotate_claimtype_change", args=[claim_type.pk]),
        {"name": "My edit", "description": "", "checkable": "on", "seen": seen},
        follow=True,
    )
    assert "changed since you read it" in response.content.decode()
    claim_type.refresh_from_db()
    assert claim_type.name == "Renamed meanwhile"
