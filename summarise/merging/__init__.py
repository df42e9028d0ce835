"""Merge per-article reports into one report in which every value says where it came from.

Every item of every article is kept unchanged with its evidence (nothing is voted away);
merged values are decided on top. The modules, in the order `merge` (`merger`) uses them:
`pool` (every input item once, as a claim of its source), `copies` (near-duplicate articles
counted as one source), `attendance` (entities, attendance, relations, denials), `dates`,
`labels` (locations, topics, risks), `figures`; `provenance` re-reads every quote afterwards.
The merged-report models live in `summarise.models.merged`; report files are read by
`summarise.reports`. Everything callers use is importable from here.
"""

from ..entities import AliasTable, load_aliases
from ..models.merged import (
    MERGE_SCHEMA_VERSION,
    Attendance,
    AttendanceClaim,
    AttendeeClaim,
    Conflict,
    ConflictValue,
    CopyGroup,
    DateClaim,
    DateValue,
    DenialClaim,
    FigureClaim,
    FigureValue,
    LocationClaim,
    MergedDate,
    MergedDenial,
    MergedEntity,
    MergedFigure,
    MergedLocation,
    MergedReport,
    MergedRisk,
    MergedTopic,
    NameForm,
    Relation,
    RiskClaim,
    SourceExtraction,
    SourceSummary,
    TopicClaim,
)
from ..reports import load_reports
from .copies import COPY_THRESHOLD, find_copies
from .merger import merge
from .provenance import verify_provenance

__all__ = [
    "COPY_THRESHOLD",
    "MERGE_SCHEMA_VERSION",
    "AliasTable",
    "Attendance",
    "AttendanceClaim",
    "AttendeeClaim",
    "Conflict",
    "ConflictValue",
    "CopyGroup",
    "DateClaim",
    "DateValue",
    "DenialClaim",
    "FigureClaim",
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
    "RiskClaim",
    "SourceExtraction",
    "SourceSummary",
    "TopicClaim",
    "find_copies",
    "load_aliases",
    "load_reports",
    "merge",
    "verify_provenance",
]
