"""Key figures: group figures by what they measure and compare them by the number they state.

Figures are grouped when what they measure reads alike, or loosely alike and a number is shared;
within a group, one value per distinct number (`summarise.numbers.read_number`). Values whose
stated bounds all overlap ("more than 500" / "550") are consistent, others conflict.
"""

from __future__ import annotations

from collections import defaultdict

from rapidfuzz import fuzz

from ..entities import DisjointSets, candidate_pairs
from ..fields import KEY_FIGURES
from ..models.merged import (
    Conflict,
    ConflictValue,
    FigureClaim,
    FigureStatus,
    FigureValue,
    MergedFigure,
)
from ..numbers import Number, read_number
from ..text import label_ids, label_tokens
from .copies import Independence
from .support import evidence_of, first, most_written, source_ids

__all__ = ["merge_figures"]

_SAME_WHAT = 80  # what a figure measures: same thing whatever the numbers
_RELATED_WHAT = 50  # ... same thing when a number is shared


def merge_figures(
    claims: list[FigureClaim], independence: Independence
) -> tuple[list[MergedFigure], list[Conflict]]:
    """One `MergedFigure` per thing measured, one value per distinct number, and the
    conflicts: different numbers (contradiction) or numbers within each other's bounds."""
    numbers = [read_number(c.value) for c in claims]
    by_what: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for index, claim in enumerate(claims):
        by_what[label_tokens(claim.what)].append(index)
    keys = sorted(by_what)
    values = [{_value_key(numbers[i], claims[i]) for i in by_what[k]} for k in keys]
    sets = DisjointSets(len(keys))
    for i, j in candidate_pairs([set(k) for k in keys]):
        similarity = fuzz.token_set_ratio(" ".join(keys[i]), " ".join(keys[j]))
        if similarity >= _SAME_WHAT or (similarity >= _RELATED_WHAT and values[i] & values[j]):
            sets.union(i, j)
    groups = [[x for i in group for x in by_what[keys[i]]] for group in sets.groups()]
    drafts = sorted(
        ((most_written([claims[i].what for i in g], longest=True), g) for g in groups), key=first
    )
    merged: list[MergedFigure] = []
    conflicts: list[Conflict] = []
    for (what, group), figure_id in zip(
        drafts, label_ids(KEY_FIGURES.label, [d[0] for d in drafts]), strict=True
    ):
        figure, conflict = _merge_figure(figure_id, what, group, claims, numbers, independence)
        merged.append(figure)
        conflicts += conflict
    return merged, conflicts


def _value_key(number: Number | None, claim: FigureClaim) -> tuple[str, float, str]:
    if number is None:
        return ("text", 0.0, " ".join(claim.value.casefold().split()))
    return ("number", round(number.value, 4), number.unit or "")


def _merge_figure(
    figure_id: str,
    what: str,
    group: list[int],
    claims: list[FigureClaim],
    numbers: list[Number | None],
    independence: Independence,
) -> tuple[MergedFigure, list[Conflict]]:
    by_value: dict[tuple[str, float, str], list[int]] = defaultdict(list)
    for index in group:
        by_value[_value_key(numbers[index], claims[index])].append(index)
    values: list[FigureValue] = []
    readings: list[list[Number]] = []
    for key in sorted(by_value):
        items = [claims[i] for i in sorted(by_value[key])]
        read = [n for i in by_value[key] if (n := numbers[i]) is not None]
        readings.append(read)
        values.append(
            FigureValue(
                value=read[0].text() if read else key[2],
                number=read[0].value if read else None,
                unit=read[0].unit if read else None,
                source_ids=source_ids(items),
                independent_sources=independence.count(c.source_id for c in items),
                claims=items,
            )
        )
    field = f"key_figures/{figure_id}"
    sides = [
        ConflictValue(value=v.value, source_ids=v.source_ids, evidence=evidence_of(v.claims))
        for v in values
    ]
    if len(values) == 1:
        status: FigureStatus = (
            "corroborated" if values[0].independent_sources > 1 else "single_source"
        )
        return MergedFigure(id=figure_id, what=what, status=status, values=values), []
    if _compatible(readings):
        summary = f"{what}: the figures differ but fit each other's stated bounds."
        conflict = Conflict(field=field, kind="refinement", summary=summary, values=sides)
        return MergedFigure(id=figure_id, what=what, status="consistent", values=values), [conflict]
    summary = f"{what}: the articles give different numbers."
    conflict = Conflict(field=field, kind="contradiction", summary=summary, values=sides)
    return MergedFigure(id=figure_id, what=what, status="conflicting", values=values), [conflict]


def _compatible(readings: list[list[Number]]) -> bool:
    """Whether every value's stated range overlaps every other's (same unit, all read)."""
    if any(not read for read in readings) or len({r[0].unit for r in readings}) > 1:
        return False
    ranges = [(max(n.range[0] for n in read), min(n.range[1] for n in read)) for read in readings]
    return max(low for low, _ in ranges) <= min(high for _, high in ranges)
