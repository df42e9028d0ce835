"""The review as Markdown, for pull requests and e-mail: conflicts first, every quote listed."""

from __future__ import annotations

from collections.abc import Iterable

from ..dates import describe_interval
from ..fields import LABELLED_FIELDS
from ..merging import verify_provenance
from ..models import AttendanceClaim, EventReport, Evidence, MergedReport
from .common import (
    KINDS,
    Quotes,
    Reviewable,
    attendees_in_question,
    categories_note,
    claim_details,
    conflicts_of_kind,
    count_sources,
    event_lines,
    labelled_items,
    merged_view,
    report_title,
    support_text,
    text_of,
    verdict_text,
)

__all__ = ["render_markdown"]

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#&~!"})


def _md(text: str) -> str:
    """Text as Markdown that renders as the same text: specials escaped, on one line."""
    return " ".join(text.split()).translate(_MD_SPECIAL)


class _Markdown:
    """Collects the lines of the Markdown review."""

    def __init__(self, report: MergedReport) -> None:
        self.quotes = Quotes(report)
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
                verdict = f" *{verdict_text(e)}*" if e.support else ""
                self.add(f"{indent}- {quote} \u2014 {source} {e.start}\u2013{e.end}{how}{verdict}")

    def value(self, text: str, evidence: Iterable[Evidence] = ()) -> None:
        """A top-level bullet (already Markdown) and its quotes."""
        self.add(f"- {text}")
        self.evidence(evidence, "  ")

    def claim(self, text: str, evidence: Iterable[Evidence]) -> None:
        """A nested bullet for one article's item (plain text) and its quotes."""
        self.add(f"  - {_md(text)}")
        self.evidence(evidence, "    ")


def _md_conflicts(md: _Markdown, report: MergedReport) -> None:
    md.add("## Conflicts", "")
    for c in conflicts_of_kind(report, *KINDS):
        md.add(f"### {_md(c.summary)}", "", f"*{KINDS[c.kind]}* \u00b7 {_md(c.field)}", "")
        for side in c.values:
            md.value(
                f"**{_md(side.value)}** ({count_sources(len(side.source_ids))})", side.evidence
            )
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
    attendees = [(e, e.attendance) for e in attendees_in_question(report) if e.attendance]
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
        if details := claim_details(e):
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
            md.value(f"**{describe_interval(v.earliest, v.latest)}** ({support_text(v)})")
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
        md.value(f"**{_md(denial.by)}** ({support_text(denial)})")
        for c in denial.claims:
            to_whom = f" ({c.to_whom})" if c.to_whom else ""
            md.claim(f"{c.source_id}: {c.by} denies \u201c{c.claim}\u201d{to_whom}", c.evidence)
    for field in LABELLED_FIELDS:
        md.add("", f"## {field.title}", "")
        for item in labelled_items(report, field):
            md.value(
                f"**{_md(text_of(item, field))}** ({categories_note(item)}{support_text(item)})"
            )
            for claim in item.claims:
                md.claim(f"{claim.source_id}: \u201c{text_of(claim, field)}\u201d", claim.evidence)
    md.add("")


def _md_figures(md: _Markdown, report: MergedReport) -> None:
    md.add("## Key figures", "")
    for f in report.key_figures:
        md.add(f"### {_md(f.what)} ({f.status.replace('_', ' ')})", "")
        for v in f.values:
            md.value(f"**{_md(v.value)}** ({support_text(v)})")
            for c in v.claims:
                md.claim(f"{c.source_id}: \u201c{c.value}\u201d", c.evidence)
        md.add("")


def _md_warnings(md: _Markdown, report: MergedReport) -> None:
    if report.warnings:
        md.add("## Warnings", "", "Read these before trusting the report.", "")
        for w in report.warnings:
            md.add(f"- **{w.kind.replace('_', ' ')}** {_md(w.source_id)}: {_md(w.message)}")
        md.add("")


def _md_dropped(md: _Markdown, report: MergedReport) -> None:
    if report.dropped:
        md.add("## Dropped: what the model wrote that the articles do not back", "")
        for d in report.dropped:
            md.add(
                f"- {_md(d.source_id)}: {d.field} \u201c{_md(d.value)}\u201d \u2014 {_md(d.reason)}"
            )
        md.add("")


def render_markdown(report: Reviewable) -> str:
    """The review as Markdown for pull requests and e-mail: conflicts first, every quote listed."""
    merged = merged_view(report)
    event = report.event if isinstance(report, EventReport) else None
    md = _Markdown(merged)
    md.add(
        f"# {_md(f'Event: {event.title}' if event else report_title(merged))}",
        "",
        f"{count_sources(len(merged.sources), merged.independent_sources)}; "
        f"{len(merged.conflicts)} conflicts and notes.",
        "",
    )
    _md_warnings(md, merged)
    if event:
        md.add(
            "## Why these articles are one event",
            "",
            *(f"- {_md(x)}" for x in event_lines(event)),
            "",
        )
    if problems := verify_provenance(merged):
        md.add("## Provenance problems", "", *(f"- {_md(p)}" for p in problems), "")
    _md_conflicts(md, merged)
    _md_attendees(md, merged)
    _md_dates(md, merged)
    _md_items(md, merged)
    _md_figures(md, merged)
    _md_dropped(md, merged)
    md.add("## Sources", "")
    for s in merged.sources:
        published = s.published.isoformat() if s.published else None
        about = ", ".join(x for x in (s.title, s.url, published) if x)
        md.add(f"- {_md(s.id)}" + (f": {_md(about)}" if about else ""))
    return "\n".join(md.lines).rstrip() + "\n"
