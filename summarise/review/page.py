"""The review pages: one self-contained HTML file per report, every quote highlighted in its
article, and the list of a folder's events that opens them.

Rendered from `summarise/templates/review.html.j2` and `events.html.j2` with the CSS and JS
inlined (read with `importlib.resources`, so they ship in the wheel).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence
from importlib import resources

import jinja2
from markupsafe import Markup

from ..dates import describe_interval
from ..merging import verify_provenance
from ..models import EventReport
from .common import (
    KINDS,
    Quotes,
    Reviewable,
    attendees_in_question,
    claim_details,
    conflicts_of_kind,
    merged_view,
    overview,
    report_title,
)

__all__ = ["render_events_html", "render_html"]

_RELATIONS = {
    "part_of": "part of",
    "has_part": "has part",
    "affiliated_with": "affiliated with",
    "has_affiliate": "has affiliate",
}
_SIDES = {"attended": "pro", "did not attend": "con", "uncertain": "unsure"}
_SHOWN_QUOTES = 5  # quotes listed per value on the page; the rest fold away


def _anchor(field: str) -> str:
    """The id of the page item a conflict's field points at ('entities/x/attendance' -> ...)."""
    return "-".join(field.split("/")[:2])


def _csp_hash(text: str) -> str:
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"
    )


def _asset(name: str) -> str:
    return resources.files("summarise").joinpath("templates", name).read_text(encoding="utf-8")


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("summarise", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _policy(style: str, script: str | None) -> str:
    """The Content-Security-Policy: no network, no style or script but the page's own."""
    scripts = _csp_hash(script) if script is not None else "'none'"
    return (
        "default-src 'none'; img-src 'none'; base-uri 'none'; form-action 'none'; "
        f"style-src {_csp_hash(style)}; script-src {scripts}"
    )


def _event_page(event_id: str) -> str:
    """Where an event's page is, seen from another event's page (they share a folder)."""
    return f"{event_id}.html"


def render_html(report: Reviewable, *, index_href: str | None = None) -> str:
    """The review page: one self-contained HTML file (inline CSS and JS, no network).

    An event's report also says why its articles are one event and which events are related;
    with `index_href` (where the list of events is) it links back to the list and to the
    related events' pages, which sit beside it as `<event-id>.html`. Article texts are
    embedded once as JSON with `<`, `>` and `&` escaped, and shown through text nodes only; a
    Content-Security-Policy allows no script but the page's own.
    """
    event = report.event if isinstance(report, EventReport) else None
    merged = merged_view(report.report if isinstance(report, EventReport) else report)
    style, script = _asset("review.css"), _asset("review.js")
    template = _environment().get_template("review.html.j2")
    return template.render(
        report=merged,
        title=f"Event: {event.title}" if event else report_title(merged),
        event=event,
        index_href=index_href,
        event_href=_event_page,
        source_index={s.id: i for i, s in enumerate(merged.sources)},
        csp=_policy(style, script),
        style=Markup(style),
        script=Markup(script),
        problems=verify_provenance(merged),
        disagreements=conflicts_of_kind(merged, "contradiction", "granularity"),
        refinements=conflicts_of_kind(merged, "refinement"),
        single_source=conflicts_of_kind(merged, "single_source"),
        overview=overview(merged),
        attendees=attendees_in_question(merged),
        affiliations=[e for e in merged.entities if e.attendance is None],
        names={e.id: e.name for e in merged.entities},
        extractions={x.source_id: x.extraction for x in merged.extractions},
        sources=[
            {
                "id": s.id,
                "title": s.title,
                "url": s.url,
                "published": s.published.isoformat() if s.published else None,
                "text": s.text,
            }
            for s in merged.sources
        ],
        quote=Quotes(merged),
        interval=describe_interval,
        anchor=_anchor,
        claim_details=claim_details,
        side_class=lambda value: _SIDES.get(value, ""),
        kinds=KINDS,
        relations=_RELATIONS,
        shown_quotes=_SHOWN_QUOTES,
    )


def render_events_html(
    events: Sequence[EventReport],
    *,
    href: Callable[[str], str] = lambda event_id: f"events/{event_id}.html",
) -> str:
    """The list of a folder's events, each linking to its review page (at `href(event id)`).

    Each line says what the event is (title, dates, places, main parties), how many articles
    and independent sources tell it, and what a reviewer should look at first: disagreements,
    warnings, provenance problems. The page has no script.
    """
    style = _asset("review.css")
    rows = [
        {
            "event": e.event,
            "href": href(e.event.id),
            "disagreements": len(conflicts_of_kind(e.report, "contradiction", "granularity")),
            "warnings": len(e.report.warnings),
            "problems": len(verify_provenance(e.report)),
            "related": [(r.event_id, href(r.event_id), r.why) for r in e.event.related],
        }
        for e in events
    ]
    articles = sum(len(e.event.articles) for e in events)
    return (
        _environment()
        .get_template("events.html.j2")
        .render(
            rows=rows,
            articles=articles,
            csp=_policy(style, None),
            style=Markup(style),
            interval=describe_interval,
        )
    )
