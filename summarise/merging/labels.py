"""Labels: deduplicate locations, topics and risks across articles by how their labels read.

Labels are alike when their spelling or word order is close, or when two or more content words
make most of the shorter label; each group shows the label written most often.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz import fuzz

from ..entities import DisjointSets, candidate_pairs
from ..fields import LOCATIONS, RISKS, TOPICS, ReportField
from ..models.merged import (
    LocationClaim,
    MergedLocation,
    MergedRisk,
    MergedTopic,
    RiskClaim,
    TopicClaim,
)
from ..text import label_ids, label_tokens
from .copies import Independence
from .support import first, most_written, source_ids

__all__ = ["merge_locations", "merge_risks", "merge_topics"]

_SAME_LABEL = 90  # token_sort_ratio for topic/risk/location labels
_SHARED_WORDS = 0.6  # ... or this share of the shorter label's words (two or more) shared


def _label_groups(labels: Sequence[str]) -> list[list[int]]:
    """Indices of labels grouped when alike: a close spelling or word order, or two or more
    content words shared that make most of the shorter label."""
    by_tokens: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        by_tokens[label_tokens(label)].append(index)
    keys = sorted(by_tokens)
    sets = DisjointSets(len(keys))
    for i, j in candidate_pairs([set(k) for k in keys]):
        shared = len(set(keys[i]) & set(keys[j]))
        overlap = shared / min(len(keys[i]), len(keys[j]))
        spelling = fuzz.token_sort_ratio(" ".join(keys[i]), " ".join(keys[j]))
        if (shared >= 2 and overlap >= _SHARED_WORDS) or spelling >= _SAME_LABEL:
            sets.union(i, j)
    return [sorted(x for i in group for x in by_tokens[keys[i]]) for group in sets.groups()]


_Labelled = TypeVar("_Labelled", LocationClaim, TopicClaim, RiskClaim)


@dataclass(frozen=True)
class _Group(Generic[_Labelled]):
    """Claims with alike labels, and what every merged item made of them shows."""

    id: str
    label: str  # the label shown
    labels: list[str]  # every label written, sorted
    claims: list[_Labelled]
    source_ids: list[str]
    independent_sources: int


def _groups(
    claims: list[_Labelled], field: ReportField, independence: Independence
) -> list[_Group[_Labelled]]:
    """The claims of a labelled field (`field.text` names them) per group of alike labels,
    sorted by the label shown; ids are `field.label` and the label ("topic-spare-parts")."""

    def label_of(claim: _Labelled) -> str:
        return str(getattr(claim, field.text))

    groups = [[claims[i] for i in g] for g in _label_groups([label_of(c) for c in claims])]
    drafts = sorted(
        ((most_written([label_of(c) for c in g], longest=True), g) for g in groups), key=first
    )
    ids = label_ids(field.label, [label for label, _ in drafts])
    return [
        _Group(
            id=item_id,
            label=label,
            labels=sorted({label_of(c) for c in group}),
            claims=group,
            source_ids=source_ids(group),
            independent_sources=independence.count(c.source_id for c in group),
        )
        for item_id, (label, group) in zip(ids, drafts, strict=True)
    ]


def merge_locations(
    claims: list[LocationClaim], independence: Independence
) -> list[MergedLocation]:
    """One `MergedLocation` per group of alike place names."""
    return [
        MergedLocation(
            id=g.id,
            name=g.label,
            names=g.labels,
            source_ids=g.source_ids,
            independent_sources=g.independent_sources,
            claims=g.claims,
        )
        for g in _groups(claims, LOCATIONS, independence)
    ]


def merge_topics(claims: list[TopicClaim], independence: Independence) -> list[MergedTopic]:
    """One `MergedTopic` per group of alike topic labels."""
    return [
        MergedTopic(
            id=g.id,
            label=g.label,
            labels=g.labels,
            source_ids=g.source_ids,
            independent_sources=g.independent_sources,
            claims=g.claims,
        )
        for g in _groups(claims, TOPICS, independence)
    ]


def merge_risks(claims: list[RiskClaim], independence: Independence) -> list[MergedRisk]:
    """One `MergedRisk` per group of alike risk labels, with every category and bearer given."""
    return [
        MergedRisk(
            id=g.id,
            label=g.label,
            labels=g.labels,
            categories=sorted({c.category for c in g.claims}),
            borne_by=sorted({c.borne_by for c in g.claims if c.borne_by}),
            source_ids=g.source_ids,
            independent_sources=g.independent_sources,
            claims=g.claims,
        )
        for g in _groups(claims, RISKS, independence)
    ]
