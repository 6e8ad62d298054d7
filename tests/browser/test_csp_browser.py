"""The pages work in Chromium under the Content-Security-Policy: the admin login and its
lockout page, the lists, the dashboard, the reading page's selection script and the API
docs. Any violation, reported by a page or logged to the console, fails the test (see
``_no_csp_violations`` in conftest.py, which watches every browser test).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from annotate import services
from common.roles import Role
from tests.browser.test_annotating_flow import PASSWORD, TEXT, _select_with_mouse
from tests.factories import UserFactory, make_annotation, make_transcript

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _user(name, role):
    user = UserFactory(username=name)
    user.groups.add(Group.objects.get(name=role.value))
    return user


def _open(browser, live_server, path):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    response = page.goto(live_server.url + path)
    assert "Content-Security-Policy" in {h["name"].title() for h in response.headers_array()}
    return page, response


def _log_in(page, live_server, username, password=PASSWORD):
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def test_admin_pages_and_the_reading_script_run_under_the_policy(browser, live_server, artifacts):
    annotator = _user("ann", Role.ANNOTATOR)
    _user("ed", Role.EDITOR)
    transcript = make_transcript(TEXT, filename="browser.txt")
    segment = transcript.segments.get(ordinal=1)
    make_annotation(annotator, segment, words="up 12 per cent", verdict="false")
    submitted = make_annotation(annotator, segment, words="on roads", verdict="true")
    services.annotation_submit(actor=annotator, annotation=submitted, expected_version=1)

    page, response = _open(browser, live_server, "/admin/login/")
    _log_in(page, live_server, "ann")
    page.wait_for_url(f"{live_server.url}/admin/")

    # The reading page's script still turns a selection into the annotating panel.
    page.goto(f"{live_server.url}/admin/archive/transcript/{transcript.pk}/change/")
    page.wait_for_selector("mark.ct-hl")
    _select_with_mouse(page, segment.pk, "4.2 million")
    page.wait_for_selector("#ct-desk:not([hidden])")
    page.click("#ct-desk .ct-desk-full")
    page.wait_for_selector("#annotation_form")
    assert page.input_value("#id_quote") == "4.2 million"
    page.screenshot(path=str(artifacts / "csp-add-form.png"), full_page=True)

    for path in (
        "/admin/annotate/annotation/",
        "/admin/annotate/annotation/?q=roads",
        "/admin/archive/transcript/",
        "/admin/archive/ledgerevent/",
    ):
        assert page.goto(live_server.url + path).status == 200, path

    # The dashboard's bars get their widths from its script, not from style attributes.
    editor_page, _ = _open(browser, live_server, "/admin/login/")
    _log_in(editor_page, live_server, "ed")
    editor_page.wait_for_url(f"{live_server.url}/admin/")
    editor_page.goto(f"{live_server.url}/admin/annotate/annotation/dashboard/")
    widths = editor_page.eval_on_selector(  # the overall bar: one draft, one in review
        ".ct-bar",
        "bar => [bar, ...bar.children].map(el => el.getBoundingClientRect().width)",
    )
    assert widths[1:] == [pytest.approx(widths[0] / 2, abs=2)] * 2
    editor_page.screenshot(path=str(artifacts / "csp-dashboard.png"), full_page=True)


def test_the_lockout_page_renders_under_the_policy(browser, live_server, artifacts):
    _user("ann", Role.ANNOTATOR)
    page, _ = _open(browser, live_server, "/admin/login/")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _log_in(page, live_server, "ann", f"wrong-{attempt}")
        page.wait_for_load_state()
    assert "Too many failed logins" in page.inner_text("#content")
    page.screenshot(path=str(artifacts / "csp-lockout.png"), full_page=True)


def test_the_api_docs_render_under_the_policy(browser, live_server, artifacts):
    page, response = _open(browser, live_server, "/api/docs/")
    assert response.status == 200
    page.wait_for_selector(".opblock-tag", timeout=20_000)  # Swagger UI built the page
    assert page.locator(".opblock").count() > 10
    page.screenshot(path=str(artifacts / "csp-api-docs.png"))
