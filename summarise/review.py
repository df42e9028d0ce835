"""Show a merged report to reviewers: a self-contained HTML page, Markdown, a terminal view.

Every value comes with its sources and quotes, and the page highlights each quote in its
article, so a reviewer can check the report field by field without reading JSON.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal, Protocol

import jinja2
from markupsafe import Markup
from pydantic import BaseModel
from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .dates import describe_interval
from .fields import LABELLED_FIELDS, ReportField
from .merging import merge, verify_provenance
from .models import (
    AttendanceClaim,
    Conflict,
    DefenceMeetingReport,
    Evidence,
    MergedEntity,
    MergedLocation,
    MergedReport,
    MergedRisk,
    MergedTopic,
)
from .reports import read_report

__all__ = ["load_for_review", "render_html", "render_markdown", "render_terminal"]

QuoteState = Literal["found", "not_found", "mismatch", "unknown_source"]

_STATUS_ORDER = {"disputed": 0, "denied": 1, "unverified": 2, "confirmed": 3}
_KINDS = {
    "contradiction": "contradiction",
    "granularity": "granularity: a group's denial",
    "refinement": "refinement",
    "single_source": "single source",
}
_RELATIONS = {
    "part_of": "part of",
    "has_part": "has part",
    "affiliated_with": "affiliated with",
    "has_affiliate": "has affiliate",
}
_SIDES = {"attended": "pro", "did not attend": "con", "uncertain": "unsure"}
_LABELS: dict[QuoteState, str] = {
    "found": "",
    "not_found": "not found in source",
    "mismatch": "offsets do not match the source",
    "unknown_source": "source not embedded",
}
_STYLES = {
    "confirmed": "green",
    "consistent": "green",
    "corroborated": "green",
    "disputed": "bold red",
    "conflicting": "bold red",
    "contradiction": "bold red",
    "denied": "red",
    "unverified": "yellow",
    "single_source": "yellow",
    "granularity": "yellow",
    "refinement": "cyan",
}
_TERMINAL_QUOTE = 110  # characters of a quote shown in the terminal
_SHOWN_QUOTES = 5  # quotes listed per value on the page; the rest fold away


@dataclass(frozen=True)
class _Quote:
    """How one evidence item can be shown: which embedded source, and whether it re-reads."""

    source: int | None
    state: QuoteState

    @property
    def label(self) -> str:
        return _LABELS[self.state]


class _Quotes:
    """Checks evidence against the report's embedded sources (the page highlights only spans
    that re-read as their quote)."""

    def __init__(self, report: MergedReport) -> None:
        self._index = {source.id: i for i, source in enumerate(report.sources)}
        self._texts = [source.text for source in report.sources]

    def __call__(self, evidence: Evidence) -> _Quote:
        index = self._index.get(evidence.source_id)
        if index is None:
            return _Quote(None, "unknown_source")
        if evidence.start is None or evidence.end is None or not evidence.aligned:
            return _Quote(index, "not_found")
        if self._texts[index][evidence.start : evidence.end] != evidence.quote:
            return _Quote(index, "mismatch")
        return _Quote(index, "found")


def _merged(report: MergedReport | DefenceMeetingReport) -> MergedReport:
    return report if isinstance(report, MergedReport) else merge([report])


def _title(report: MergedReport) -> str:
    if len(report.sources) == 1:
        source = report.sources[0]
        return f"Review: {source.title or source.id}"
    return f"Review: merged report of {len(report.sources)} articles"


def _by_kind(report: MergedReport, *kinds: str) -> list[Conflict]:
    """The report's conflicts of these kinds, in the order the kinds are given."""
    return sorted(
        (c for c in report.conflicts if c.kind in kinds), key=lambda c: kinds.index(c.kind)
    )


def _attendees(report: MergedReport) -> list[MergedEntity]:
    """Entities whose attendance is in question, disputed first, then by name."""
    return sorted(
        (e for e in report.entities if e.attendance is not None),
        key=lambda e: (
            _STATUS_ORDER[e.attendance.status] if e.attendance else 0,
            e.name.casefold(),
        ),
    )


def _claim_details(entity: MergedEntity) -> str:
    """Roles, affiliations and countries the articles give an entity."""
    parts = []
    for label, values in (
        ("role", {c.role for c in entity.claims if c.role}),
        ("affiliation", {c.affiliation for c in entity.claims if c.affiliation}),
        ("country", {c.country for c in entity.claims if c.country}),
    ):
        if values:
            parts.append(f"{label}: {'; '.join(sorted(values))}")
    text = " \u00b7 ".join(parts)
    return text[:1].upper() + text[1:]


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
    merged = _merged(report)
    style, script = _asset("review.css"), _asset("review.js")
    csp = (
        "default-src 'none'; img-src 'none'; base-uri 'none'; form-action 'none'; "
        f"style-src {_csp_hash(style)}; script-src {_csp_hash(script)}"
    )
    template = _environment().get_template("review.html.j2")
    return template.render(
        report=merged,
        title=_title(merged),
        csp=csp,
        style=Markup(style),
        script=Markup(script),
        problems=verify_provenance(merged),
        disagreements=_by_kind(merged, "contradiction", "granularity"),
        refinements=_by_kind(merged, "refinement"),
        single_source=_by_kind(merged, "single_source"),
        overview=_overview(merged),
        attendees=_attendees(merged),
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
        quote=_Quotes(merged),
        interval=describe_interval,
        anchor=_anchor,
        claim_details=_claim_details,
        side_class=lambda value: _SIDES.get(value, ""),
        kinds=_KINDS,
        relations=_RELATIONS,
        shown_quotes=_SHOWN_QUOTES,
    )


# --- Markdown --------------------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#&~!"})


def _md(text: str) -> str:
    """Text as Markdown that renders as the same text: specials escaped, on one line."""
    return " ".join(text.split()).translate(_MD_SPECIAL)


def _count(count: int, independent: int | None = None) -> str:
    more = f", {independent} independent" if independent not in (None, count) else ""
    return f"{count} source{'' if count == 1 else 's'}{more}"


class _Supported(Protocol):
    @property
    def source_ids(self) -> list[str]: ...

    @property
    def independent_sources(self) -> int: ...


def _support(item: _Supported) -> str:
    """'2 sources' or '3 sources, 2 independent'."""
    return _count(len(item.source_ids), item.independent_sources)


class _Markdown:
    """Collects the lines of the Markdown review."""

    def __init__(self, report: MergedReport) -> None:
        self.quotes = _Quotes(report)
        self.lines: list[str] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def evidence(self, items: Iterable[Evidence], indent: str) -> None:
        for e in items:
            q = self.quotes(e)
            quote, source = f"\u201c{_md(e.quote)}\u201d", _md(e.source_id)
            if q.state != "found":
                self.add(f"{indent}- *{quote}* \u2014 {source}, **{q.label}**")
            else:
                how = "" if e.alignment == "exact" else f", {e.alignment} match"
                self.add(f"{indent}- {quote} \u2014 {source} {e.start}\u2013{e.end}{how}")

    def value(self, text: str, evidence: Iterable[Evidence] = ()) -> None:
        """A top-level bullet (already Markdown) and its quotes."""
        self.add(f"- {text}")
        self.evidence(evidence, "  ")

    def claim(self, text: str, evidence: Iterable[Evidence]) -> None:
        """A nested bullet for one article's item (plain text) and its quotes."""
        self.add(f"  - {_md(text)}")
        self.evidence(evidence, "    ")


_Labelled = MergedLocation | MergedTopic | MergedRisk


def _labelled(report: MergedReport, field: ReportField) -> list[_Labelled]:
    """The merged items of a field merged by label (locations, topics, risks)."""
    items: list[_Labelled] = getattr(report, field.name)
    return items


def _text(item: BaseModel, field: ReportField) -> str:
    """What names a merged item or a claim of a labelled field (its name or label)."""
    return str(getattr(item, field.text))


def _categories(item: _Labelled) -> str:
    """'sanctions, technology access; ' for a risk, nothing for other items."""
    if not isinstance(item, MergedRisk):
        return ""
    return ", ".join(c.replace("_", " ") for c in item.categories) + "; "


def _md_conflicts(md: _Markdown, report: MergedReport) -> None:
    md.add("## Conflicts", "")
    for c in _by_kind(report, *_KINDS):
        md.add(f"### {_md(c.summary)}", "", f"*{_KINDS[c.kind]}* \u00b7 {_md(c.field)}", "")
        for side in c.values:
            md.value(f"**{_md(side.value)}** ({_count(len(side.source_ids))})", side.evidence)
        md.add("")
    if not report.conflicts:
        md.add("No conflicts.", "")


def _attendance_text(claim: AttendanceClaim, names: dict[str, str]) -> str:
    if claim.item == "denial":
        text = f"{claim.source_id}: {claim.name} denies"
        text += f" \u201c{claim.claim}\u201d" if claim.claim else ""
    else:
        text = f"{claim.source_id}: {claim.stance} as \u201c{claim.name}\u201d"
    if claim.inherited_from:
        whole = names.get(claim.inherited_from, claim.inherited_from)
        text += f" (a denial by {whole}, which it belongs to)"
    return text


def _md_attendees(md: _Markdown, report: MergedReport) -> None:
    md.add("## Attendees", "")
    attendees = [(e, e.attendance) for e in _attendees(report) if e.attendance]
    if not attendees:
        md.add("No attendees.", "")
        return
    md.add(
        "| Name | Kind | Status | Attended (sources) | Denied (sources) |",
        "|---|---|---|---:|---:|",
    )
    for e, a in attendees:
        counts = f"{a.supporting_sources} | {a.denying_sources}"
        md.add(f"| {_md(e.name)} | {e.kind} | **{a.status}** | {counts} |")
    md.add("")
    names = {e.id: e.name for e in report.entities}
    for e, a in attendees:
        md.add(f"### {_md(e.name)}: {a.status}", "")
        if details := _claim_details(e):
            md.add(_md(details), "")
        for title, claims in (
            ("Attended", a.supporting),
            ("Did not attend", a.denying),
            ("Uncertain", a.uncertain),
        ):
            if claims:
                md.value(f"**{title}**")
            for c in claims:
                md.claim(_attendance_text(c, names), c.evidence)
        md.add("")


def _md_dates(md: _Markdown, report: MergedReport) -> None:
    md.add("## Dates", "")
    for d in report.dates:
        refined = (
            f": **{describe_interval(d.earliest, d.latest)}**" if d.status == "consistent" else ""
        )
        md.add(f"### {_md(d.of)} ({d.status}){refined}", "")
        for v in d.values:
            md.value(f"**{describe_interval(v.earliest, v.latest)}** ({_support(v)})")
            for c in v.claims:
                interval = describe_interval(c.earliest, c.latest)
                md.claim(f"{c.source_id}: \u201c{c.text}\u201d \u2192 {interval}", c.evidence)
        if d.undated:
            md.value("**Without an interval**")
        for c in d.undated:
            md.claim(f"{c.source_id}: \u201c{c.text}\u201d", c.evidence)
        md.add("")


def _md_items(md: _Markdown, report: MergedReport) -> None:
    """Denials, locations, topics and risks: one bullet per merged item, its claims below."""
    md.add("## Denials", "")
    for denial in report.denials:
        md.value(f"**{_md(denial.by)}** ({_support(denial)})")
        for c in denial.claims:
            to_whom = f" ({c.to_whom})" if c.to_whom else ""
            md.claim(f"{c.source_id}: {c.by} denies \u201c{c.claim}\u201d{to_whom}", c.evidence)
    for field in LABELLED_FIELDS:
        md.add("", f"## {field.title}", "")
        for item in _labelled(report, field):
            md.value(f"**{_md(_text(item, field))}** ({_categories(item)}{_support(item)})")
            for claim in item.claims:
                md.claim(f"{claim.source_id}: \u201c{_text(claim, field)}\u201d", claim.evidence)
    md.add("")


def _md_figures(md: _Markdown, report: MergedReport) -> None:
    md.add("## Key figures", "")
    for f in report.key_figures:
        md.add(f"### {_md(f.what)} ({f.status.replace('_', ' ')})", "")
        for v in f.values:
            md.value(f"**{_md(v.value)}** ({_support(v)})")
            for c in v.claims:
                md.claim(f"{c.source_id}: \u201c{c.value}\u201d", c.evidence)
        md.add("")


def render_markdown(report: MergedReport | DefenceMeetingReport) -> str:
    """The review as Markdown for pull requests and e-mail: conflicts first, every quote listed."""
    merged = _merged(report)
    md = _Markdown(merged)
    md.add(
        f"# {_md(_title(merged))}",
        "",
        f"{_count(len(merged.sources), merged.independent_sources)}; "
        f"{len(merged.conflicts)} conflicts and notes.",
        "",
    )
    if problems := verify_provenance(merged):
        md.add("## Provenance problems", "", *(f"- {_md(p)}" for p in problems), "")
    _md_conflicts(md, merged)
    _md_attendees(md, merged)
    _md_dates(md, merged)
    _md_items(md, merged)
    _md_figures(md, merged)
    md.add("## Sources", "")
    for s in merged.sources:
        published = s.published.isoformat() if s.published else None
        about = ", ".join(x for x in (s.title, s.url, published) if x)
        md.add(f"- {_md(s.id)}" + (f": {_md(about)}" if about else ""))
    return "\n".join(md.lines).rstrip() + "\n"


# --- terminal --------------------------------------------------------------------------------


def _styled(value: str) -> Text:
    return Text(value.replace("_", " "), style=_STYLES.get(value, ""))


def _quote_text(evidence: Evidence, quotes: _Quotes) -> Text:
    q = quotes(evidence)
    quote = (
        evidence.quote
        if len(evidence.quote) <= _TERMINAL_QUOTE
        else evidence.quote[: _TERMINAL_QUOTE - 1] + "\u2026"
    )
    text = Text(f"\u201c{quote}\u201d", style="" if q.state == "found" else "italic dim")
    text.append(f" {evidence.source_id}", style="dim")
    if q.state != "found":
        text.append(f" ({q.label})", style="red")
    return text


def _table(title: str, *columns: str) -> Table:
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, expand=True, show_lines=False
    )
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _overview(report: MergedReport) -> str:
    """One line: how many sources, conflicts and attendees of each status."""
    statuses: Counter[str] = Counter(e.attendance.status for e in report.entities if e.attendance)
    attendees = ", ".join(f"{statuses[s]} {s}" for s in _STATUS_ORDER if statuses[s])
    return (
        f"{_count(len(report.sources), report.independent_sources)} \u00b7 "
        f"{len(_by_kind(report, 'contradiction', 'granularity'))} disagreements \u00b7 "
        f"attendees: {attendees or 'none'}"
    )


def _terminal_conflicts(report: MergedReport, quotes: _Quotes) -> Table:
    table = _table("Conflicts", "Kind", "Summary", "Sides (first quotes)")
    for c in _by_kind(report, *_KINDS):
        sides = Text("\n").join(
            Text.assemble(
                (side.value, "bold"),
                f" ({_count(len(side.source_ids))})",
                *(Text("\n") + _quote_text(e, quotes) for e in side.evidence[:2]),
            )
            for side in c.values
        )
        table.add_row(_styled(c.kind), Text(c.summary), sides)
    return table


def _terminal_attendees(report: MergedReport) -> Table:
    table = _table("Attendees", "Name", "Kind", "Status", "Attended", "Denied", "Sources")
    for e in _attendees(report):
        if a := e.attendance:
            sources = sorted({c.source_id for c in (*a.supporting, *a.denying, *a.uncertain)})
            table.add_row(
                Text(e.name),
                e.kind,
                _styled(a.status),
                str(a.supporting_sources),
                str(a.denying_sources),
                Text(", ".join(sources)),
            )
    return table


def _terminal_dates(report: MergedReport) -> Table:
    table = _table("Dates", "Of", "Status", "Interval", "As written")
    for d in report.dates:
        intervals = [describe_interval(v.earliest, v.latest) for v in d.values]
        shown = (
            describe_interval(d.earliest, d.latest)
            if d.status == "consistent"
            else " / ".join(intervals)
        )
        written = "; ".join(
            f"\u201c{c.text}\u201d ({c.source_id})" for v in d.values for c in v.claims
        )
        table.add_row(Text(d.of), _styled(d.status), shown, Text(written))
    return table


def _terminal_items(report: MergedReport) -> Table:
    table = _table("Denials, locations, topics, risks", "Field", "Value", "Sources")
    for denial in report.denials:
        claims = "; ".join(sorted({c.claim for c in denial.claims}))
        table.add_row("denial", Text(f"{denial.by} denies: {claims}"), _support(denial))
    for field in LABELLED_FIELDS:
        for item in _labelled(report, field):
            table.add_row(field.label, Text(_text(item, field)), _support(item))
    return table


def _terminal_figures(report: MergedReport) -> Table:
    table = _table("Key figures", "What", "Status", "Values")
    for f in report.key_figures:
        values = "; ".join(f"{v.value} ({_support(v)})" for v in f.values)
        table.add_row(Text(f.what), _styled(f.status), Text(values))
    return table


def _terminal_sources(report: MergedReport) -> Table:
    table = _table("Sources", "Id", "Published", "Title", "Characters")
    for s in report.sources:
        published = s.published.isoformat() if s.published else "unknown"
        table.add_row(Text(s.id), published, Text(s.title or ""), str(len(s.text)))
    return table


def render_terminal(report: MergedReport | DefenceMeetingReport) -> RenderableType:
    """Rich tables for `summarise show`: conflicts with their first quotes, then every field."""
    merged = _merged(report)
    return Group(
        Panel(Text(_overview(merged)), title=Text(_title(merged)), title_align="left"),
        _terminal_conflicts(merged, _Quotes(merged)),
        _terminal_attendees(merged),
        _terminal_dates(merged),
        _terminal_items(merged),
        _terminal_figures(merged),
        _terminal_sources(merged),
    )


# --- loading ---------------------------------------------------------------------------------


def load_for_review(path: Path) -> MergedReport:
    """Read a merged report, or a per-article report (then merged alone), from a JSON file.

    Raises InputError naming the file when it cannot be read or is neither kind of report.
    """
    return _merged(read_report(path))
