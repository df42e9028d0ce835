"""Merge per-article reports into one report in which every value says where it came from.

Every item of every article is kept unchanged with its evidence (nothing is voted away);
merged values are decided on top: parties resolved across articles (`summarise.entities`),
attendance confirmed / disputed / unverified / denied, date intervals intersected, locations,
topics, risks and denials deduplicated, key figures compared by number, near-duplicate
articles (wire copy) counted as one source, and every disagreement listed in `conflicts`.
Deterministic and order-independent; no model call.

Merged reports merge again: `merge` accepts `MergedReport`s among its inputs and reads back
the items they keep, so ``merge([merge([a, b]), c]) == merge([a, b, c])`` (with the same alias
table; tables embedded in merged inputs are combined with the one given).

A denial bears on the denier's own attendance and on that of its parts and people: a group's
spokespeople denying that "their executives" travelled disputes an attendance asserted for a
company of the group ("Adani Group" → "Adani Defence") and for people affiliated with it. Such
a denial is listed with `inherited_from` set, and when it is the only denial the conflict is of
kind `granularity`; a party's own denial makes it a `contradiction`.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from functools import reduce
from typing import Protocol, TypeVar

from pydantic import BaseModel
from rapidfuzz import fuzz

from .dates import Interval, iso_interval
from .entities import (
    AliasTable,
    DisjointSets,
    Link,
    NameMention,
    candidate_pairs,
    load_aliases,
    resolve,
)
from .errors import InputError
from .fields import REPORT_FIELDS
from .models.merged import (
    MERGE_SCHEMA_VERSION,
    Attendance,
    AttendanceClaim,
    AttendanceStatus,
    AttendeeClaim,
    Conflict,
    ConflictKind,
    ConflictValue,
    CopyGroup,
    DateClaim,
    DateStatus,
    DateValue,
    DenialClaim,
    FigureClaim,
    FigureStatus,
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
    RelationKind,
    RiskClaim,
    SourceExtraction,
    SourceSummary,
    TopicClaim,
)
from .models.report import DateMention, DefenceMeetingReport, Evidence, Source
from .numbers import Number, read_number
from .reports import load_reports
from .text import label_ids, label_tokens, words

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

COPY_THRESHOLD = 0.7  # Jaccard similarity of word 5-grams above which articles are copies

_SHINGLE = 5
_BANDS, _ROWS = 16, 3  # LSH over one-permutation MinHash: 48 bins, 16 bands of 3
_BINS = _BANDS * _ROWS
_EMPTY_BIN = 1 << 64
_SKETCH_MARGIN = 0.25  # sketch agreement this far below the threshold still gets an exact check

_SAME_LABEL = 90  # token_sort_ratio for topic/risk/location labels
_SHARED_WORDS = 0.6  # ... or this share of the shorter label's words (two or more) shared
_SAME_OF = 85  # what a date is of: same thing whatever the intervals
_RELATED_OF = 60  # ... same thing when the intervals overlap
_SAME_WHAT = 80  # what a figure measures: same thing whatever the numbers
_RELATED_WHAT = 50  # ... same thing when a number is shared


_Item = TypeVar("_Item", bound=BaseModel)


class _Pool:
    """Every item of every input once, whatever the order or repetition of the inputs."""

    def __init__(self) -> None:
        self.sources: dict[str, Source] = {}
        self._items: dict[type[BaseModel], dict[str, BaseModel]] = defaultdict(dict)

    def add_source(self, source: Source) -> None:
        known = self.sources.setdefault(source.id, source)
        if known != source:
            raise InputError(f"two different sources have the id {source.id!r}")

    def add(self, item: BaseModel) -> None:
        self._items[type(item)].setdefault(item.model_dump_json(), item)

    def get(self, kind: type[_Item]) -> list[_Item]:
        """The items of one type, sorted by source id, then content."""
        items = self._items[kind]
        order = sorted(items, key=lambda k: (str(getattr(items[k], "source_id", "")), k))
        return [item for k in order if isinstance(item := items[k], kind)]

    def add_report(self, report: DefenceMeetingReport) -> None:
        sid = report.source.id
        self.add_source(report.source)
        self.add(SourceSummary(source_id=sid, summary=report.summary))
        self.add(SourceExtraction(source_id=sid, extraction=report.extraction))
        for field in REPORT_FIELDS:
            for item in field.items(report):
                self.add(field.claim_of(item, sid))

    def add_merged(self, merged: MergedReport) -> None:
        for source in merged.sources:
            self.add_source(source)
        items: list[BaseModel] = [*merged.summaries, *merged.extractions]
        for field in REPORT_FIELDS:
            items += field.claims_in(merged)
        for item in items:
            self.add(item)


class _Independence:
    """Counts sources with near-duplicate copies counted once."""

    def __init__(self, copies: Sequence[CopyGroup]) -> None:
        self._group = {sid: group.source_ids[0] for group in copies for sid in group.source_ids}

    def count(self, source_ids: Iterable[str]) -> int:
        return len({self._group.get(sid, sid) for sid in source_ids})


def merge(
    reports: Sequence[DefenceMeetingReport | MergedReport], *, aliases: AliasTable | None = None
) -> MergedReport:
    """Merge reports (and merged reports) into one; deterministic and order-independent.

    Reports of the same source (same id and text) are one source; an item repeated across
    them is kept once. Raises InputError when two sources share an id but differ.
    """
    pool = _Pool()
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
    independence = _Independence(copies)
    everyone = independence.count(pool.sources)
    entities, denials, conflicts = _entities(pool, table, independence, everyone)
    dates, date_conflicts = _dates(pool.get(DateClaim), independence)
    figures, figure_conflicts = _figures(pool.get(FigureClaim), independence)
    return MergedReport(
        independent_sources=everyone,
        conflicts=sorted(
            [*conflicts, *date_conflicts, *figure_conflicts],
            key=lambda c: (c.field, c.kind, c.summary),
        ),
        entities=entities,
        dates=dates,
        denials=denials,
        locations=_locations(pool.get(LocationClaim), independence),
        topics=_topics(pool.get(TopicClaim), independence),
        risks=_risks(pool.get(RiskClaim), independence),
        key_figures=figures,
        summaries=pool.get(SourceSummary),
        copies=copies,
        aliases=table,
        extractions=pool.get(SourceExtraction),
        sources=sources,
    )


# --- independent sources -------------------------------------------------------------------


def _shingles(text: str) -> set[int]:
    hashes = [zlib.crc32(w.encode("utf-8")) for w in words(text)]
    return {
        hash(tuple(hashes[i : i + _SHINGLE])) & 0xFFFF_FFFF_FFFF_FFFF
        for i in range(len(hashes) - _SHINGLE + 1)
    }


def _sketch(shingles: set[int]) -> tuple[int, ...]:
    """A one-permutation MinHash sketch of the shingles (empty for no shingles).

    Empty bins (short texts) are densified: each takes the value of the next non-empty bin,
    marked with its distance, so that equal sets still give equal sketches.
    """
    if not shingles:
        return ()
    bins = [_EMPTY_BIN] * _BINS
    for value in shingles:
        position, rank = value % _BINS, value // _BINS
        if rank < bins[position]:
            bins[position] = rank
    return tuple(
        next(
            bins[(i + d) % _BINS] + d * _EMPTY_BIN
            for d in range(_BINS)
            if bins[(i + d) % _BINS] != _EMPTY_BIN
        )
        for i in range(_BINS)
    )


def find_copies(sources: Sequence[Source], threshold: float = COPY_THRESHOLD) -> list[CopyGroup]:
    """Groups of near-duplicate articles (Jaccard of word 5-grams >= threshold).

    Candidates are articles sharing a band of their MinHash sketches (locality-sensitive
    hashing) or their text, so the work grows with the number of articles, not its square;
    a candidate whose sketch agrees closely enough is checked with the exact Jaccard.
    """
    ordered = sorted({s.id: s for s in sources}.values(), key=lambda s: s.id)
    sets = DisjointSets(len(ordered))
    joined: list[tuple[int, float]] = []
    by_text: dict[str, int] = {}
    sketches: list[tuple[int, ...]] = []
    buckets: dict[tuple[int, tuple[int, ...]], list[int]] = defaultdict(list)
    for index, source in enumerate(ordered):
        first = by_text.setdefault(source.sha256, index)
        if first != index:
            sets.union(first, index)
            joined.append((index, 1.0))
        sketch = _sketch(_shingles(source.text))
        sketches.append(sketch)
        for band in range(_BANDS if sketch else 0):
            buckets[(band, sketch[band * _ROWS : (band + 1) * _ROWS])].append(index)
    for key in sorted(buckets):
        representatives: list[int] = []
        for index in buckets[key]:
            for other in representatives:
                if sets.find(index) == sets.find(other):
                    break
                agree = sum(x == y for x, y in zip(sketches[index], sketches[other], strict=True))
                if agree / _BINS < threshold - _SKETCH_MARGIN:
                    continue
                similarity = _jaccard(ordered[index].text, ordered[other].text)
                if similarity >= threshold:
                    sets.union(index, other)
                    joined.append((index, similarity))
                    break
            else:
                representatives.append(index)
    lowest: dict[int, float] = {}
    for index, similarity in joined:
        root = sets.find(index)
        lowest[root] = min(similarity, lowest.get(root, 1.0))
    return [
        CopyGroup(
            source_ids=[ordered[i].id for i in group],
            similarity=round(lowest[sets.find(group[0])], 3),
        )
        for group in sets.groups()
        if len(group) > 1
    ]


def _jaccard(a: str, b: str) -> float:
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0


# --- entities and attendance -----------------------------------------------------------------


def _entities(
    pool: _Pool, table: AliasTable, independence: _Independence, everyone: int
) -> tuple[list[MergedEntity], list[MergedDenial], list[Conflict]]:
    attendees = pool.get(AttendeeClaim)
    denials = pool.get(DenialClaim)
    resolution = resolve(
        [NameMention(a.name, a.kind, a.affiliation) for a in attendees]
        + [NameMention(d.by) for d in denials],
        table,
    )
    claims: dict[str, list[AttendeeClaim]] = defaultdict(list)
    denied: dict[str, list[DenialClaim]] = defaultdict(list)
    forms: dict[str, dict[str, list[AttendeeClaim | DenialClaim]]] = defaultdict(
        lambda: defaultdict(list)
    )
    links: dict[tuple[str, str], list[AttendeeClaim]] = defaultdict(list)
    for attendee in attendees:
        ids = resolution.ids(attendee.name, attendee.kind)
        for entity_id in ids:
            claims[entity_id].append(attendee)
            forms[entity_id][attendee.name].append(attendee)
        if attendee.affiliation:
            wholes = resolution.ids(attendee.affiliation, None)
            for entity_id in wholes:
                forms[entity_id][attendee.affiliation].append(attendee)
            for part in ids:
                for whole in wholes:
                    links[(part, whole)].append(attendee)
    for denial in denials:
        for entity_id in resolution.ids(denial.by, None):
            denied[entity_id].append(denial)
            forms[entity_id][denial.by].append(denial)
    own_denials = {
        e.id: [_attendance_claim(c) for c in claims.get(e.id, []) if c.stance == "denied"]
        + [_attendance_claim(d) for d in denied.get(e.id, [])]
        for e in resolution.entities
    }
    names = {e.id: e.name for e in resolution.entities}
    merged: list[MergedEntity] = []
    conflicts: list[Conflict] = []
    up: dict[str, list[str]] = defaultdict(list)
    touching: dict[str, list[Link]] = defaultdict(list)
    for link in resolution.links:
        up[link.part].append(link.whole)
        touching[link.part].append(link)
        touching[link.whole].append(link)
    for entity in resolution.entities:
        inherited = [
            claim.model_copy(update={"inherited_from": whole})
            for whole in _wholes(up, entity.id)
            for claim in own_denials[whole]
        ]
        attendance = None
        if entity.id in claims or entity.id in denied:
            attendance = _attendance(
                claims.get(entity.id, []), own_denials[entity.id] + inherited, independence
            )
            conflicts += _attendance_conflicts(entity.id, names, attendance, everyone)
        merged.append(
            MergedEntity(
                id=entity.id,
                name=entity.name,
                kind=entity.kind,
                names=[
                    NameForm(
                        name=name,
                        source_ids=_sourcelabel_ids(items),
                        evidence=_evidence(items),
                    )
                    for name, items in sorted(forms[entity.id].items())
                ],
                related=_relations(touching[entity.id], entity.id, links),
                attendance=attendance,
                claims=claims.get(entity.id, []),
            )
        )
    merged_denials = [
        MergedDenial(
            entity_id=entity_id,
            by=names[entity_id],
            source_ids=_sourcelabel_ids(items),
            independent_sources=independence.count(d.source_id for d in items),
            claims=items,
        )
        for entity_id, items in sorted(denied.items())
    ]
    return merged, merged_denials, conflicts


def _wholes(up: dict[str, list[str]], entity_id: str) -> list[str]:
    """Every entity this one is part of or affiliated with, transitively, sorted."""
    seen: set[str] = set()
    todo = [entity_id]
    while todo:
        for whole in up[todo.pop()]:
            if whole not in seen and whole != entity_id:
                seen.add(whole)
                todo.append(whole)
    return sorted(seen)


def _relations(
    touching: list[Link], entity_id: str, links: dict[tuple[str, str], list[AttendeeClaim]]
) -> list[Relation]:
    relations = []
    for link in touching:
        items = links.get((link.part, link.whole), []) if "affiliation" in link.basis else []
        if link.part == entity_id:
            kind: RelationKind = link.relation
            other = link.whole
        else:
            kind = "has_part" if link.relation == "part_of" else "has_affiliate"
            other = link.part
        relations.append(
            Relation(
                relation=kind,
                entity_id=other,
                basis=list(link.basis),
                source_ids=_sourcelabel_ids(items),
                evidence=_evidence(items),
            )
        )
    return sorted(relations, key=lambda r: (r.entity_id, r.relation))


def _attendance_claim(item: AttendeeClaim | DenialClaim) -> AttendanceClaim:
    if isinstance(item, AttendeeClaim):
        return AttendanceClaim(
            source_id=item.source_id,
            stance=item.stance,
            item="attendee",
            name=item.name,
            evidence=item.evidence,
        )
    return AttendanceClaim(
        source_id=item.source_id,
        stance="denied",
        item="denial",
        name=item.by,
        claim=item.claim,
        evidence=item.evidence,
    )


def _attendance(
    claims: list[AttendeeClaim], denials: list[AttendanceClaim], independence: _Independence
) -> Attendance:
    supporting = [_attendance_claim(c) for c in claims if c.stance in ("asserted", "reported")]
    uncertain = [_attendance_claim(c) for c in claims if c.stance == "uncertain"]
    denying = list({c.model_dump_json(): c for c in sorted(denials, key=_json)}.values())
    support = independence.count(c.source_id for c in supporting)
    status: AttendanceStatus
    if supporting and denying:
        status = "disputed"
    elif denying:
        status = "denied"
    elif support >= 2:
        status = "confirmed"
    else:
        status = "unverified"
    return Attendance(
        status=status,
        supporting=supporting,
        denying=denying,
        uncertain=uncertain,
        supporting_sources=support,
        denying_sources=independence.count(c.source_id for c in denying),
    )


def _attendance_conflicts(
    entity_id: str, names: dict[str, str], attendance: Attendance, everyone: int
) -> list[Conflict]:
    field = f"entities/{entity_id}/attendance"
    name = names[entity_id]
    attended = _side("attended", attendance.supporting)
    if attendance.status == "disputed":
        own = [c for c in attendance.denying if c.inherited_from is None]
        kind: ConflictKind = "contradiction" if own else "granularity"
        wholes = sorted({names[c.inherited_from] for c in attendance.denying if c.inherited_from})
        whole = "" if own else f" (denied by {', '.join(wholes)}, which it belongs to)"
        return [
            Conflict(
                field=field,
                kind=kind,
                summary=f"{name}: attendance asserted and denied{whole}.",
                values=[attended, _side("did not attend", attendance.denying)],
            )
        ]
    if attendance.status == "unverified" and everyone > 1:
        side = attended if attendance.supporting else _side("uncertain", attendance.uncertain)
        return [
            Conflict(
                field=field,
                kind="single_source",
                summary=f"{name}: attendance from one independent source only.",
                values=[side],
            )
        ]
    return []


def _json(item: BaseModel) -> str:
    return item.model_dump_json()


def _side(value: str, claims: Sequence[AttendanceClaim]) -> ConflictValue:
    return ConflictValue(
        value=value,
        source_ids=sorted({c.source_id for c in claims}),
        evidence=_evidence(claims),
    )


# --- dates -----------------------------------------------------------------------------------


def _dates(
    claims: list[DateClaim], independence: _Independence
) -> tuple[list[MergedDate], list[Conflict]]:
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
    groups = [[c for i in group for c in by_label[labels[i]]] for group in sets.groups()]
    drafts = sorted(
        ((_most_written([c.of for c in g], longest=True), g) for g in groups), key=_first
    )
    merged: list[MergedDate] = []
    conflicts: list[Conflict] = []
    for (of, group), date_id in zip(drafts, label_ids("date", [d[0] for d in drafts]), strict=True):
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


def _interval(claim: DateMention) -> Interval | None:
    """The days a date mention allows; None without bounds or with bounds out of order."""
    interval = Interval.of(claim.earliest, claim.latest)
    return None if interval is None or interval.empty else interval


def _merge_dates(
    date_id: str, of: str, claims: list[DateClaim], independence: _Independence
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


def _date_value(group: list[tuple[Interval, DateClaim]], independence: _Independence) -> DateValue:
    common = reduce(Interval.intersection, (interval for interval, _ in group))
    items = sorted((c for _, c in group), key=lambda c: (c.source_id, c.model_dump_json()))
    return DateValue(
        earliest=common.earliest,
        latest=common.latest,
        source_ids=_sourcelabel_ids(items),
        independent_sources=independence.count(c.source_id for c in items),
        claims=items,
    )


def _date_side(
    earliest: date | None, latest: date | None, claims: list[DateClaim]
) -> ConflictValue:
    texts = ", ".join(sorted({repr(c.text) for c in claims}))
    return ConflictValue(
        value=f"{iso_interval(earliest, latest)} ({texts})",
        source_ids=_sourcelabel_ids(claims),
        evidence=_evidence(claims),
    )


# --- locations, topics, risks ---------------------------------------------------------------


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


def _grouped(
    claims: list[_Labelled], label_of: Callable[[_Labelled], str], prefix: str
) -> list[tuple[str, str, list[_Labelled]]]:
    """(id, label shown, claims) per group of alike labels, sorted by label."""
    groups = [[claims[i] for i in g] for g in _label_groups([label_of(c) for c in claims])]
    drafts = sorted(
        ((_most_written([label_of(c) for c in g], longest=True), g) for g in groups), key=_first
    )
    ids = label_ids(prefix, [label for label, _ in drafts])
    return [(i, label, g) for i, (label, g) in zip(ids, drafts, strict=True)]


def _locations(claims: list[LocationClaim], independence: _Independence) -> list[MergedLocation]:
    return [
        MergedLocation(
            id=item_id,
            name=label,
            names=sorted({c.name for c in group}),
            source_ids=_sourcelabel_ids(group),
            independent_sources=independence.count(c.source_id for c in group),
            claims=group,
        )
        for item_id, label, group in _grouped(claims, lambda c: c.name, "location")
    ]


def _topics(claims: list[TopicClaim], independence: _Independence) -> list[MergedTopic]:
    return [
        MergedTopic(
            id=item_id,
            label=label,
            labels=sorted({c.label for c in group}),
            source_ids=_sourcelabel_ids(group),
            independent_sources=independence.count(c.source_id for c in group),
            claims=group,
        )
        for item_id, label, group in _grouped(claims, lambda c: c.label, "topic")
    ]


def _risks(claims: list[RiskClaim], independence: _Independence) -> list[MergedRisk]:
    return [
        MergedRisk(
            id=item_id,
            label=label,
            labels=sorted({c.label for c in group}),
            categories=sorted({c.category for c in group}),
            borne_by=sorted({c.borne_by for c in group if c.borne_by}),
            source_ids=_sourcelabel_ids(group),
            independent_sources=independence.count(c.source_id for c in group),
            claims=group,
        )
        for item_id, label, group in _grouped(claims, lambda c: c.label, "risk")
    ]


# --- key figures -----------------------------------------------------------------------------


def _figures(
    claims: list[FigureClaim], independence: _Independence
) -> tuple[list[MergedFigure], list[Conflict]]:
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
        ((_most_written([claims[i].what for i in g], longest=True), g) for g in groups), key=_first
    )
    merged: list[MergedFigure] = []
    conflicts: list[Conflict] = []
    for (what, group), figure_id in zip(
        drafts, label_ids("figure", [d[0] for d in drafts]), strict=True
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
    independence: _Independence,
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
                source_ids=_sourcelabel_ids(items),
                independent_sources=independence.count(c.source_id for c in items),
                claims=items,
            )
        )
    field = f"key_figures/{figure_id}"
    sides = [
        ConflictValue(value=v.value, source_ids=v.source_ids, evidence=_evidence(v.claims))
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


# --- shared helpers --------------------------------------------------------------------------


def _most_written(texts: Sequence[str], *, longest: bool) -> str:
    """The text written most often; ties go to the longest (or shortest), then alphabetical."""
    counts = Counter(texts)
    return min(counts, key=lambda t: (-counts[t], -len(t) if longest else len(t), t))


class _Sourced(Protocol):
    @property
    def source_id(self) -> str: ...

    @property
    def evidence(self) -> list[Evidence]: ...


def _sourcelabel_ids(items: Iterable[_Sourced]) -> list[str]:
    return sorted({item.source_id for item in items})


def _evidence(items: Iterable[_Sourced]) -> list[Evidence]:
    """The items' evidence in order, each quote once."""
    unique = {e.model_dump_json(): e for item in items for e in item.evidence}
    return list(unique.values())


# --- checking and loading --------------------------------------------------------------------


def verify_provenance(merged: MergedReport) -> list[str]:
    """Problems with the merged report's evidence; empty when every aligned quote re-reads.

    Checks that each source's sha256 matches its text, that every evidence item names an
    embedded source, and that `source.text[start:end] == quote` for every aligned evidence.
    """
    problems: list[str] = []
    texts: dict[str, str] = {}
    for source in merged.sources:
        if source.id in texts:
            problems.append(f"sources/{source.id}: the id appears twice")
        texts[source.id] = source.text
        if hashlib.sha256(source.text.encode("utf-8")).hexdigest() != source.sha256:
            problems.append(f"sources/{source.id}: sha256 does not match the text")
    for path, evidence in _walk(merged, ""):
        text = texts.get(evidence.source_id)
        if text is None:
            problems.append(f"{path}: no embedded source {evidence.source_id!r}")
        elif evidence.aligned and evidence.start is not None and evidence.end is not None:
            found = text[evidence.start : evidence.end]
            if evidence.end > len(text) or found != evidence.quote:
                problems.append(
                    f"{path}: {evidence.source_id}[{evidence.start}:{evidence.end}] reads "
                    f"{found!r}, not {evidence.quote!r}"
                )
    return problems


def _walk(node: object, path: str) -> Iterator[tuple[str, Evidence]]:
    if isinstance(node, Evidence):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _walk(getattr(node, name), f"{path}/{name}" if path else name)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            label = getattr(item, "id", None) or getattr(item, "entity_id", None) or index
            yield from _walk(item, f"{path}[{label}]")
