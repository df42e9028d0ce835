"""Group a folder's reports into events: which articles tell the same event, and why.

An analyst's folder holds several stories; merged as one, every party of every story becomes an
attendee of one meeting. `group_events` splits the folder into events, deterministically and
whatever the order of the reports, without a model call:

1. Each article's keys are read (`summarise.event_keys`): its parties, resolved over the whole
   folder as the merge resolves them; its places; the interval of its main event (dates marked
   `main_event`, or else the date whose `of` reads like the headline); the span its event can
   lie in (that interval, or around the publication date); dates it mentions in passing.
2. Wire copies (`summarise.merging.find_copies`) are joined first: they always share an event.
3. Candidate pairs share a party in the same week of their spans (blocks, capped as in
   `summarise.entities.candidate_pairs`, so the work grows with the folder, not its square).
   A pair is joined when its score (shared parties, place, overlapping dates, similar text)
   reaches `JOIN_SCORE` and its event dates are not clearly apart (`APART_DAYS`). Joins are
   unions (union-find), so adding an article can join events but never split one.
4. The reviewer's overrides (`EventOverrides`) are applied: `split` first (articles kept
   apart), then `join`, and `move` last. Every join and override is kept as a reason.
5. Events sharing parties, or one of whose dates another event's article mentions in passing,
   are linked as `related`.

Event ids: the id of an event is built from its anchor, the member published first (the
smallest source id on a tie; undated articles count as published last): the anchor's source id
itself when it is already a slug, else its slug plus six hex digits of its SHA-256. An event
keeps its id as long as its anchor stays its anchor, whatever is added to the folder elsewhere.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from .entities import AliasTable, DisjointSets, candidate_pairs
from .errors import InputError
from .event_keys import (
    JOIN_SCORE,
    ArticleKeys,
    Folder,
    Interval,
    PairScore,
    gap_days,
    merged_interval,
    read_folder,
    week_keys,
)
from .event_pairs import PairScorer, scored_pairs
from .merging import CopyGroup, find_copies, merge
from .models import DefenceMeetingReport, Source
from .models.events import (
    EVENTS_SCHEMA_VERSION,
    EventGroup,
    EventIndex,
    EventOverrides,
    EventReport,
    EventSummary,
    GroupingReason,
    OverrideKind,
    RelatedEvent,
)

__all__ = [
    "EVENTS_SCHEMA_VERSION",
    "EventGroup",
    "EventIndex",
    "EventOverrides",
    "EventReport",
    "EventSummary",
    "GroupingReason",
    "RelatedEvent",
    "event_index",
    "event_members",
    "group_events",
    "load_overrides",
    "merge_events",
    "unmatched_overrides",
]

_MAX_PARTIES = 8  # main parties listed per event
_TITLE_PARTIES = 3  # ... named in its title
_MAX_RELATED = 5  # related events each event picks (links are then made symmetric)
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_MONTH = "%b"


class _Joiner:
    """Union-find over the folder's articles that keeps the reason of every join it makes."""

    def __init__(self, folder: Folder) -> None:
        self.folder = folder
        self.articles = folder.articles
        self.index = {a.id: i for i, a in enumerate(self.articles)}
        self.sets = DisjointSets(len(self.articles))
        self.reasons: list[GroupingReason] = []

    def join(self, i: int, j: int, reason: GroupingReason) -> bool:
        """Join i's and j's events; keep the reason if that joined two events."""
        if self.sets.find(i) == self.sets.find(j):
            return True
        if not self.sets.union(i, j):
            return False
        self.reasons.append(reason)
        return True

    def present(self, ids: Iterable[str]) -> list[int]:
        return sorted({self.index[x] for x in ids if x in self.index})

    def ids(self) -> dict[int, str]:
        """The event id of each current set, by its root."""
        return {self.sets.find(g[0]): _event_id(self._anchor(g)) for g in self.sets.groups()}

    def _anchor(self, members: Sequence[int]) -> str:
        first = min(members, key=lambda i: (self.articles[i].published or date.max, i))
        return self.articles[first].id


def group_events(
    reports: Sequence[DefenceMeetingReport],
    *,
    aliases: AliasTable | None = None,
    overrides: EventOverrides | None = None,
    scorer: PairScorer | None = None,
) -> list[EventGroup]:
    """The events of a folder of reports, earliest first (see the module docstring).

    Deterministic and independent of the reports' order; reports of the same source are one
    article. Override entries naming articles that are not in the folder are ignored (see
    `unmatched_overrides`); raises InputError when the overrides contradict one another.
    `scorer` finds the joining pairs (default: `scored_pairs`, here; a distributed run gives
    one that spreads `block_scores` over its workers and returns the same pairs).
    """
    folder = read_folder(reports, aliases)
    rules = overrides or EventOverrides()
    joiner = _Joiner(folder)
    for group in rules.split:
        members = joiner.present(group)
        for a in members:
            for b in members:
                if a < b:
                    joiner.sets.forbid(a, b)
    moved = set(joiner.present(rules.move))
    for group in rules.join:
        members = joiner.present(group)
        for other in members[1:]:
            _override(joiner, members[0], other, "join")
    copies = find_copies(_sources(reports))
    for copy in copies:
        members = [i for i in joiner.present(copy.source_ids) if i not in moved]
        for other in members[1:]:
            joiner.join(members[0], other, _copy_reason(folder, members[0], other, copy))
    for i, j, pair in (scorer or scored_pairs)(folder):
        if i not in moved and j not in moved and joiner.sets.find(i) != joiner.sets.find(j):
            joiner.join(i, j, _evidence_reason(folder, i, j, pair))
    provisional = joiner.ids()
    by_event = {event_id: root for root, event_id in provisional.items()}
    for article in sorted(rules.move):
        target = rules.move[article]
        if article not in joiner.index:
            continue
        if target in joiner.index:
            _override(joiner, joiner.index[article], joiner.index[target], "move")
        elif target in by_event:
            _override(joiner, joiner.index[article], by_event[target], "move")
    return _groups(joiner, copies, rules)


def _override(joiner: _Joiner, i: int, j: int, kind: OverrideKind) -> None:
    a, b = sorted((joiner.articles[i].id, joiner.articles[j].id))
    verb = "joined" if kind == "join" else "moved together"
    reason = GroupingReason(
        articles=[a, b], kind="override", override=kind, note=f"{verb} by the override file"
    )
    if not joiner.join(i, j, reason):
        raise InputError(f"the overrides contradict: {a} and {b} are {verb} but also split")


def _copy_reason(folder: Folder, i: int, j: int, copy: CopyGroup) -> GroupingReason:
    a, b = sorted((folder.articles[i].id, folder.articles[j].id))
    return GroupingReason(
        articles=[a, b],
        kind="copy",
        similarity=copy.similarity,
        note=f"copies of one text (word 5-gram similarity at least {copy.similarity:.2f})",
    )


def _evidence_reason(folder: Folder, i: int, j: int, pair: PairScore) -> GroupingReason:
    ka, kb = folder.articles[i], folder.articles[j]
    said = [f"both name {_names(list(pair.parties))}"]
    if pair.places:
        said.append(f"both are in {_names(list(pair.places))}")
    if pair.dates in ("overlap", "near") and ka.main and kb.main:
        said.append(f"their dates {_dates_said(pair.dates, ka.main, kb.main)}")
    elif pair.dates:
        said.append(f"undated, they were {pair.dates}")
    if pair.similarity is not None and pair.score >= JOIN_SCORE:
        said.append(f"their words are alike ({pair.similarity:.2f})")
    return GroupingReason(
        articles=sorted((ka.id, kb.id)),
        kind="evidence",
        shared_parties=list(pair.parties),
        shared_places=list(pair.places),
        dates=pair.dates,
        similarity=pair.similarity,
        score=pair.score,
        note="; ".join(said),
    )


def _dates_said(how: str, a: Interval, b: Interval) -> str:
    verb = "overlap" if how == "overlap" else f"are {gap_days(a, b)} days apart"
    return f"{_interval_text(*a)} and {_interval_text(*b)} {verb}"


def _groups(
    joiner: _Joiner, copies: Sequence[CopyGroup], rules: EventOverrides
) -> list[EventGroup]:
    folder = joiner.folder
    copy_of = {sid: c.source_ids[0] for c in copies for sid in c.source_ids}
    ids = joiner.ids()
    drafts = []
    for members in joiner.sets.groups():
        keys = [folder.articles[i] for i in members]
        event_id = ids[joiner.sets.find(members[0])]
        drafts.append(_draft(event_id, keys, folder, copy_of))
    splits = [
        GroupingReason(
            articles=sorted((a, b)),
            kind="override",
            override="split",
            note="kept apart by the override file",
        )
        for group in rules.split
        for a in group
        for b in group
        if a < b and a in joiner.index and b in joiner.index
    ]
    related = _related(drafts, folder)
    event_of = {a: d.id for d in drafts for a in d.articles}
    reasons: dict[str, list[GroupingReason]] = defaultdict(list)
    for reason in joiner.reasons:
        reasons[event_of[reason.articles[0]]].append(reason)
    for reason in splits:
        for event_id in sorted({event_of[a] for a in reason.articles}):
            reasons[event_id].append(reason)
    groups = [
        draft.model_copy(
            update={
                "reasons": sorted(reasons[draft.id], key=lambda r: (r.articles, r.kind)),
                "related": related.get(draft.id, []),
            }
        )
        for draft in drafts
    ]
    return sorted(groups, key=lambda g: (g.earliest or date.max, g.articles[0]))


def _draft(
    event_id: str, keys: list[ArticleKeys], folder: Folder, copy_of: dict[str, str]
) -> EventGroup:
    """An event's group without its reasons and related events."""
    independent = {copy_of.get(k.id, k.id) for k in keys}
    named: dict[str, set[str]] = defaultdict(set)
    for k in keys:
        for party in k.parties:
            named[party].add(copy_of.get(k.id, k.id))
    ranked = sorted(named, key=lambda p: (-len(named[p]), folder.party_names[p]))
    parties = [folder.party_names[p] for p in ranked if 3 * len(named[p]) >= len(independent)][
        :_MAX_PARTIES
    ]
    places_named = Counter(folder.place_names[p] for k in keys for p in k.places)
    places = sorted(places_named, key=lambda p: (-places_named[p], p))
    interval = merged_interval(k.main for k in keys if k.main)
    earliest, latest = interval or (None, None)
    return EventGroup(
        id=event_id,
        title=_title(parties[:_TITLE_PARTIES], places[:1], interval, event_id),
        articles=sorted(k.id for k in keys),
        earliest=earliest,
        latest=latest,
        places=places,
        parties=parties,
        independent_sources=len(independent),
        reasons=[],
        related=[],
    )


def _related(drafts: list[EventGroup], folder: Folder) -> dict[str, list[RelatedEvent]]:
    """Links between events: shared parties (nearest in time first), and passing mentions.

    A mention links an event whose article dates something (not its main event) within
    another event's interval, when that article shares a party with the other event or the
    date's `of` names one of its parties ("Putin's visit to India").
    """
    keys = {k.id: k for k in folder.articles}
    parties = [
        frozenset(p for a in d.articles for p in keys[a].parties) - folder.generic for d in drafts
    ]
    spans = [_group_span(d, keys) for d in drafts]
    found: dict[tuple[int, int], tuple[tuple[int, int, int], str]] = {}

    def offer(g: int, h: int, rank: tuple[int, int, int], why: str) -> None:
        for pair in ((g, h), (h, g)):
            if pair not in found or rank < found[pair][0]:
                found[pair] = (rank, why)

    order = sorted(range(len(drafts)), key=lambda g: (spans[g] or (date.max, date.max), g))
    for x, y in candidate_pairs([{f"p:{p}" for p in parties[g]} for g in order]):
        g, h = order[x], order[y]
        shared = sorted(folder.party_names[p] for p in parties[g] & parties[h])
        span_g, span_h = spans[g], spans[h]
        if shared:
            gap = gap_days(span_g, span_h) if span_g and span_h else 1 << 20
            when = f", {gap} days apart" if gap < 1 << 20 else ""
            offer(g, h, (1, -len(shared), gap), f"shares {_names(shared)}{when}")
    dated: dict[str, list[int]] = defaultdict(list)
    for g, d in enumerate(drafts):
        if d.earliest and d.latest:
            for week in week_keys((d.earliest, d.latest)):
                dated[week].append(g)
    for g, d in enumerate(drafts):
        for article in d.articles:
            for mention in keys[article].mentions:
                words = {w for w in re.findall(r"[^\W\d_]+", mention.of.casefold())}
                for h in sorted({h for w in week_keys(mention.interval) for h in dated[w]}):
                    other = drafts[h]
                    if h == g or not other.earliest or not other.latest:
                        continue
                    if gap_days(mention.interval, (other.earliest, other.latest)) > 0:
                        continue
                    named = keys[article].parties & parties[h] or {
                        p for p in parties[h] if folder.party_words[p] & words
                    }
                    if named:
                        why = f"{article} mentions {mention.of!r} ({mention.text})"
                        offer(g, h, (0, 0, 0), why)
    chosen: dict[int, list[int]] = defaultdict(list)
    for (g, h), _ in sorted(found.items(), key=lambda kv: (kv[0][0], kv[1][0], kv[0][1])):
        if len(chosen[g]) < _MAX_RELATED:
            chosen[g].append(h)
    links: dict[str, list[RelatedEvent]] = defaultdict(list)
    for g in range(len(drafts)):
        others = set(chosen[g]) | {h for h in chosen if g in chosen[h]}
        for h in sorted(others, key=lambda h: (found[(g, h)][0], drafts[h].id)):
            links[drafts[g].id].append(RelatedEvent(event_id=drafts[h].id, why=found[(g, h)][1]))
    return links


def _group_span(draft: EventGroup, keys: dict[str, ArticleKeys]) -> Interval | None:
    if draft.earliest and draft.latest:
        return draft.earliest, draft.latest
    spans = [keys[a].span for a in draft.articles if keys[a].span]
    return merged_interval(s for s in spans if s)


def _event_id(anchor: str) -> str:
    if _SLUG.fullmatch(anchor) and len(anchor) <= 80:
        return anchor
    slug = "-".join(re.findall(r"[a-z0-9]+", anchor.casefold()))[:60].strip("-") or "event"
    return f"{slug}-{hashlib.sha256(anchor.encode('utf-8')).hexdigest()[:6]}"


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _title(parties: list[str], places: list[str], interval: Interval | None, fallback: str) -> str:
    """E.g. "Rajnath Singh, Sebastien Lecornu and Eric Trappier in Paris, 11 Oct 2023"."""
    title = _names(parties) if parties else "Event"
    if places:
        title += f" in {places[0]}"
    if interval:
        title += f", {_interval_text(*interval)}"
    return title if parties or places or interval else f"Event of {fallback}"


def _interval_text(earliest: date, latest: date) -> str:
    """ "29\u201330 Oct 2025", "11 Oct 2023", "30 Dec 2025 \u2013 2 Jan 2026"."""
    end = f"{latest.day} {latest:{_MONTH}} {latest.year}"
    if earliest == latest:
        return end
    if (earliest.year, earliest.month) == (latest.year, latest.month):
        return f"{earliest.day}\u2013{end}"
    if earliest.year == latest.year:
        return f"{earliest.day} {earliest:{_MONTH}} \u2013 {end}"
    return f"{earliest.day} {earliest:{_MONTH}} {earliest.year} \u2013 {end}"


def event_members(
    reports: Sequence[DefenceMeetingReport], groups: Sequence[EventGroup]
) -> list[list[DefenceMeetingReport]]:
    """Each event's reports, in the order of its articles; InputError when an article of an
    event has no report."""
    by_id: dict[str, list[DefenceMeetingReport]] = defaultdict(list)
    for report in reports:
        by_id[report.source.id].append(report)
    members = []
    for group in groups:
        missing = [a for a in group.articles if a not in by_id]
        if missing:
            raise InputError(f"event {group.id}: no report for {', '.join(missing)}")
        members.append([r for a in group.articles for r in by_id[a]])
    return members


def merge_events(
    reports: Sequence[DefenceMeetingReport],
    groups: Sequence[EventGroup],
    *,
    aliases: AliasTable | None = None,
) -> list[EventReport]:
    """Each event with the merge (`summarise.merging.merge`) of its articles' reports."""
    return [
        EventReport(event=group, report=merge(members, aliases=aliases))
        for group, members in zip(groups, event_members(reports, groups), strict=True)
    ]


def event_index(groups: Sequence[EventGroup]) -> EventIndex:
    """The index of the events (what `events.json` holds)."""
    return EventIndex(
        events=[
            EventSummary(
                id=g.id,
                title=g.title,
                earliest=g.earliest,
                latest=g.latest,
                places=g.places,
                parties=g.parties,
                articles=len(g.articles),
                independent_sources=g.independent_sources,
                related=[r.event_id for r in g.related],
            )
            for g in groups
        ]
    )


def unmatched_overrides(overrides: EventOverrides, groups: Sequence[EventGroup]) -> list[str]:
    """Articles (and move targets) the overrides name that the grouped folder does not hold."""
    articles = {a for g in groups for a in g.articles}
    named = {a for g in (*overrides.split, *overrides.join) for a in g} | set(overrides.move)
    targets = {t for t in overrides.move.values() if t not in {g.id for g in groups}}
    return sorted((named | targets) - articles)


def _sources(reports: Sequence[DefenceMeetingReport]) -> list[Source]:
    return list({r.source.id: r.source for r in reports}.values())


def load_overrides(path: str | Path) -> EventOverrides:
    """Read an override file (JSON, or TOML for ``*.toml``); raise InputError naming the file."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the override file: {exc}") from exc
    try:
        data: object = tomllib.loads(raw) if path.suffix.lower() == ".toml" else json.loads(raw)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a valid override file: {exc}") from exc
    try:
        return EventOverrides.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in exc.errors()[:3]
        )
        raise InputError(f"{path}: not a valid override file: {problems}") from exc
