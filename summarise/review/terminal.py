"""The review in the terminal (`summarise show`): rich tables, conflicts with their first quotes."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..dates import describe_interval
from ..fields import LABELLED_FIELDS
from ..models import DefenceMeetingReport, Evidence, MergedReport
from .common import (
    KINDS,
    Quotes,
    attendees_in_question,
    conflicts_of_kind,
    count_sources,
    labelled_items,
    merged_view,
    overview,
    report_title,
    support_text,
    text_of,
)

__all__ = ["render_terminal"]

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


def render_terminal(report: MergedReport | DefenceMeetingReport) -> RenderableType:
    """Rich tables for `summarise show`: conflicts with their first quotes, then every field."""
    merged = merged_view(report)
    return Group(
        Panel(Text(overview(merged)), title=Text(report_title(merged)), title_align="left"),
        _terminal_conflicts(merged, Quotes(merged)),
        _terminal_attendees(merged),
        _terminal_dates(merged),
        _terminal_items(merged),
        _terminal_figures(merged),
        _terminal_sources(merged),
    )
