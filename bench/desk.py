"""Desk benchmark: what one claim and one review cost a person, in headless Chromium.

Builds a throwaway SQLite workbench as ``make demo`` does (migrate, ``manage.py demo``)
plus a liveblog of 2,000 segments, serves it with gunicorn on 127.0.0.1 (DEBUG off,
static files by whitenoise), and drives Debian's Chromium through Playwright:

- the core task on the annotating desk, by mouse and by keyboard only: one claim with
  a claim type, the claim restated, one citation, a proposed verdict, submitted;
- a review on the review desk: approve (``a``), then request changes with a comment,
  each time until the next item is on the screen;
- the reading page of the 2,000-segment transcript: server time of the HTML (median of
  7 requests with a logged-in session) and the browser's DOMContentLoaded, which
  includes running the deferred desk script.

Clicks, keys (typing not counted), page loads and seconds of each scripted run are
reported; typing is instant in a script, so seconds measure the app, not a person.
Run with ``make bench-desk`` (= ``.venv/bin/python bench/desk.py``); ``--write`` puts the
figures into bench/RESULTS.md and the screenshots into test-artifacts/.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.api import start_gunicorn, stop  # noqa: E402
from bench.results import write_section  # noqa: E402

HOST = "127.0.0.1"
PASSWORD = "bench-desk-password-1"
CHROMIUM = os.environ.get("CLAIMTRAIL_CHROMIUM", "/usr/bin/chromium")
SEGMENTS = 2_000
ARTIFACTS = REPO / "test-artifacts"
TARGETS = {
    "claim_loads": 0,
    "claim_clicks": 4,
    "review_loads": 0,
    "served_ms": 300,
    "interactive_ms": 1000,
}


def liveblog(count: int) -> str:
    """A liveblog of ``count`` segments, speakers and figures varying."""
    speakers = ["Ms. Helena Marsh", "Mr. Tomas Quill", "Dr. Lena Brandt", "Mr. Samir Haddad"]
    blocks = []
    for i in range(count):
        minutes = 18 * 60 + i // 4
        blocks.append(
            f"{minutes // 60 % 24:02d}{minutes % 60:02d}: Ebbridge: {speakers[i % 4]}\n\n"
            f"Item {i}: the council spent {1 + i % 9}.{i % 10} million euros on roads in "
            f"{2015 + i % 10}, up {3 + i % 17} percent on the year before, and "
            f"{100 + i} residents wrote in about it."
        )
    return "Budget hearing, long version\n\n" + "\n\n".join(blocks) + "\n"


# ---------------------------------------------------------------- the workbench


def build(workdir: Path) -> dict:
    """Migrate a fresh SQLite database, run the demo, import the long transcript and
    put five claims in review for the reviewer's queue."""
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'desk.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "workbench.settings.local",
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-not-secret-" + "d" * 40,
            "STATIC_ROOT": str(workdir / "static"),
            "CLAIMTRAIL_DEMO_PASSWORD": PASSWORD,
            "CLAIMTRAIL_PUBLISHER_NAME": "Bench newsroom",
            "CLAIMTRAIL_PUBLISHER_URL": "https://bench.example.org/",
            "CLAIMTRAIL_PUBLISHER_LOGO": "https://bench.example.org/logo.png",
            "CLAIMTRAIL_PUBLIC_BASE_URL": "https://bench.example.org/fact-checks/",
            "ALLOWED_HOSTS": HOST,
            "LOG_LEVEL": "ERROR",
        }
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from annotate import services
    from archive.services import source_import

    quiet = open(os.devnull, "w")  # noqa: SIM115 - closed with the process
    call_command("migrate", verbosity=0, stdout=quiet)
    call_command("collectstatic", verbosity=0, interactive=False, stdout=quiet)
    call_command("demo", stdout=quiet)
    users = get_user_model().objects
    annotator = users.get(username="annotator")
    transcript = source_import(
        data=liveblog(SEGMENTS).encode(), actor=annotator, filename="long-hearing.txt"
    ).transcript
    segments = list(transcript.segments.order_by("ordinal")[:6])
    for segment in segments[1:6]:
        words = segment.text.split(" on roads")[0].split(": ", 1)[1]
        start = segment.text.index(words)
        draft = services.annotation_create(
            actor=annotator,
            segment=segment,
            start=start,
            end=start + len(words),
            claim_type="quantity",
            claim_text=words,
            verdict="mostly-true",
            citations=[
                {"url": "https://example.org/budget", "title": "Budget", "stance": "supports"}
            ],
        )
        services.annotation_submit(actor=annotator, annotation=draft, expected_version=1)
    return {"transcript": str(transcript.pk), "first_segment": str(segments[0].pk)}


def wait_ready(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/admin/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s")


# ---------------------------------------------------------------- the browser


class Counted:
    """A logged-in page that counts what the script does to it."""

    def __init__(self, browser, base: str, username: str, scheme: str = "light"):
        self.context = browser.new_context(
            viewport={"width": 1400, "height": 900}, color_scheme=scheme
        )
        self.page = self.context.new_page()
        self.base = base
        self.clicks = self.keys = self.loads = 0
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(base + "/admin/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("input[type=submit]")
        self.page.wait_for_url(base + "/admin/")
        self.page.on("load", self._loaded)

    def _loaded(self, _page):
        self.loads += 1

    def open(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")
        self.clicks = self.keys = self.loads = 0

    def click(self, selector: str) -> None:
        self.clicks += 1
        self.page.click(selector)

    def press(self, key: str) -> None:
        self.keys += 1
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:  # typing: not counted
        self.page.keyboard.type(text)

    def select_words(self, segment_id: str, words: str) -> None:
        """One mouse drag across ``words`` (counted as one click)."""
        box = self.page.evaluate(
            """([id, words]) => {
              const el = document.querySelector(`.ct-text[data-segment="${id}"]`);
              const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
              for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                const at = n.data.indexOf(words); if (at < 0) continue;
                const r = document.createRange(); r.setStart(n, at); r.setEnd(n, at + words.length);
                const rects = r.getClientRects(), a = rects[0], b = rects[rects.length - 1];
                return [a.left + 1, a.top + a.height / 2, b.right - 1, b.top + b.height / 2];
              }
              return null; }""",
            [segment_id, words],
        )
        self.clicks += 1
        self.page.mouse.move(box[0], box[1])
        self.page.mouse.down()
        self.page.mouse.move(box[2], box[3], steps=6)
        self.page.mouse.up()


def claim_type_key(page, slug: str) -> str:
    return page.get_attribute(
        f'#ct-desk .ct-choices[data-field="claim_type"] [data-value="{slug}"]', "data-key"
    )


def claim_by_mouse(desk: Counted, data: dict) -> dict:
    page = desk.page
    desk.open(f"/admin/archive/transcript/{data['transcript']}/change/")
    key = claim_type_key(page, "quantity")
    began = time.perf_counter()
    desk.select_words(data["first_segment"], "million euros on roads")
    page.wait_for_selector("#ct-desk:not([hidden])")
    desk.press(key)
    desk.click("textarea[name=claim_text]")
    desk.type("The council spent this on roads.")
    desk.press("Alt+Shift+2")  # mostly true, without leaving the text field
    desk.click(".ct-add-citation")
    desk.type("https://www.example.org/budget-report")
    desk.press("Tab")
    desk.type("Budget report")
    page.screenshot(path=str(ARTIFACTS / "desk-panel-light.png"))
    desk.press("Control+Shift+Enter")
    page.wait_for_selector("#ct-desk", state="hidden")
    page.wait_for_selector("mark.ct-hl.ct-in-review >> text=million euros on roads")
    return {
        "clicks": desk.clicks,
        "keys": desk.keys,
        "loads": desk.loads,
        "seconds": time.perf_counter() - began,
    }


def claim_by_keyboard(desk: Counted, data: dict) -> dict:
    page = desk.page
    desk.open(f"/admin/archive/transcript/{data['transcript']}/change/")
    key = claim_type_key(page, "event")
    began = time.perf_counter()
    for press in ["j", "j", "j", "j", "j", "j", "j"]:  # to the 7th segment, the first free one
        desk.press(press)
    for _ in range(4):
        desk.press("Shift+ArrowRight")
    desk.press("Enter")
    page.wait_for_selector("#ct-desk:not([hidden])")
    desk.press(key)
    desk.press("Tab")  # the claim
    desk.type("Item 6 says what the council spent.")
    desk.press("Alt+Shift+1")  # true
    for _ in range(3):  # verdicts, summary, "+ Add a citation"
        desk.press("Tab")
    desk.press("Enter")
    desk.type("https://www.example.org/item-6")
    desk.press("Tab")
    desk.type("Council minutes, item 6")
    desk.press("Control+Shift+Enter")
    page.wait_for_selector("#ct-desk", state="hidden")
    page.wait_for_selector("#ct-status:not([hidden]) >> text=Submitted for review")
    return {
        "clicks": desk.clicks,
        "keys": desk.keys,
        "loads": desk.loads,
        "seconds": time.perf_counter() - began,
    }


def review(desk: Counted) -> dict:
    page = desk.page
    desk.open("/admin/annotate/annotation/review/")
    page.screenshot(path=str(ARTIFACTS / "review-desk-light.png"), full_page=True)
    first = page.get_attribute("#ct-review-item", "data-annotation")
    page.locator("body").focus()
    began = time.perf_counter()
    desk.press("a")
    page.wait_for_selector(
        f'#ct-review-item:not([data-annotation="{first}"]), .ct-decision-alert:not([hidden])'
    )
    refused = page.locator(".ct-decision-alert:not([hidden])")
    if refused.count():
        raise RuntimeError(f"the approval was refused: {refused.inner_text()}")
    approve = {
        "clicks": desk.clicks,
        "keys": desk.keys,
        "loads": desk.loads,
        "seconds": time.perf_counter() - began,
    }
    desk.clicks = desk.keys = desk.loads = 0
    second = page.get_attribute("#ct-review-item", "data-annotation")
    began = time.perf_counter()
    desk.click("#ct-review-comment")
    desk.type("Say which budget line this is.")
    desk.press("Alt+c")  # from the comment box
    page.wait_for_selector(f'#ct-review-item:not([data-annotation="{second}"])')
    changes = {
        "clicks": desk.clicks,
        "keys": desk.keys,
        "loads": desk.loads,
        "seconds": time.perf_counter() - began,
    }
    return {"approve": approve, "request_changes": changes}


def reading_page_times(base: str, desk: Counted, transcript: str) -> dict:
    """Server time of the HTML (session cookie from the browser), and DOMContentLoaded."""
    path = f"/admin/archive/transcript/{transcript}/change/"
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in desk.context.cookies())
    served = []
    size = 0
    for _ in range(8):
        conn = http.client.HTTPConnection(HOST, int(base.rsplit(":", 1)[1]), timeout=30)
        began = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookies})
        response = conn.getresponse()
        body = response.read()
        served.append((time.perf_counter() - began) * 1000)
        size = len(body)
        conn.close()
    interactive = []
    for _ in range(5):
        desk.page.goto(base + path)
        desk.page.wait_for_load_state("load")
        interactive.append(
            desk.page.evaluate(
                "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
            )
        )
    segments_shown = desk.page.locator("section.ct-segment").count()
    return {
        "served_ms": statistics.median(served[1:]),
        "served_max_ms": max(served[1:]),
        "interactive_ms": statistics.median(interactive),
        "html_kb": size / 1024,
        "segments_shown": segments_shown,
    }


def screenshots(browser, base: str, data: dict) -> None:
    for scheme in ("light", "dark"):
        annotator = Counted(browser, base, "annotator", scheme)
        annotator.open(f"/admin/archive/transcript/{data['transcript']}/change/")
        annotator.select_words(data["first_segment"], "100 residents")
        annotator.page.wait_for_selector("#ct-desk:not([hidden])")
        annotator.page.screenshot(path=str(ARTIFACTS / f"desk-{scheme}.png"))
        annotator.context.close()
        reviewer = Counted(browser, base, "reviewer", scheme)
        reviewer.open("/admin/annotate/annotation/review/")
        reviewer.page.screenshot(path=str(ARTIFACTS / f"review-desk-{scheme}.png"), full_page=True)
        reviewer.context.close()


# ---------------------------------------------------------------- report


def report(results: dict) -> list[str]:
    mouse, keyboard = results["mouse"], results["keyboard"]
    approve, changes = results["review"]["approve"], results["review"]["request_changes"]
    reading = results["reading"]

    def row(name, r):
        return f"| {name} | {r['clicks']} | {r['keys']} | {r['loads']} | {r['seconds']:.2f} |"

    def met(ok):
        return "met" if ok else "NOT met"

    return [
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on SQLite (as `make demo`), "
        f"gunicorn on 127.0.0.1, Debian's Chromium headless; a transcript of {SEGMENTS:,} "
        "segments beside the demo's. Typing is not counted as keys; a mouse drag across the "
        "words counts as one click.",
        "",
        "| task | clicks | keys | page loads | seconds |",
        "| --- | ---: | ---: | ---: | ---: |",
        row("one claim (type, claim, verdict, citation, submitted), mouse", mouse),
        row("the same claim, keyboard only", keyboard),
        row("review: approve, next item on screen", approve),
        row("review: request changes with a comment, next item on screen", changes),
        "",
        f"Reading page of the {SEGMENTS:,}-segment transcript ({reading['segments_shown']} "
        f"segments on the page, {reading['html_kb']:.0f} KB of HTML): served in "
        f"{reading['served_ms']:.0f} ms (median of 7; slowest {reading['served_max_ms']:.0f} ms), "
        f"DOMContentLoaded after the desk script ran at {reading['interactive_ms']:.0f} ms.",
        "",
        f"- a claim in {mouse['loads']} page loads with {mouse['clicks']} clicks besides typing "
        f"(target 0 loads, at most {TARGETS['claim_clicks']} clicks): "
        f"{met(mouse['loads'] == 0 and mouse['clicks'] <= TARGETS['claim_clicks'])}",
        f"- the keyboard-only claim in {keyboard['clicks']} clicks and {keyboard['loads']} loads: "
        f"{met(keyboard['clicks'] == 0 and keyboard['loads'] == 0)}",
        f"- a review decision and the next item in {approve['loads'] + changes['loads']} page "
        f"loads: {met(approve['loads'] + changes['loads'] == 0)}",
        f"- reading page served in {reading['served_ms']:.0f} ms (target < 300): "
        f"{met(reading['served_ms'] < TARGETS['served_ms'])}; interactive at "
        f"{reading['interactive_ms']:.0f} ms (target < 1,000): "
        f"{met(reading['interactive_ms'] < TARGETS['interactive_ms'])}",
        f"- console errors in the runs: {len(results['errors'])}",
        "",
        "Screenshots: test-artifacts/desk-light.png, desk-dark.png, review-desk-light.png, "
        "review-desk-dark.png.",
        "",
        "Command: `make bench-desk` (= `.venv/bin/python bench/desk.py --write`).",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"error: no Chromium at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="claimtrail-desk-") as tmp:
        data = build(Path(tmp))
        server = start_gunicorn(args.port, workers=2, threads=4)
        base = f"http://{HOST}:{args.port}"
        try:
            wait_ready(args.port)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
                )
                annotator = Counted(browser, base, "annotator")
                results = {
                    "mouse": claim_by_mouse(annotator, data),
                    "keyboard": claim_by_keyboard(annotator, data),
                    "reading": reading_page_times(base, annotator, data["transcript"]),
                }
                reviewer = Counted(browser, base, "reviewer")
                try:
                    results["review"] = review(reviewer)
                except Exception:
                    print(
                        "reviewer page:",
                        reviewer.errors,
                        reviewer.page.inner_text("#ct-status"),
                        reviewer.page.evaluate(
                            "document.getElementById('ct-review-item').outerHTML.slice(0, 300)"
                        ),
                        file=sys.stderr,
                    )
                    raise
                results["errors"] = annotator.errors + reviewer.errors
                screenshots(browser, base, data)
                browser.close()
        finally:
            stop(server)
    lines = report(results)
    print("\n".join(lines))
    if results["errors"]:
        print("console errors:", *results["errors"], sep="\n  ", file=sys.stderr)
    if args.write:
        write_section("desk", "Desk (issue 14): one claim, one review, in headless Chromium", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
