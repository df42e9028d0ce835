"""`merge`: tie the pool, copy detection and the per-field merges into one merged report.

Every item of every article is kept unchanged with its evidence (nothing is voted away);
merged values are decided on top: parties resolved across articles (`summarise.entities`),
attendance confirmed / disputed / unverified / denied, date intervals intersected, locations,
topics, risks and denials deduplicated, key figures compared by number, near-duplicate
articles (wire copy) counted as one source, and every disagreement listed in `conflicts`.
Deterministic and order-independent; no model call.

Merged reports merge again: `merge` accepts `MergedReport`s among its inputs and reads back
the items they keep, so ``merge([merge([a, b]), c]) == merge([a, b, c])`` (with the same alias
table; tables embedded in merged inputs are combined with the one given).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..entities import AliasTable
from ..models.merged import (
    AttendeeClaim,
    DateClaim,
    DenialClaim,
    DroppedClaim,
    FigureClaim,
    LocationClaim,
    MergedReport,
    RiskClaim,
    SourceExtraction,
    SourceSummary,
    TopicClaim,
    WarningClaim,
)
from ..models.report import DefenceMeetingReport
from .attendance import merge_entities
from .copies import Independence, find_copies
from .dates import merge_dates
from .figures import merge_figures
from .labels import merge_locations, merge_risks, merge_topics
from .pool import ClaimPool

__all__ = ["merge"]


def merge(
    reports: Sequence[DefenceMeetingReport | MergedReport], *, aliases: AliasTable | None = None
) -> MergedReport:
    """Merge reports (and merged reports) into one; deterministic and order-independent.

    Reports of the same source (same id and text) are one source; an item repeated across
    them is kept once. Raises InputError when two sources share an id but differ.
    """
    pool = ClaimPool()
    tables = [aliases or AliasTable()]
    for report in reports:
        if isinstance(report, MergedReport):
            pool.add_merged(report)
            tables.append(report.aliases)
        else:
            pool.add_report(report)
    table = tables[0].combined(*tables[1:])
    sources = [pool.sources[sid] for sid in sorted(pool.sources)]
    copies = find_copies(sources)
    independence = Independence(copies)
    everyone = independence.count(pool.sources)
    entities, denials, conflicts = merge_entities(
        pool.get(AttendeeClaim), pool.get(DenialClaim), table, independence, everyone
    )
    dates, date_conflicts = merge_dates(pool.get(DateClaim), independence)
    figures, figure_conflicts = merge_figures(pool.get(FigureClaim), independence)
    return MergedReport(
        independent_sources=everyone,
        conflicts=sorted(
            [*conflicts, *date_conflicts, *figure_conflicts],
            key=lambda c: (c.field, c.kind, c.summary),
        ),
        entities=entities,
        dates=dates,
        denials=denials,
        locations=merge_locations(pool.get(LocationClaim), independence),
        topics=merge_topics(pool.get(TopicClaim), independence),
        risks=merge_risks(pool.get(RiskClaim), independence),
        key_figures=figures,
        summaries=pool.get(SourceSummary),
        copies=copies,
        aliases=table,
        extractions=pool.get(SourceExtraction),
        dropped=pool.get(DroppedClaim),
        warnings=pool.get(WarningClaim),
        sources=sources,
    )
