"""The one registry of the report's list fields: what each holds and where the merge keeps it.

A new list field of `DefenceMeetingReport` is added here once (with its item type and claim
type in `summarise.models`); the report's evidence walk, the merge's pool of claims, merging
merged reports again and the review's repeated sections all read this table, and a test checks
that every list field of the report is in it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from .models.merged import (
    AttendeeClaim,
    Claim,
    DateClaim,
    DenialClaim,
    DroppedClaim,
    FigureClaim,
    LocationClaim,
    MergedReport,
    RiskClaim,
    TopicClaim,
    WarningClaim,
)
from .models.report import (
    Attendee,
    DateMention,
    DefenceMeetingReport,
    Denial,
    DroppedItem,
    KeyFigure,
    Location,
    ReportItem,
    ReportWarning,
    Risk,
    Topic,
)

__all__ = [
    "ATTENDEES",
    "DATES",
    "DENIALS",
    "KEY_FIGURES",
    "LABELLED_FIELDS",
    "LOCATIONS",
    "NOTE_FIELDS",
    "REPORT_FIELDS",
    "RISKS",
    "TOPICS",
    "MergeStrategy",
    "NoteField",
    "ReportField",
    "field_named",
]

MergeStrategy = Literal["entities", "denials", "dates", "labels", "figures"]


@dataclass(frozen=True)
class ReportField:
    """One list field of the per-article report and how the merge treats it."""

    name: str
    """The attribute of `DefenceMeetingReport` ("locations")."""
    item: type[ReportItem]
    """The type of its items (`Location`)."""
    claim: type[Claim]
    """The item with the source it comes from, as the merged report keeps it (`LocationClaim`)."""
    strategy: MergeStrategy
    """How the merge decides values: entities resolved, dates intersected, labels deduplicated..."""
    label: str
    """One item, for people ("location"); also the prefix of merged ids where it has them."""
    title: str
    """The section title in reviews ("Locations")."""
    text: str
    """The attribute of an item (and of its merged item) that names it ("name", "label")."""
    claims_in: Callable[[MergedReport], Sequence[Claim]]
    """Every claim of this field a merged report keeps, so that merged reports merge again."""

    def items(self, report: DefenceMeetingReport) -> list[ReportItem]:
        """The report's items of this field."""
        items: list[ReportItem] = getattr(report, self.name)
        return items

    def claim_of(self, item: ReportItem, source_id: str) -> Claim:
        """The item as a claim of the source `source_id`, unchanged."""
        return self.claim(source_id=source_id, **dict(item))


LOCATIONS = ReportField(
    name="locations",
    item=Location,
    claim=LocationClaim,
    strategy="labels",
    label="location",
    title="Locations",
    text="name",
    claims_in=lambda m: [c for x in m.locations for c in x.claims],
)
DATES = ReportField(
    name="dates",
    item=DateMention,
    claim=DateClaim,
    strategy="dates",
    label="date",
    title="Dates",
    text="of",
    claims_in=lambda m: [
        *(c for d in m.dates for v in d.values for c in v.claims),
        *(c for d in m.dates for c in d.undated),
    ],
)
ATTENDEES = ReportField(
    name="attendees",
    item=Attendee,
    claim=AttendeeClaim,
    strategy="entities",
    label="attendee",
    title="Attendees",
    text="name",
    claims_in=lambda m: [c for e in m.entities for c in e.claims],
)
DENIALS = ReportField(
    name="denials",
    item=Denial,
    claim=DenialClaim,
    strategy="denials",
    label="denial",
    title="Denials",
    text="by",
    claims_in=lambda m: [c for d in m.denials for c in d.claims],
)
TOPICS = ReportField(
    name="topics",
    item=Topic,
    claim=TopicClaim,
    strategy="labels",
    label="topic",
    title="Topics",
    text="label",
    claims_in=lambda m: [c for x in m.topics for c in x.claims],
)
RISKS = ReportField(
    name="risks",
    item=Risk,
    claim=RiskClaim,
    strategy="labels",
    label="risk",
    title="Risks",
    text="label",
    claims_in=lambda m: [c for x in m.risks for c in x.claims],
)
KEY_FIGURES = ReportField(
    name="key_figures",
    item=KeyFigure,
    claim=FigureClaim,
    strategy="figures",
    label="figure",
    title="Key figures",
    text="what",
    claims_in=lambda m: [c for f in m.key_figures for v in f.values for c in v.claims],
)

REPORT_FIELDS: tuple[ReportField, ...] = (
    LOCATIONS,
    DATES,
    ATTENDEES,
    DENIALS,
    TOPICS,
    RISKS,
    KEY_FIGURES,
)
"""Every list field of `DefenceMeetingReport`, in the report's field order."""

LABELLED_FIELDS: tuple[ReportField, ...] = tuple(f for f in REPORT_FIELDS if f.strategy == "labels")
"""The fields merged by deduplicating labels (locations, topics, risks), in field order."""


def field_named(name: str) -> ReportField:
    """The registry entry of a report list field; KeyError for an unknown name."""
    for field in REPORT_FIELDS:
        if field.name == name:
            return field
    raise KeyError(name)


@dataclass(frozen=True)
class NoteField:
    """A list of per-article notes (not items of the event): kept as they are, with their source."""

    name: str
    """The attribute of `DefenceMeetingReport` ("dropped")."""
    item: type[DroppedItem] | type[ReportWarning]
    claim: type[DroppedClaim] | type[WarningClaim]
    claims_in: Callable[[MergedReport], Sequence[DroppedClaim | WarningClaim]]

    def claims_of(self, report: DefenceMeetingReport) -> list[DroppedClaim | WarningClaim]:
        """The report's notes of this field, as claims of its source."""
        sid = report.source.id
        return [self.claim(source_id=sid, **dict(note)) for note in getattr(report, self.name)]


NOTE_FIELDS: tuple[NoteField, ...] = (
    NoteField("dropped", DroppedItem, DroppedClaim, lambda m: m.dropped),
    NoteField("warnings", ReportWarning, WarningClaim, lambda m: m.warnings),
)
"""The report's other list fields: what each report dropped, and its warnings."""
