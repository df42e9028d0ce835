"""The review renderings: HTML page, Markdown and terminal, and loading files for review."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import date
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rich.console import Console

from summarise.dates import describe_interval
from summarise.errors import InputError
from summarise.merging import MergedReport, merge
from summarise.models import Attendee, DefenceMeetingReport, Evidence, Topic
from summarise.review import (
    load_for_review,
    render_html,
    render_markdown,
    render_terminal,
)
from summarise.review.common import merged_view
from tests.merge_fixtures import ev, report, report_a, report_b, text_source

HOSTILE_ID = 'evil"><script>window.pwned = 5</script>'
HOSTILE_SCRIPT = "<script>window.pwned = 1</script>"
HOSTILE_IMG = '<img src=x onerror="window.pwned = 2">'
HOSTILE_NAME = '<img src=x onerror="window.pwned = 3">Acme'
MISSING_QUOTE = "words the model made up"


def reference() -> MergedReport:
    """The hand-built reference pair, merged."""
    return merge([report_a(), report_b()])


def hostile_report() -> DefenceMeetingReport:
    """A report whose article text, names and labels are HTML that would run script."""
    text = (
        f"Intro. {HOSTILE_SCRIPT} and {HOSTILE_IMG} shown as text. "
        "Acme Defence & Co attended the talks in <Moscow>."
    )
    src = text_source(HOSTILE_ID, text, date(2025, 11, 1))
    return report(
        src,
        "A summary with <b>markup</b>.",
        attendees=[
            Attendee(
                name=HOSTILE_NAME,
                kind="organisation",
                stance="asserted",
                evidence=[ev(src, HOSTILE_SCRIPT), ev(src, HOSTILE_IMG)],
            )
        ],
        topics=[
            Topic(
                label="<script>window.pwned = 4</script>",
                evidence=[ev(src, "Acme Defence & Co attended the talks in <Moscow>")],
            )
        ],
    )


def unaligned_report() -> DefenceMeetingReport:
    """A single report with one quote found in its source and one that is not."""
    src = text_source("single", "Rosoboronexport hosted the delegation in Moscow.")
    missing = Evidence(source_id=src.id, quote=MISSING_QUOTE, alignment="not_found")
    return report(
        src,
        "One article.",
        attendees=[
            Attendee(
                name="Rosoboronexport",
                kind="organisation",
                stance="asserted",
                evidence=[ev(src, "Rosoboronexport hosted the delegation"), missing],
            )
        ],
    )


class _Page(HTMLParser):
    """The visible text of a page, and its elements' tags and attributes."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())

    def buttons(self, state: str) -> list[dict[str, str | None]]:
        return [a for tag, a in self.elements if tag == "button" and a.get("data-state") == state]


def _data_block(html: str) -> str:
    match = re.search(r'<script type="application/json" id="source-data">(.*?)</script>', html)
    assert match
    return match.group(1)


def _embedded_sources(html: str) -> list[dict[str, str]]:
    data: list[dict[str, str]] = json.loads(_data_block(html))
    return data


# --- HTML --------------------------------------------------------------------------------------


def test_html_shows_every_section_and_value() -> None:
    html = render_html(reference())
    page = _Page(html)
    ids = {a.get("id") for _, a in page.elements}
    assert {
        "conflicts",
        "attendees",
        "dates",
        "denials",
        "locations",
        "topics",
        "risks",
        "key-figures",
        "summaries",
        "sources",
    } <= ids
    text = page.visible
    for value in (
        "Adani Defence",
        "Bharat Forge",
        "Sanjiv Kumar",
        "Society of Indian Defence Manufacturers",
        "29\u201330 Oct 2025",  # the refined interval ...
        "\u201clate October\u201d",  # ... and the texts it came from
        "\u201cOctober 29 and 30\u201d",
        "the information linking them to these meetings was incorrect",
        "Moscow",
        "Western secondary sanctions",
        "joint research and development of advanced defence systems",
        "36%",
        "Reuters reports Indian defence executives met in Moscow; two firms deny it.",
    ):
        assert value in text, value
    badges = {a.get("class") for tag, a in page.elements if tag == "span"}
    assert {"badge st-disputed", "badge st-confirmed", "badge st-unverified"} <= badges
    assert "badge st-denied" in badges  # the Adani Group: only denials


def test_html_puts_conflicts_first_with_both_sides() -> None:
    html = render_html(reference())
    conflicts = html.index('id="conflicts"')
    assert conflicts < html.index('id="attendees"')
    adani = html.index("Adani Defence: attendance asserted and denied.")
    block = html[adani : html.index("</article>", adani)]
    assert "attended" in block
    assert "did not attend" in block
    assert "the Adani Defence and the Bharat Forge told Reuters" in block  # the denial
    assert "attended the discussions" in block  # the assertion


def test_every_value_counts_its_sources() -> None:
    text = _Page(render_html(reference())).visible
    assert "attended per 2 independent sources, denied per 1" in text  # Bharat Forge
    assert "Moscow 2 sources" in text


def test_found_evidence_carries_offsets_that_reread() -> None:
    html = render_html(reference())
    texts = [s["text"] for s in _embedded_sources(html)]
    found = re.findall(
        r'data-s="(\d+)" data-a="(\d+)" data-b="(\d+)"[^>]*>\s*<span class="src">[^<]*</span>\s*'
        r"<q>(.*?)</q>",
        html,
    )
    assert len(found) == len(_Page(html).buttons("found")) > 10
    for index, start, end, quote in found:
        assert texts[int(index)][int(start) : int(end)] == unescape(quote)


def test_not_found_evidence_is_never_highlighted() -> None:
    html = render_html(unaligned_report())
    page = _Page(html)
    [missing] = page.buttons("not_found")
    assert "data-a" not in missing and "data-b" not in missing
    assert "not found in source" in page.visible
    assert re.search(r'<i class="quote">&ldquo;' + MISSING_QUOTE, html)
    assert len(page.buttons("found")) == 1


def test_evidence_whose_offsets_do_not_reread_is_flagged() -> None:
    data = json.loads(reference().model_dump_json())
    data["entities"][0]["attendance"]["supporting"][0]["evidence"][0]["quote"] = "tampered"
    tampered = MergedReport.model_validate(data)
    page = _Page(render_html(tampered))
    assert page.buttons("mismatch")
    assert "Provenance problems" in page.visible
    assert "offsets do not match the source" in page.visible


def test_single_report_is_shown_merged_alone() -> None:
    html = render_html(report_a())
    text = _Page(html).visible
    assert "Review: india-russia-defence-meetings-a" in text
    assert "Ashish Rajvanshi" in text
    assert len(_embedded_sources(html)) == 1


def test_article_text_is_escaped() -> None:
    html = render_html(hostile_report())
    # The only script elements are the page's own: the JSON data block and one inline script.
    assert html.count("<script") == 2
    assert "<img" not in html
    page = _Page(html)
    assert not [t for t, _ in page.elements if t == "img"]
    assert not [k for _, attrs in page.elements for k in attrs if k.startswith("on")]
    text = page.visible
    assert HOSTILE_NAME in text
    assert "<script>window.pwned = 4</script>" in text
    assert HOSTILE_ID in text
    # Embedded sources: JSON with no raw markup, and the text intact once parsed.
    assert not set(_data_block(html)) & set("<>&")
    [source] = _embedded_sources(html)
    assert HOSTILE_SCRIPT in source["text"] and HOSTILE_IMG in source["text"]


def test_page_is_self_contained() -> None:
    src = text_source("linked", "Bharat Forge attended.")
    linked = report(
        src.model_copy(update={"url": "https://example.com/story"}),
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
    html = render_html(linked)
    lowered = html.lower()
    assert 'src="' not in lowered and "src='" not in lowered
    assert "<link" not in lowered and "@import" not in lowered and "url(" not in lowered
    hrefs = [(t, a) for t, a in _Page(html).elements if "href" in a]
    external = [(t, a) for t, a in hrefs if not (a["href"] or "").startswith("#")]
    # The one external link is the article itself, a navigation link, never an asset.
    assert external == [
        (
            "a",
            {"href": "https://example.com/story", "rel": "noopener noreferrer", "target": "_blank"},
        )
    ]


def test_non_web_source_url_is_shown_as_text() -> None:
    src = text_source("js", "Bharat Forge attended.")
    html = render_html(report(src.model_copy(update={"url": "javascript:alert(1)"}), "s"))
    assert 'href="javascript' not in html
    assert "javascript:alert(1)" in _Page(html).visible


def test_content_security_policy_allows_only_the_page_script() -> None:
    html = render_html(reference())
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert policy
    script = re.search(r"<script>(.*?)</script>", html, re.DOTALL)
    assert script
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in unescape(policy.group(1))
    assert "default-src 'none'" in unescape(policy.group(1))


@pytest.mark.parametrize(
    ("earliest", "latest", "shown"),
    [
        (date(2025, 10, 29), date(2025, 10, 30), "29\u201330 Oct 2025"),
        (date(2025, 10, 29), date(2025, 10, 29), "29 Oct 2025"),
        (date(2025, 10, 29), date(2025, 11, 2), "29 Oct \u2013 2 Nov 2025"),
        (date(2025, 12, 30), date(2026, 1, 2), "30 Dec 2025 \u2013 2 Jan 2026"),
        (None, date(2025, 10, 30), "until 30 Oct 2025"),
        (date(2025, 10, 29), None, "from 29 Oct 2025"),
        (None, None, "no interval"),
    ],
)
def test_intervals_read_as_dates(earliest: date | None, latest: date | None, shown: str) -> None:
    assert describe_interval(earliest, latest) == shown


# --- Markdown ----------------------------------------------------------------------------------


def test_markdown_has_every_section_and_value() -> None:
    md = render_markdown(reference())
    for heading in (
        "## Conflicts",
        "## Attendees",
        "## Dates",
        "## Denials",
        "## Locations",
        "## Topics",
        "## Risks",
        "## Key figures",
        "## Sources",
    ):
        assert f"\n{heading}\n" in md
    assert md.index("## Conflicts") < md.index("## Attendees")
    assert "| Bharat Forge | organisation | **disputed** | 2 | 1 |" in md
    assert "### the meetings in Moscow (consistent): **29\u201330 Oct 2025**" in md
    assert "\u201clate October\u201d \u2192 21\u201331 Oct 2025" in md
    assert "- **did not attend** (1 source)" in md
    assert "told Reuters that the information linking them" in md
    assert "268\u2013355" in md  # offsets of a found quote


def test_markdown_marks_unaligned_quotes() -> None:
    md = render_markdown(unaligned_report())
    assert f"*\u201c{MISSING_QUOTE}\u201d* \u2014 single, **not found in source**" in md


def test_markdown_escapes_article_text() -> None:
    md = render_markdown(hostile_report())
    assert not re.search(r"(?<!\\)[<>]", md)  # every angle bracket escaped
    assert "\\<script\\>window.pwned = 4\\</script\\>" in md


# --- terminal ----------------------------------------------------------------------------------


def _terminal_text(report: MergedReport | DefenceMeetingReport) -> str:
    console = Console(record=True, width=200, color_system=None)
    console.print(render_terminal(report))
    return console.export_text()


def test_terminal_shows_conflicts_and_every_field() -> None:
    text = _terminal_text(reference())
    for value in (
        "Conflicts",
        "Adani Defence: attendance asserted and denied.",
        "contradiction",
        "disputed",
        "confirmed",
        "29\u201330 Oct 2025",
        "\u201clate October\u201d",
        "Bharat Forge denies",
        "Western secondary sanctions",
        "Key figures",
        "india-russia-defence-meetings-b",
    ):
        assert value in text, value
    assert text.index("Conflicts") < text.index("Attendees")


def test_terminal_prints_markup_in_text_literally() -> None:
    src = text_source("rich", "[bold]Acme[/bold] attended.")
    text = _terminal_text(
        report(
            src,
            "s",
            attendees=[
                Attendee(
                    name="[bold]Acme[/bold]",
                    kind="organisation",
                    stance="asserted",
                    evidence=[ev(src, "[bold]Acme[/bold] attended")],
                )
            ],
        )
    )
    assert "[bold]Acme[/bold]" in text


def test_terminal_flags_unaligned_quotes() -> None:
    text = _terminal_text(merge([unaligned_report(), report_a()]))  # a single-source conflict
    assert f"\u201c{MISSING_QUOTE}\u201d single (not found in source)" in text


# --- loading -----------------------------------------------------------------------------------


def test_load_for_review_reads_a_merged_report(tmp_path: Path) -> None:
    merged = reference()
    path = tmp_path / "merged.json"
    path.write_text(merged.model_dump_json(), encoding="utf-8")
    assert load_for_review(path) == merged


def test_load_for_review_reads_a_single_report_which_views_merge_alone(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(report_a().model_dump_json(), encoding="utf-8")
    assert load_for_review(path) == report_a()
    assert merged_view(report_a()) == merge([report_a()])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a report or a merged report"),
        ('{"summary": "x"}', "not a valid report: source: Field required"),
        ('{"schema_version": "1", "entities": []}', "not a valid merged report"),
        ('{"schema_version": "99", "entities": []}', "merged report format '99'"),
    ],
)
def test_load_for_review_rejects_bad_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        load_for_review(path)
    assert str(path) in str(caught.value)


def test_load_for_review_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the report"):
        load_for_review(tmp_path / "missing.json")
