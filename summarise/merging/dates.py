"""Dates: group date mentions by what they date, intersect their intervals, list conflicts.

Mentions of one thing ("the meetings in Moscow", "the meetings") are grouped when their `of`
reads alike, or closely alike and their intervals overlap; and the dates of the event each
article is mainly about (`main_event`) are one thing when they overlap, however each article
words what they are of ("the official visit", "the meetings"). Within a group, intervals that
share a day form one value (their intersection); several values are a contradiction, one
value from different intervals a refinement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from functools import reduce

from rapidfuzz import fuzz

from ..dates import Interval, iso_interval
from ..entities import DisjointSets, candidate_pairs
from ..fields import DATES
from ..models.merged import Conflict, ConflictValue, DateClaim, DateStatus, DateValue, MergedDate
from ..models.report import DateMention
from ..text import label_ids, label_tokens
from .copies import Independence
from .support import evidence_of, first, most_written, source_ids

__all__ = ["merge_dates"]

_SAME_OF = 85  # what a date is of: same thing whatever the intervals
_RELATED_OF = 60  # ... same thing when the intervals overlap


def merge_dates(
    claims: list[DateClaim], independence: Independence
) -> tuple[list[MergedDate], list[Conflict]]:
    """One `MergedDate` per thing dated (mentions grouped by what they are of), and the
    conflicts: disjoint dates (contradiction) and dates that refine one another."""
    by_label: dict[tuple[str, ...], list[DateClaim]] = defaultdict(list)
    for claim in claims:
        by_label[label_tokens(claim.of, synonyms=True)].append(claim)
    labels = sorted(by_label)
    intervals = [{iv for c in by_label[label] if (iv := _interval(c))} for label in labels]
    sets = DisjointSets(len(labels))
    shorter: dict[int, set[int]] = defaultdict(set)
    for i, j in candidate_pairs([set(label) for label in labels]):
        a, b = set(labels[i]), set(labels[j])
        if a < b or b < a:
            shorter[i if a < b else j].add(j if a < b else i)
            continue
        similarity = fuzz.token_set_ratio(" ".join(labels[i]), " ".join(labels[j]))
        overlap = any(x.overlaps(y) for x in intervals[i] for y in intervals[j])
        if similarity >= _SAME_OF or (similarity >= _RELATED_OF and overlap):
            sets.union(i, j)
    _attach_short_forms(sets, shorter, intervals)
    _join_main_events(sets, [by_label[label] for label in labels])
    groups = [[c for i in group for c in by_label[labels[i]]] for group in sets.groups()]
    drafts = sorted(((most_written([c.of for c in g], longest=True), g) for g in groups), key=first)
    merged: list[MergedDate] = []
    conflicts: list[Conflict] = []
    for (of, group), date_id in zip(
        drafts, label_ids(DATES.label, [d[0] for d in drafts]), strict=True
    ):
        merged_date, conflict = _merge_dates(date_id, of, group, independence)
        merged.append(merged_date)
        conflicts += conflict
    return merged, conflicts


def _attach_short_forms(
    sets: DisjointSets,
    shorter: dict[int, set[int]],
    intervals: Sequence[set[Interval]],
) -> None:
    """Join a shorter `of` ("meetings") to the one longer `of` it fits, else to the one
    whose intervals overlap; an ambiguous one stays on its own."""
    for i in sorted(shorter):
        fits = sorted(j for j in shorter[i] if sets.find(j) != sets.find(i))
        if len({sets.find(j) for j in fits}) > 1:
            fits = [
                j for j in fits if any(x.overlaps(y) for x in intervals[i] for y in intervals[j])
            ]
        if len({sets.find(j) for j in fits}) == 1:
            sets.union(i, fits[0])


_MAIN_EVENT_SPAN_DAYS = 62  # a main-event date vaguer than about two months joins nothing


def _join_main_events(sets: DisjointSets, claims: Sequence[list[DateClaim]]) -> None:
    """Join the labels whose main-event dates overlap (blocked by the months they cover)."""
    spans: list[list[Interval]] = [
        [
            iv
            for c in group
            if c.main_event and (iv := _interval(c)) is not None and _finite_days(iv) is not None
        ]
        for group in claims
    ]
    keys = [{f"{d.year}-{d.month}" for iv in group for d in _months(iv)} for group in spans]
    for i, j in candidate_pairs(keys):
        if any(x.overlaps(y) for x in spans[i] for y in spans[j]):
            sets.union(i, j)


def _finite_days(interval: Interval) -> int | None:
    if interval.earliest is None or interval.latest is None:
        return None
    days = (interval.latest - interval.earliest).days
    return days if days <= _MAIN_EVENT_SPAN_DAYS else None


def _months(interval: Interval) -> list[date]:
    assert interval.earliest is not None and interval.latest is not None
    first, last = interval.earliest.replace(day=1), interval.latest.replace(day=1)
    months = [first]
    while months[-1] < last:
        current = months[-1]
        months.append(current.replace(year=current.year + current.month // 12,
                                      month=current.month % 12 + 1))  # fmt: skip
    return months


def _interval(claim: DateMention) -> Interval | None:
    """The days a date mention allows; None without bounds or with bounds out of order."""
    interval = Interval.of(claim.earliest, claim.latest)
    return None if interval is None or interval.empty else interval


def _merge_dates(
    date_id: str, of: str, claims: list[DateClaim], independence: Independence
) -> tuple[MergedDate, list[Conflict]]:
    dated = sorted(
        ((interval, c) for c in claims if (interval := _interval(c))),
        key=lambda pair: (pair[0].end, pair[0].start, pair[1].model_dump_json()),
    )
    groups: list[list[tuple[Interval, DateClaim]]] = []
    point: date | None = None
    for interval, claim in dated:  # interval stabbing: each group shares a day
        if point is None or interval.start > point:
            point = interval.end
            groups.append([])
        groups[-1].append((interval, claim))
    values = [_date_value(group, independence) for group in groups]
    values.sort(key=lambda v: Interval.between(v.earliest, v.latest))
    status: DateStatus = "undated" if not values else "consistent"
    conflicts: list[Conflict] = []
    field = f"dates/{date_id}"
    if len(values) > 1:
        status = "conflicting"
        conflicts.append(
            Conflict(
                field=field,
                kind="contradiction",
                summary=f"{of}: the articles give disjoint dates.",
                values=[_date_side(v.earliest, v.latest, v.claims) for v in values],
            )
        )
    elif values and len({i for i, _ in dated}) > 1:
        by_interval: dict[Interval, list[DateClaim]] = defaultdict(list)
        for interval, claim in dated:
            by_interval[interval].append(claim)
        refined = iso_interval(values[0].earliest, values[0].latest)
        conflicts.append(
            Conflict(
                field=field,
                kind="refinement",
                summary=f"{of}: the articles' dates agree; together they give {refined}.",
                values=[
                    _date_side(interval.earliest, interval.latest, items)
                    for interval, items in sorted(by_interval.items())
                ],
            )
        )
    consistent = values[0] if len(values) == 1 else None
    merged = MergedDate(
        id=date_id,
        of=of,
        status=status,
        earliest=consistent.earliest if consistent else None,
        latest=consistent.latest if consistent else None,
        values=values,
        undated=[c for c in claims if _interval(c) is None],
    )
    return merged, conflicts


def _first(pair: tuple[str, object]) -> str:
    return pair[0]


def _date_value(group: list[tuple[Interval, DateClaim]], independence: Independence) -> DateValue:
    common = reduce(Interval.intersection, (interval for interval, _ in group))
    items = sorted((c for _, c in group), key=lambda c: (c.source_id, c.model_dump_json()))
    return DateValue(
        earliest=common.earliest,
        latest=common.latest,
        source_ids=source_ids(items),
        independent_sources=independence.count(c.source_id for c in items),
        claims=items,
    )


def _date_side(
    earliest: date | None, latest: date | None, claims: list[DateClaim]
) -> ConflictValue:
    texts = ", ".join(sorted({repr(c.text) for c in claims}))
    return ConflictValue(
        value=f"{iso_interval(earliest, latest)} ({texts})",
        source_ids=source_ids(claims),
        evidence=evidence_of(claims),
    )
