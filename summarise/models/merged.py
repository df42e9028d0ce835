"""The merged-report data model: many articles' reports as one, every value with its sources.

An output contract other tools read (see `schemas/`), next to the per-article one in
`report`. The `...Claim` types are per-article items unchanged, with the source they come from;
`summarise.fields` lists which claim type holds each list field of the report.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from ..entities.aliases import AliasTable
from ..entities.links import LinkBasis
from .base import StrictModel
from .report import (
    Attendee,
    AttendeeKind,
    DateMention,
    Denial,
    DroppedItem,
    Evidence,
    ExtractionInfo,
    KeyFigure,
    Location,
    ReportWarning,
    Risk,
    RiskCategory,
    Source,
    Stance,
    Topic,
)

__all__ = [
    "MERGE_SCHEMA_VERSION",
    "READ_MERGE_SCHEMA_VERSIONS",
    "Attendance",
    "AttendanceClaim",
    "AttendanceStatus",
    "AttendeeClaim",
    "Claim",
    "Conflict",
    "ConflictKind",
    "ConflictValue",
    "CopyGroup",
    "DateClaim",
    "DateStatus",
    "DateValue",
    "DenialClaim",
    "DroppedClaim",
    "FigureClaim",
    "FigureStatus",
    "FigureValue",
    "LocationClaim",
    "MergedDate",
    "MergedDenial",
    "MergedEntity",
    "MergedFigure",
    "MergedLocation",
    "MergedReport",
    "MergedRisk",
    "MergedTopic",
    "NameForm",
    "Relation",
    "RelationKind",
    "RiskClaim",
    "SourceExtraction",
    "SourceSummary",
    "TopicClaim",
    "WarningClaim",
]

MERGE_SCHEMA_VERSION = "2"  # 2: dropped items and warnings of each report
READ_MERGE_SCHEMA_VERSIONS = ("1", "2")  # formats this version reads (1: no notes)

AttendanceStatus = Literal["confirmed", "disputed", "unverified", "denied"]
ConflictKind = Literal["contradiction", "granularity", "refinement", "single_source"]
RelationKind = Literal["part_of", "has_part", "affiliated_with", "has_affiliate"]
DateStatus = Literal["consistent", "conflicting", "undated"]
FigureStatus = Literal["corroborated", "single_source", "consistent", "conflicting"]

_SOURCE_ID = "The source (article) whose report holds this item."
_SOURCE_IDS = "Every source supporting this value, sorted."
_INDEPENDENT = "Sources supporting this value, near-duplicate copies counted once."


class AttendeeClaim(Attendee):
    """An attendee item of one article's report, unchanged, with its source."""

    source_id: str = Field(description=_SOURCE_ID)


class DenialClaim(Denial):
    """A denial item of one article's report, unchanged, with its source."""

    source_id: str = Field(description=_SOURCE_ID)


class DateClaim(DateMention):
    """A date item of one article's report, unchanged, with its source."""

    source_id: str = Field(description=_SOURCE_ID)


class LocationClaim(Location):
    """A location item of one article's report, unchanged, with its source."""

    source_id: str = Field(description=_SOURCE_ID)


class TopicClaim(Topic):
    """A topic item of one article's report, unchanged, with its source."""

    source_id: str = Field(description=_SOURCE_ID)


class RiskClaim(Risk):
    """A risk item of one article's report, unchanged, with its source."""

    source_id: str = Field(description=_SOURCE_ID)


class FigureClaim(KeyFigure):
    """A key-figure item of one article's report, unchanged, with its source."""

    source_id: str = Field(description=_SOURCE_ID)


class DroppedClaim(DroppedItem):
    """An item one article's report dropped (the article does not back it), with its source."""

    source_id: str = Field(description=_SOURCE_ID)


class WarningClaim(ReportWarning):
    """A warning of one article's report (e.g. text addressed to a model), with its source."""

    source_id: str = Field(description=_SOURCE_ID)


class SourceSummary(StrictModel):
    """One article's summary as its report gives it."""

    source_id: str = Field(description=_SOURCE_ID)
    summary: str = Field(description="The report's summary of the article.")


class SourceExtraction(StrictModel):
    """How one article's report was made."""

    source_id: str = Field(description=_SOURCE_ID)
    extraction: ExtractionInfo = Field(description="The report's extraction metadata.")


class CopyGroup(StrictModel):
    """Articles so alike (syndicated wire copy) that they count as one independent source."""

    source_ids: list[str] = Field(description="The copies, sorted.")
    similarity: float = Field(
        description="Lowest Jaccard similarity of word 5-grams between copies joined (0..1)."
    )


class NameForm(StrictModel):
    """One way the articles write an entity's name."""

    name: str = Field(description="The name as written in a report item.")
    source_ids: list[str] = Field(description=_SOURCE_IDS)
    evidence: list[Evidence] = Field(description="Evidence of the items that write it.")


class Relation(StrictModel):
    """A related, distinct entity: a whole this one is part of, a part, an employer..."""

    relation: RelationKind = Field(description="How the other entity relates to this one.")
    entity_id: str = Field(description="The other entity.")
    basis: list[LinkBasis] = Field(
        description="affiliation: an attendee's affiliation field; group_name: the "
        "'<X> Group' rule; alias_file: the analyst's alias file."
    )
    source_ids: list[str] = Field(description="Sources of the affiliations behind it.")
    evidence: list[Evidence] = Field(description="Evidence of those attendee items.")


class AttendanceClaim(StrictModel):
    """One article's statement bearing on whether an entity attended."""

    source_id: str = Field(description=_SOURCE_ID)
    stance: Stance = Field(description="asserted / reported (support), denied, uncertain.")
    item: Literal["attendee", "denial"] = Field(description="The report list it comes from.")
    name: str = Field(description="The attendee's name, or who denies, as written.")
    claim: str | None = Field(default=None, description="What is denied, for denials.")
    inherited_from: str | None = Field(
        default=None,
        description="For a denial by a whole (group, employer) this entity belongs to: "
        "the id of that entity. None for the entity's own statements.",
    )
    evidence: list[Evidence] = Field(description="The item's evidence.")


class Attendance(StrictModel):
    """Whether an entity took part, with every statement behind the status."""

    status: AttendanceStatus = Field(
        description="confirmed: supported by 2+ independent sources, denied by none; "
        "disputed: supported somewhere and denied somewhere; unverified: support (or only "
        "uncertain mentions) from one independent source; denied: only denials."
    )
    supporting: list[AttendanceClaim] = Field(description="Asserted or reported attendance.")
    denying: list[AttendanceClaim] = Field(description="Denials, own and inherited.")
    uncertain: list[AttendanceClaim] = Field(description="Mentions with an uncertain stance.")
    supporting_sources: int = Field(description="Independent sources supporting.")
    denying_sources: int = Field(description="Independent sources denying.")


class MergedEntity(StrictModel):
    """A person, organisation or delegation resolved across articles."""

    id: str = Field(description="Stable id derived from the name shown.")
    name: str = Field(description="The name shown.")
    kind: AttendeeKind = Field(description="The kind most items give it.")
    names: list[NameForm] = Field(description="Every written form, with its sources.")
    related: list[Relation] = Field(description="Related entities that are not this one.")
    attendance: Attendance | None = Field(
        description="None when the entity is only named as an affiliation."
    )
    claims: list[AttendeeClaim] = Field(description="Every attendee item naming it.")


class MergedDenial(StrictModel):
    """Every denial by one entity."""

    entity_id: str = Field(description="Who denies.")
    by: str = Field(description="That entity's name.")
    source_ids: list[str] = Field(description=_SOURCE_IDS)
    independent_sources: int = Field(description=_INDEPENDENT)
    claims: list[DenialClaim] = Field(description="The denial items.")


class DateValue(StrictModel):
    """An interval that a set of date mentions agrees on (their intersection)."""

    earliest: date | None = Field(description="Start of the intersection; None: open.")
    latest: date | None = Field(description="End of the intersection; None: open.")
    source_ids: list[str] = Field(description=_SOURCE_IDS)
    independent_sources: int = Field(description=_INDEPENDENT)
    claims: list[DateClaim] = Field(description="The date mentions behind it.")


class MergedDate(StrictModel):
    """When one thing (the meetings, a visit) happened, from every article's date for it."""

    id: str = Field(description="Stable id derived from `of`.")
    of: str = Field(description="What the date is of, as most mentions write it.")
    status: DateStatus = Field(
        description="consistent: all intervals overlap; conflicting: some are disjoint; "
        "undated: no mention has an interval."
    )
    earliest: date | None = Field(description="The merged (refined) interval, when consistent.")
    latest: date | None = Field(description="End of the merged interval, when consistent.")
    values: list[DateValue] = Field(description="One value if consistent, else one per side.")
    undated: list[DateClaim] = Field(description="Mentions of it without an interval.")


class MergedLocation(StrictModel):
    """A place, from every article naming it."""

    id: str = Field(description="Stable id derived from the name.")
    name: str = Field(description="The name shown.")
    names: list[str] = Field(description="Every written form.")
    source_ids: list[str] = Field(description=_SOURCE_IDS)
    independent_sources: int = Field(description=_INDEPENDENT)
    claims: list[LocationClaim] = Field(description="The location items.")


class MergedTopic(StrictModel):
    """A topic discussed, deduplicated across articles."""

    id: str = Field(description="Stable id derived from the label.")
    label: str = Field(description="The label shown.")
    labels: list[str] = Field(description="Every label the articles give it.")
    source_ids: list[str] = Field(description=_SOURCE_IDS)
    independent_sources: int = Field(description=_INDEPENDENT)
    claims: list[TopicClaim] = Field(description="The topic items.")


class MergedRisk(StrictModel):
    """A risk, deduplicated across articles."""

    id: str = Field(description="Stable id derived from the label.")
    label: str = Field(description="The label shown.")
    labels: list[str] = Field(description="Every label the articles give it.")
    categories: list[RiskCategory] = Field(description="Every category given.")
    borne_by: list[str] = Field(description="Everyone said to bear it.")
    source_ids: list[str] = Field(description=_SOURCE_IDS)
    independent_sources: int = Field(description=_INDEPENDENT)
    claims: list[RiskClaim] = Field(description="The risk items.")


class FigureValue(StrictModel):
    """One number given for a figure, by every article giving it."""

    value: str = Field(description="The number read from the text, e.g. '36%'.")
    number: float | None = Field(description="The number; None when none could be read.")
    unit: str | None = Field(description="'%', a currency, or None for a count.")
    source_ids: list[str] = Field(description=_SOURCE_IDS)
    independent_sources: int = Field(description=_INDEPENDENT)
    claims: list[FigureClaim] = Field(description="The items, each as written.")


class MergedFigure(StrictModel):
    """A key figure: what it measures and every value the articles give."""

    id: str = Field(description="Stable id derived from `what`.")
    what: str = Field(description="What the figure measures.")
    status: FigureStatus = Field(
        description="corroborated: one number, 2+ independent sources; single_source; "
        "consistent: numbers differ within stated bounds ('more than 500' / '550'); "
        "conflicting: numbers disagree ('36%' / 'about a third')."
    )
    values: list[FigureValue] = Field(description="One per distinct number.")


class ConflictValue(StrictModel):
    """One side of a conflict."""

    value: str = Field(description="The competing value, e.g. 'attended' or a date interval.")
    source_ids: list[str] = Field(description=_SOURCE_IDS)
    evidence: list[Evidence] = Field(description="Evidence for this side.")


class Conflict(StrictModel):
    """Where articles disagree, refine one another, or only one article speaks."""

    field: str = Field(
        description="What it is about: '<list>/<item id>[/<part>]', "
        "e.g. 'entities/adani-defence/attendance' or 'dates/date-the-meetings-in-moscow'."
    )
    kind: ConflictKind = Field(
        description="contradiction: incompatible values; granularity: a whole's statement "
        "against a part's; refinement: compatible values, one more precise; single_source: "
        "a claim only one independent source makes."
    )
    summary: str = Field(description="One sentence for a reviewer.")
    values: list[ConflictValue] = Field(description="The sides, with their evidence.")


class MergedReport(StrictModel):
    """Many articles' reports as one: every value with its sources, quotes and spans."""

    schema_version: str = Field(default=MERGE_SCHEMA_VERSION, description="Merge format.")
    independent_sources: int = Field(description="Sources, copies counted once.")
    conflicts: list[Conflict] = Field(description="Disagreements, refinements, single sources.")
    entities: list[MergedEntity] = Field(description="People, organisations, delegations.")
    dates: list[MergedDate] = Field(description="Dates, one per thing dated.")
    denials: list[MergedDenial] = Field(description="Denials, one per denying entity.")
    locations: list[MergedLocation] = Field(description="Places.")
    topics: list[MergedTopic] = Field(description="Topics discussed.")
    risks: list[MergedRisk] = Field(description="Risks.")
    key_figures: list[MergedFigure] = Field(description="Key figures.")
    summaries: list[SourceSummary] = Field(description="Each report's summary.")
    copies: list[CopyGroup] = Field(description="Articles treated as copies of one another.")
    aliases: AliasTable = Field(description="The alias table the merge used.")
    extractions: list[SourceExtraction] = Field(description="How each report was made.")
    dropped: list[DroppedClaim] = Field(
        default_factory=list, description="Items each report dropped, with the reason."
    )
    warnings: list[WarningClaim] = Field(
        default_factory=list, description="Each report's warnings for reviewers."
    )
    sources: list[Source] = Field(
        description="Every article once, with the exact text evidence offsets refer to."
    )


Claim = (
    AttendeeClaim | DenialClaim | DateClaim | LocationClaim | TopicClaim | RiskClaim | FigureClaim
)
