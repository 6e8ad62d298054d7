"""The admin's export page, list, action and download, for editors only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from annotate.models import Export

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def export_dir(tmp_path, settings):
    settings.CLAIMTRAIL_EXPORT_DIR = tmp_path / "exports"


def test_editor_exports_from_the_form_and_downloads_from_the_list(dataset, editor, client):
    client.force_login(editor)
    form = client.get(reverse("admin:annotate_export_add"))
    assert form.status_code == 200 and b"Export a dataset" in form.content
    response = client.post(
        reverse("admin:annotate_export_add"),
        {"format": "csv", "unit": "segment", "status": ["approved"], "approved_only": ""},
        follow=True,
    )
    assert response.status_code == 200
    export = Export.objects.get()
    assert export.status == "done" and export.filters["status"] == ["approved"]
    assert b"is ready" in response.content
    assert b"download zip" in response.content
    download = client.get(reverse("admin:annotate_export_download", args=[export.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"


def test_contradictory_filters_come_back_as_a_form_error(dataset, editor, client):
    client.force_login(editor)
    response = client.post(
        reverse("admin:annotate_export_add"),
        {"format": "claimreview", "unit": "segment", "status": ["draft"], "approved_only": ""},
    )
    assert response.status_code == 200
    assert b"contradictory filters" in response.content
    assert not Export.objects.exists()


def test_claimreview_without_a_publisher_is_a_form_error(dataset, editor, client, unpublished):
    client.force_login(editor)
    response = client.post(
        reverse("admin:annotate_export_add"),
        {"format": "claimreview", "unit": "segment", "approved_only": ""},
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert any("CLAIMTRAIL_PUBLISHER_NAME" in message for message in errors)
    assert not Export.objects.exists()


def test_run_again_action_requests_the_same_export(dataset, editor, client):
    client.force_login(editor)
    client.post(reverse("admin:annotate_export_add"), {"format": "jsonl", "unit": "annotation"})
    first = Export.objects.get()
    response = client.post(
        reverse("admin:annotate_export_changelist"),
        {"action": "run_again", "_selected_action": [str(first.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    second = Export.objects.exclude(pk=first.pk).get()
    assert second.format == "jsonl" and second.options["unit"] == "annotation"
    assert second.filters == first.filters and second.status == "done"


def test_only_editors_see_the_export_pages(dataset, annotator, reviewer, client):
    for user in (annotator, reviewer):
        client.force_login(user)
        assert client.get(reverse("admin:annotate_export_changelist")).status_code == 403
        assert client.get(reverse("admin:annotate_export_add")).status_code in (403, 404)


def test_the_list_costs_the_same_queries_for_one_export_and_for_many(
    dataset, editor, client, django_assert_max_num_queries
):
    client.force_login(editor)
    url = reverse("admin:annotate_export_changelist")
    Export.objects.create(format="csv", requested_by=editor, counts={"segments": 1})
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(30):
        Export.objects.create(format="csv", requested_by=editor, counts={"segments": 1})
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_form_starts_at_approved_with_the_other_statuses_a_choice(editor, client):
    client.force_login(editor)
    form = client.get(reverse("admin:annotate_export_add")).context["form"]
    assert form["status"].value() == ["approved"]
    html = client.get(reverse("admin:annotate_export_add")).content.decode()
    for status in ("draft", "in-review", "approved", "rejected"):
        assert f'value="{status}"' in html
    assert html.count('class="module aligned ct-export-form"') == 3


def test_the_export_page_reads_as_words_not_json_or_server_paths(dataset, editor, client):
    client.force_login(editor)
    client.post(
        reverse("admin:annotate_export_add"),
        {"format": "csv", "unit": "segment", "status": ["approved", "in-review"]},
    )
    export = Export.objects.get()
    page = client.get(reverse("admin:annotate_export_change", args=[export.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert export.path and export.path not in html
    assert "status: approved, in-review" in html
    assert '{"status"' not in html and "[&quot;" not in html
    assert "download zip" in html and (" kB" in html or " MB" in html)
