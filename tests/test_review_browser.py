"""The review page in real headless Chromium: clicks highlight quotes, hostile text stays text.

Needs Debian's `chromium` (/usr/bin/chromium) and the `playwright` Python package (no
`playwright install`: the system browser is used). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from summarise.batch import write_events
from summarise.merging import MergedEntity, MergedReport, merge
from summarise.models import Attendee, DefenceMeetingReport, ReportWarning, Support
from summarise.review import render_html
from tests.conftest import ROOT
from tests.event_fixtures import deal_report, ministers_reports, visit_copy_report, visit_report
from tests.merge_fixtures import ev, report as build_report, report_a, report_b, text_source
from tests.test_review import (
    HOSTILE_IMG,
    HOSTILE_SCRIPT,
    MISSING_QUOTE,
    hostile_report,
    unaligned_report,
)

CHROMIUM = Path("/usr/bin/chromium")
_MISSING = [
    why
    for why, missing in (
        (f"{CHROMIUM} is missing (apt-get install chromium)", not CHROMIUM.exists()),
        ("the playwright package is missing (pip install playwright)",
         importlib.util.find_spec("playwright") is None),
    )
    if missing
]  # fmt: skip
if _MISSING:
    # CI sets SUMMARISE_REQUIRE_BROWSER=1 so that a missing browser fails instead of skipping.
    if os.environ.get("SUMMARISE_REQUIRE_BROWSER") == "1":
        pytest.fail("; ".join(_MISSING), pytrace=False)
    pytest.skip("; ".join(_MISSING), allow_module_level=True)

from playwright import sync_api  # noqa: E402

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"
BOUND_MS = 5000  # generous on purpose: the figures measured are far below (docs/benchmarks.md)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Review:
    """An open review page, with what it asked of the network and the errors it raised."""

    def __init__(self, page: Any, requests: list[str], errors: list[str]) -> None:
        self.page = page
        self.requests = requests
        self.errors = errors

    def click(self, selector: str) -> str:
        """Click the evidence button and return the highlighted text in the source pane."""
        self.page.locator(selector).first.click()
        mark = self.page.locator("#viewer-text mark")
        assert mark.count() == 1
        text: str = mark.text_content()
        return text

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture
def open_review(browser: Any, tmp_path: Path) -> Iterator[Any]:
    """`open_review(report)` writes the page, opens it offline and returns a Review."""
    contexts = []

    def open_(report: MergedReport | DefenceMeetingReport | Path) -> Review:
        """Open a report's page, or a page already written (a Path)."""
        if isinstance(report, Path):
            path = report
        else:
            path = tmp_path / "review.html"
            path.write_text(render_html(report), encoding="utf-8")
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(context)
        requests: list[str] = []
        errors: list[str] = []

        def route(route: Any) -> None:
            if route.request.url.startswith("file:"):
                route.continue_()
            else:
                requests.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(path.as_uri())
        return Review(page, requests, errors)

    yield open_
    for context in contexts:
        context.close()


def _reference_pair(source: str, request: pytest.FixtureRequest) -> MergedReport:
    if source == "hand-built":
        return merge([report_a(), report_b()])
    reports: dict[str, DefenceMeetingReport] = request.getfixturevalue("reference_reports")
    return merge(list(reports.values()))


def _disputed(merged: MergedReport) -> MergedEntity:
    disputed = [e for e in merged.entities if e.attendance and e.attendance.status == "disputed"]
    assert disputed, "the reference pair should give a disputed attendee"
    return next((e for e in disputed if e.name == "Adani Defence"), disputed[0])


@pytest.mark.parametrize("source", ["hand-built", pytest.param("model", marks=pytest.mark.model)])
def test_clicking_evidence_of_a_disputed_attendee_highlights_its_quote(
    open_review: Any, source: str, request: pytest.FixtureRequest
) -> None:
    merged = _reference_pair(source, request)
    entity = _disputed(merged)
    assert entity.attendance is not None
    review = open_review(merged)
    for claims, side in ((entity.attendance.supporting, "pro"), (entity.attendance.denying, "con")):
        first = next(e for c in claims for e in c.evidence if e.aligned)
        assert review.click(f"#entities-{entity.id} .side.{side} button.ev-found") == first.quote
        mark = review.page.locator("#viewer-text mark").bounding_box()
        pane = review.page.locator("#viewer-text").bounding_box()
        assert pane["y"] <= mark["y"] and mark["y"] + mark["height"] <= pane["y"] + pane["height"]
        assert first.source_id in review.page.locator("#viewer-head").text_content()
    review.screenshot(f"review-reference-{source}")
    assert review.requests == [] and review.errors == []


@pytest.mark.parametrize("source", ["hand-built", pytest.param("model", marks=pytest.mark.model)])
def test_a_conflict_shows_both_sides_next_to_each_other(
    open_review: Any, source: str, request: pytest.FixtureRequest
) -> None:
    merged = _reference_pair(source, request)
    entity = _disputed(merged)
    review = open_review(merged)
    conflict = review.page.locator("#conflicts article.conflict").filter(
        has_text=f"{entity.name}: attendance asserted and denied"
    )
    attended, denied = conflict.locator(".side.pro"), conflict.locator(".side.con")
    assert attended.locator("h4").text_content().startswith("attended")
    assert denied.locator("h4").text_content().startswith("did not attend")
    left, right = attended.bounding_box(), denied.bounding_box()
    assert left["x"] + left["width"] <= right["x"] and abs(left["y"] - right["y"]) < 1
    assert attended.locator("button.ev").count() >= 1 and denied.locator("button.ev").count() >= 1
    denial = denied.locator("button.ev-found").first
    quote = denial.locator("q").text_content()
    denial.click()
    assert review.page.locator("#viewer-text mark").text_content() == quote


def test_the_filter_hides_items_that_do_not_match(open_review: Any) -> None:
    page = open_review(merge([report_a(), report_b()])).page
    page.locator("#filter").fill("sanjiv")
    page.wait_for_function("() => document.getElementById('entities-adani-defence').hidden")
    assert page.locator("#entities-sanjiv-kumar").is_visible()
    page.locator("#filter").fill("")
    page.wait_for_function("() => !document.getElementById('entities-adani-defence').hidden")


def test_hostile_article_text_runs_nothing_and_shows_as_text(open_review: Any) -> None:
    review = open_review(hostile_report())
    page = review.page
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert review.click("#attendees button.ev-found") == HOSTILE_SCRIPT
    page.locator("#attendees button.ev-found").nth(1).click()
    assert page.locator("#viewer-text mark").text_content() == HOSTILE_IMG
    assert page.locator("#viewer-text img, #viewer-text script").count() == 0
    assert HOSTILE_SCRIPT in page.locator("#viewer-text").text_content()
    assert page.locator("#topics h3").get_by_text("<script>window.pwned = 4</script>").is_visible()
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert review.requests == [] and review.errors == []


def test_unaligned_evidence_opens_its_source_without_a_highlight(open_review: Any) -> None:
    review = open_review(unaligned_report())  # a single per-article report
    page = review.page
    missing = page.locator("button.ev-not_found")
    assert missing.locator("i").text_content() == f"\u201c{MISSING_QUOTE}\u201d"
    missing.click()
    assert page.locator("#viewer-text mark").count() == 0
    assert page.locator("#viewer-head .missing").is_visible()
    assert "Rosoboronexport hosted" in page.locator("#viewer-text").text_content()
    assert review.click("button.ev-found") == "Rosoboronexport hosted the delegation"


def test_offsets_count_characters_not_utf16_units(open_review: Any) -> None:
    src = text_source("emoji", "\U0001f1ee\U0001f1f3 \U0001f680 India: Bharat Forge attended.")
    report = build_report(
        src,
        "s",
        attendees=[
            Attendee(
                name="Bharat Forge",
                kind="organisation",
                stance="asserted",
                evidence=[ev(src, "Bharat Forge attended")],
            )
        ],
    )
    assert open_review(report).click("button.ev-found") == "Bharat Forge attended"


def _synthetic(count: int) -> list[DefenceMeetingReport]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_merge import build_reports

    return build_reports(count)[0]


def test_a_200_article_report_loads_and_highlights_quickly(open_review: Any) -> None:
    merged = merge(_synthetic(200))
    review = open_review(merged)
    page = review.page
    loaded = page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return {dom: n.domContentLoadedEventEnd, load: n.loadEventEnd}; }"
    )
    entity = _disputed(merged)
    clicked = page.evaluate(
        """async (selector) => {
            const button = document.querySelector(selector);
            const start = performance.now();
            button.click();
            await new Promise((done) => requestAnimationFrame(() => setTimeout(done)));
            return {ms: performance.now() - start,
                    mark: document.querySelector('#viewer-text mark').textContent};
        }""",
        f"#entities-{entity.id} .side.pro button.ev-found",
    )
    assert entity.attendance is not None
    first = next(e for c in entity.attendance.supporting for e in c.evidence if e.aligned)
    assert clicked["mark"] == first.quote
    assert loaded["load"] < BOUND_MS and clicked["ms"] < BOUND_MS
    figures = {
        "articles": 200,
        "html_bytes": len(page.content().encode()),
        "load_ms": round(loaded["load"]),
        "dom_content_loaded_ms": round(loaded["dom"]),
        "click_to_highlight_ms": round(clicked["ms"], 1),
        "machine": f"{platform.machine()}, {platform.processor() or platform.system()}",
        "date": date.today().isoformat(),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "review-200-timing.json").write_text(json.dumps(figures, indent=2) + "\n")
    review.screenshot("review-200-articles")
    assert review.requests == [] and review.errors == []


# --- events, warnings and verdicts ---------------------------------------------------------


def test_the_events_list_opens_each_events_page_and_back(open_review: Any, tmp_path: Path) -> None:
    out = tmp_path / "run"
    reports = [report_a(), report_b(), visit_report(), visit_copy_report(), deal_report()]
    write_events([*reports, *ministers_reports()], out)
    review = open_review(out / "review.html")
    page = review.page
    assert page.locator("tr.event-row").count() == 5
    moscow = page.locator("tr#india-russia-defence-meetings-a")
    assert "disagreement" in moscow.locator("td").last.text_content()  # what to check first
    moscow.locator("a.event-link").click()
    page.wait_for_url("**/events/india-russia-defence-meetings-a.html")
    assert "Why these articles are one event" in page.locator("section#event").text_content()
    entity = page.locator("#entities-adani-defence button.ev-found").first
    entity.click()
    assert page.locator("#viewer-text mark").text_content() == entity.locator("q").text_content()
    page.locator("section#event a", has_text="putin-visit-new-delhi").click()
    page.wait_for_url("**/events/putin-visit-new-delhi.html")
    page.locator("p.crumbs a").click()
    page.wait_for_url("**/review.html")
    review.screenshot("review-events")
    assert review.requests == [] and review.errors == []


def test_a_warning_comes_first_and_shows_its_passage(open_review: Any) -> None:
    a = report_a()
    passage = a.source.text[40:120]
    warned = a.model_copy(
        update={
            "warnings": [
                ReportWarning(kind="instruction", message="Text addressed to a model.", start=40,
                              end=120)
            ]
        }
    )  # fmt: skip
    first = warned.attendees[0]
    supported = first.evidence[0].model_copy(
        update={"support": Support(verdict="supported", checked="name and 'met'", side="attended")}
    )
    warned.attendees[0] = first.model_copy(update={"evidence": [supported, *first.evidence[1:]]})
    review = open_review(merge([warned, report_b()]))
    page = review.page
    warnings = page.locator("section#warnings")
    assert warnings.is_visible() and "Text addressed to a model." in warnings.text_content()
    box, conflicts = warnings.bounding_box(), page.locator("section#conflicts").bounding_box()
    assert box["y"] < conflicts["y"]  # read before anything else
    warnings.locator("button.show-span").click()
    assert page.locator("#viewer-text mark").text_content() == passage
    badge = page.locator("span.verdict.v-supported").first
    assert badge.text_content() == "supported: says it took part"
    assert review.errors == []
