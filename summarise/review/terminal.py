"""The review in the terminal (`summarise show`): rich tables, conflicts with their first quotes."""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..dates import describe_interval
from ..fields import LABELLED_FIELDS
from ..models import EventReport, Evidence, MergedReport
from .common import (
    KINDS,
    Quotes,
    Reviewable,
    attendees_in_question,
    conflicts_of_kind,
    count_sources,
    event_lines,
    labelled_items,
    merged_view,
    overview,
    report_title,
    support_text,
    text_of,
    verdict_text,
)

__all__ = ["render_events_terminal", "render_terminal"]

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
_VERDICT_STYLES = {"supported": "green", "weak": "yellow", "contradicts": "red", "none": "red"}
_TERMINAL_QUOTE = 110  # characters of a quote shown in the terminal


def _styled(value: str) -> Text:
    return Text(value.replace("_", " "), style=_STYLES.get(value, ""))


def _quote_text(evidence: Evidence, quotes: Quotes) -> Text:
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
    elif evidence.support:
        verdict = evidence.support.verdict
        text.append(f" [{verdict_text(evidence)}]", style=_VERDICT_STYLES.get(verdict, "dim"))
    return text


def _table(title: str, *columns: str) -> Table:
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, expand=True, show_lines=False
    )
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _terminal_conflicts(report: MergedReport, quotes: Quotes) -> Table:
    table = _table("Conflicts", "Kind", "Summary", "Sides (first quotes)")
    for c in conflicts_of_kind(report, *KINDS):
        sides = Text("\n").join(
            Text.assemble(
                (side.value, "bold"),
                f" ({count_sources(len(side.source_ids))})",
                *(Text("\n") + _quote_text(e, quotes) for e in side.evidence[:2]),
            )
            for side in c.values
        )
        table.add_row(_styled(c.kind), Text(c.summary), sides)
    return table


def _terminal_attendees(report: MergedReport) -> Table:
    table = _table("Attendees", "Name", "Kind", "Status", "Attended", "Denied", "Sources")
    for e in attendees_in_question(report):
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
        table.add_row("denial", Text(f"{denial.by} denies: {claims}"), support_text(denial))
    for field in LABELLED_FIELDS:
        for item in labelled_items(report, field):
            table.add_row(field.label, Text(text_of(item, field)), support_text(item))
    return table


def _terminal_figures(report: MergedReport) -> Table:
    table = _table("Key figures", "What", "Status", "Values")
    for f in report.key_figures:
        values = "; ".join(f"{v.value} ({support_text(v)})" for v in f.values)
        table.add_row(Text(f.what), _styled(f.status), Text(values))
    return table


def _terminal_sources(report: MergedReport) -> Table:
    table = _table("Sources", "Id", "Published", "Title", "Characters")
    for s in report.sources:
        published = s.published.isoformat() if s.published else "unknown"
        table.add_row(Text(s.id), published, Text(s.title or ""), str(len(s.text)))
    return table


def _terminal_warnings(report: MergedReport) -> list[RenderableType]:
    if not report.warnings:
        return []
    lines = Text("\n").join(
        Text.assemble((w.kind.replace("_", " "), "bold red"), f" {w.source_id}: {w.message}")
        for w in report.warnings
    )
    return [Panel(lines, title="Warnings: read these before trusting the report", style="red")]


def render_terminal(report: Reviewable) -> RenderableType:
    """Rich tables for `summarise show`: warnings, why an event's articles are one, conflicts
    with their first quotes, then every field."""
    merged = merged_view(report)
    event = report.event if isinstance(report, EventReport) else None
    title = f"Event {event.id}: {event.title}" if event else report_title(merged)
    about = Text(overview(merged))
    if event:
        about.append("\n" + "\n".join(event_lines(event)), style="dim")
    return Group(
        Panel(about, title=Text(title), title_align="left"),
        *_terminal_warnings(merged),
        _terminal_conflicts(merged, Quotes(merged)),
        _terminal_attendees(merged),
        _terminal_dates(merged),
        _terminal_items(merged),
        _terminal_figures(merged),
        _terminal_sources(merged),
    )


def render_events_terminal(events: Sequence[EventReport]) -> RenderableType:
    """The events of a run, one line each: id, title, dates, articles, what to check."""
    table = _table(f"Events ({len(events)})", "Id", "Event", "Dates", "Articles", "To check")
    for e in events:
        group, merged = e.event, e.report
        dates = describe_interval(group.earliest, group.latest) if group.earliest else "undated"
        flags = [
            f"{len(merged.warnings)} warnings" if merged.warnings else "",
            f"{n} disagreements"
            if (n := len(conflicts_of_kind(merged, "contradiction", "granularity")))
            else "",
        ]
        table.add_row(
            Text(group.id),
            Text(group.title),
            dates,
            count_sources(len(group.articles), group.independent_sources),
            Text(", ".join(filter(None, flags)) or "-", style="red" if any(flags) else "dim"),
        )
    return table
