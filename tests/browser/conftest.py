"""Headless Chromium for the browser tests (Debian's chromium, never Playwright's download)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CLAIMTRAIL_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Runs in every page before its own scripts: report each Content-Security-Policy
# violation to the test (the binding outlives navigations, a page's variables do not).
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__ctCspViolation({
    page: location.href, directive: event.effectiveDirective, blocked: event.blockedURI,
    source: event.sourceFile, line: event.lineNumber, sample: event.sample,
  });
});
"""


class CspCheckedBrowser:
    """The browser, with every context it opens watched for CSP violations: reported by
    the page (``securitypolicyviolation``) or logged by Chromium to the console."""

    def __init__(self, browser):
        self._browser = browser
        self.contexts = []
        self.violations: list[str] = []

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.expose_binding(
            "__ctCspViolation", lambda _source, report: self.violations.append(str(report))
        )
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("console", self._console)
        self.contexts.append(context)
        return context

    def new_page(self, **options):
        return self.new_context(**options).new_page()

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.violations.append(f"console {message.type}: {message.text}")

    def flush(self):
        """Let every open page deliver the reports still on their way."""
        for context in self.contexts:
            for page in context.pages:
                if not page.is_closed():
                    page.evaluate("0")


@pytest.fixture(autouse=True)
def _no_csp_violations(request):
    """Every browser test fails on a Content-Security-Policy violation in any page."""
    if "browser" not in request.fixturenames:
        yield
        return
    checked = request.getfixturevalue("browser")
    checked.contexts.clear()
    checked.violations.clear()
    yield
    checked.flush()
    violations = list(checked.violations)
    checked.violations.clear()
    for context in checked.contexts:
        context.close()
    checked.contexts.clear()
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture(scope="module")
def browser():
    """Module-scoped, so Playwright's event loop is gone before other modules' tests run.
    Yields a ``CspCheckedBrowser``: see ``_no_csp_violations``."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an event loop running in this thread, so Django would
    # refuse the tests' own synchronous ORM calls (and the flush after each test): allow
    # them while this module's browser runs, and no longer.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            yield CspCheckedBrowser(chromium)
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def _close_server_connections():
    """The live server answers each request in a new thread; with persistent
    connections (CONN_MAX_AGE) those threads would keep the test database open."""
    from django.db import connections

    saved = connections.settings["default"].get("CONN_MAX_AGE", 0)
    connections.settings["default"]["CONN_MAX_AGE"] = 0
    yield
    connections.settings["default"]["CONN_MAX_AGE"] = saved


@pytest.fixture(autouse=True)
def _seeded(reseeded):
    """Every browser test starts with the taxonomy and role groups (see ``reseeded``)."""
