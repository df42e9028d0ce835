"""What every view of a merged report shares: the report to show, quote checks, counts, order.

The page (`page`), the Markdown (`markdown`) and the terminal view (`terminal`) show the same
things in the same order; this module decides them once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel

from ..fields import ReportField
from ..merging import merge
from ..models import (
    Conflict,
    DefenceMeetingReport,
    EventGroup,
    EventReport,
    Evidence,
    MergedEntity,
    MergedLocation,
    MergedReport,
    MergedRisk,
    MergedTopic,
)
from ..reports import read_report

__all__ = [
    "KINDS",
    "STATUS_ORDER",
    "Labelled",
    "Quote",
    "QuoteState",
    "Quotes",
    "Reviewable",
    "Supported",
    "attendees_in_question",
    "categories_note",
    "claim_details",
    "conflicts_of_kind",
    "count_sources",
    "event_lines",
    "labelled_items",
    "load_for_review",
    "merged_view",
    "overview",
    "report_title",
    "support_text",
    "text_of",
    "verdict_text",
]

QuoteState = Literal["found", "not_found", "mismatch", "unknown_source"]

STATUS_ORDER = {"disputed": 0, "denied": 1, "unverified": 2, "confirmed": 3}
KINDS = {
    "contradiction": "contradiction",
    "granularity": "granularity: a group's denial",
    "refinement": "refinement",
    "single_source": "single source",
}
_QUOTE_LABELS: dict[QuoteState, str] = {
    "found": "",
    "not_found": "not found in source",
    "mismatch": "offsets do not match the source",
    "unknown_source": "source not embedded",
}


@dataclass(frozen=True)
class Quote:
    """How one evidence item can be shown: which embedded source, and whether it re-reads."""

    source: int | None
    state: QuoteState

    @property
    def label(self) -> str:
        """What a reviewer is told about the quote; empty when it re-reads."""
        return _QUOTE_LABELS[self.state]


class Quotes:
    """Checks evidence against the report's embedded sources (the page highlights only spans
    that re-read as their quote)."""

    def __init__(self, report: MergedReport) -> None:
        self._index = {source.id: i for i, source in enumerate(report.sources)}
        self._texts = [source.text for source in report.sources]

    def __call__(self, evidence: Evidence) -> Quote:
        """Which embedded source the evidence quotes, and whether its span re-reads."""
        index = self._index.get(evidence.source_id)
        if index is None:
            return Quote(None, "unknown_source")
        if evidence.start is None or evidence.end is None or not evidence.aligned:
            return Quote(index, "not_found")
        if self._texts[index][evidence.start : evidence.end] != evidence.quote:
            return Quote(index, "mismatch")
        return Quote(index, "found")


Reviewable = MergedReport | DefenceMeetingReport | EventReport


def merged_view(report: Reviewable) -> MergedReport:
    """The merged report to show: an event's merge; a per-article report is merged alone."""
    if isinstance(report, EventReport):
        return report.report
    return report if isinstance(report, MergedReport) else merge([report])


def event_lines(event: EventGroup) -> list[str]:
    """Why an event's articles were grouped, in sentences: members, places, parties, joins."""
    count = len(event.articles)
    about = [f"{count} article{'' if count == 1 else 's'}, {event.independent_sources} independent"]
    if event.places:
        about.append(f"places: {', '.join(event.places)}")
    if event.parties:
        about.append(f"parties: {', '.join(event.parties)}")
    lines = ["; ".join(about) + "."]
    lines += [f"{' + '.join(r.articles)}: {r.note}" for r in event.reasons]
    lines += [f"Related event {r.event_id}: {r.why}" for r in event.related]
    return lines


def verdict_text(evidence: Evidence) -> str:
    """The support verdict of a quote for its item ('supported: denies it'), or ''."""
    support = evidence.support
    if support is None:
        return ""
    side = {"attended": ": says it took part", "denied": ": denies it"}.get(support.side or "", "")
    return support.verdict + side


def report_title(report: MergedReport) -> str:
    """The page's title: the article's, or how many articles were merged."""
    if len(report.sources) == 1:
        source = report.sources[0]
        return f"Review: {source.title or source.id}"
    return f"Review: merged report of {len(report.sources)} articles"


def conflicts_of_kind(report: MergedReport, *kinds: str) -> list[Conflict]:
    """The report's conflicts of these kinds, in the order the kinds are given."""
    return sorted(
        (c for c in report.conflicts if c.kind in kinds), key=lambda c: kinds.index(c.kind)
    )


def attendees_in_question(report: MergedReport) -> list[MergedEntity]:
    """Entities whose attendance is in question, disputed first, then by name."""
    return sorted(
        (e for e in report.entities if e.attendance is not None),
        key=lambda e: (
            STATUS_ORDER[e.attendance.status] if e.attendance else 0,
            e.name.casefold(),
        ),
    )


def claim_details(entity: MergedEntity) -> str:
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


def count_sources(count: int, independent: int | None = None) -> str:
    """'1 source', '3 sources' or '3 sources, 2 independent'."""
    more = f", {independent} independent" if independent not in (None, count) else ""
    return f"{count} source{'' if count == 1 else 's'}{more}"


class Supported(Protocol):
    """A merged value with its sources."""

    @property
    def source_ids(self) -> list[str]: ...

    @property
    def independent_sources(self) -> int: ...


def support_text(item: Supported) -> str:
    """'2 sources' or '3 sources, 2 independent'."""
    return count_sources(len(item.source_ids), item.independent_sources)


Labelled = MergedLocation | MergedTopic | MergedRisk


def labelled_items(report: MergedReport, field: ReportField) -> list[Labelled]:
    """The merged items of a field merged by label (locations, topics, risks)."""
    items: list[Labelled] = getattr(report, field.name)
    return items


def text_of(item: BaseModel, field: ReportField) -> str:
    """What names a merged item or a claim of a labelled field (its name or label)."""
    return str(getattr(item, field.text))


def categories_note(item: Labelled) -> str:
    """'sanctions, technology access; ' for a risk, nothing for other items."""
    if not isinstance(item, MergedRisk):
        return ""
    return ", ".join(c.replace("_", " ") for c in item.categories) + "; "


def overview(report: MergedReport) -> str:
    """One line: how many sources, conflicts and attendees of each status."""
    statuses: Counter[str] = Counter(e.attendance.status for e in report.entities if e.attendance)
    attendees = ", ".join(f"{statuses[s]} {s}" for s in STATUS_ORDER if statuses[s])
    return (
        f"{count_sources(len(report.sources), report.independent_sources)} \u00b7 "
        f"{len(conflicts_of_kind(report, 'contradiction', 'granularity'))} disagreements \u00b7 "
        f"attendees: {attendees or 'none'}"
    )


def load_for_review(path: Path) -> Reviewable:
    """Read a merged report, an event's report or a per-article report from a JSON file.

    Raises InputError naming the file when it cannot be read or is neither kind of report.
    """
    return read_report(path)
