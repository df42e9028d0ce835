"""The review page: one self-contained HTML file, every quote highlighted in its article.

Rendered from `summarise/templates/review.html.j2` with the page's CSS and JS inlined (read
with `importlib.resources`, so they ship in the wheel).
"""

from __future__ import annotations

import base64
import hashlib
from importlib import resources

import jinja2
from markupsafe import Markup

from ..dates import describe_interval
from ..merging import verify_provenance
from ..models import DefenceMeetingReport, MergedReport
from .common import (
    KINDS,
    Quotes,
    attendees_in_question,
    claim_details,
    conflicts_of_kind,
    merged_view,
    overview,
    report_title,
)

__all__ = ["render_html"]

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


def render_html(report: MergedReport | DefenceMeetingReport) -> str:
    """The review page: one self-contained HTML file (inline CSS and JS, no network).

    Article texts are embedded once as JSON with `<`, `>` and `&` escaped, and shown through
    text nodes only; a Content-Security-Policy allows no script but the page's own.
    """
    merged = merged_view(report)
    style, script = _asset("review.css"), _asset("review.js")
    csp = (
        "default-src 'none'; img-src 'none'; base-uri 'none'; form-action 'none'; "
        f"style-src {_csp_hash(style)}; script-src {_csp_hash(script)}"
    )
    template = _environment().get_template("review.html.j2")
    return template.render(
        report=merged,
        title=report_title(merged),
        csp=csp,
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
