"""What each article says about its event, as keys to compare articles on, and a pair's score.

An article's keys are its parties (resolved across the folder as the merge resolves them), its
places, the interval of its main event, the span its event can lie in, the other dates it
mentions in passing, its publication date and its content words. Two articles are scored on
what they share (`score_pair`); `summarise.events` joins the pairs that score high enough.
Pure and deterministic: no model call, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .dates import normalise_date
from .entities import AliasTable, NameMention, resolve
from .models import DateMention, DefenceMeetingReport

__all__ = [
    "APART_DAYS",
    "JOIN_SCORE",
    "ArticleKeys",
    "Folder",
    "Mention",
    "PairScore",
    "block_keys",
    "gap_days",
    "merged_interval",
    "place_key",
    "read_folder",
    "score_pair",
    "week_keys",
]

# Thresholds (docs/events.md says why each has its value).
APART_DAYS = 7  # event intervals more than this far apart are two events (never joined)
NEAR_DAYS = 3  # ... this close, without overlapping, still count as near
VAGUE_DAYS = 45  # an interval wider than this ("this year") does not date an event
FINE_DAYS = 11  # an interval this wide or less ("late October") dates an event finely
REPORT_LAG_DAYS = 60  # an undated article's event lies at most this long before publication
PREVIEW_DAYS = 7  # ... or this long after it (a preview of a visit)
JOIN_SCORE = 3.0  # a pair scoring this much (and not apart) is one event
PARTY_POINTS, GENERIC_PARTY_POINTS, MAX_PARTY_POINTS = 1.0, 0.5, 2.0
PLACE_POINTS = 1.0
OVERLAP_POINTS, COARSE_OVERLAP_POINTS, NEAR_POINTS, SAME_DAY_POINTS = 1.0, 0.5, 0.5, 0.5
TEXT_NEEDS_PARTIES = 1.5  # text similarity counts only for pairs with this many party points
SIMILAR_TEXT = 0.2  # Jaccard similarity of content words that counts as similar text
TEXT_POINTS = 1.0
_BLOCK_MARGIN = timedelta(days=4)  # spans are widened by this for blocking, so near ones meet

_WORD = re.compile(r"[^\W\d_]+")
_STOPWORDS = frozenset(
    {
        "about", "after", "also", "been", "before", "being", "between", "both", "could", "during",
        "from", "have", "into", "more", "other", "over", "said", "says", "such", "than", "that",
        "their", "them", "then", "there", "these", "they", "this", "those", "through", "were",
        "what", "when", "which", "while", "will", "with", "would", "your", "under", "where",
    }
)  # fmt: skip
# Words that name no one on their own: a party written only with these is weak evidence
# ("Ministry of Defence", "Ukrainian government", "Indian delegation").
_GENERIC = frozenset(
    {
        "the", "of", "and", "for", "ministry", "minister", "government", "department", "defence",
        "defense", "armed", "forces", "army", "navy", "air", "force", "officials", "official",
        "delegation", "delegations", "embassy", "state", "secretary", "office", "federal",
        "service", "council", "industry", "industries", "companies", "company", "firms",
        "executives", "representatives", "private", "public", "sector", "national", "military",
        "india", "indian", "russia", "russian", "ukraine", "ukrainian", "france", "french",
        "germany", "german", "us", "usa", "american", "united", "states", "uk", "british",
        "china", "chinese", "pakistan", "pakistani", "spain", "spanish", "israel", "israeli",
        "regierung", "ukrainische", "gouvernement", "ministerium",
    }
)  # fmt: skip
# What a date is of when it dates the reporting, not the event ("the ministry's statement").
_REPORTING = re.compile(
    r"\b(statement|report|reports|reported|reporting|interview|announcement|announced|press"
    r"|briefing|told|comment|comments|denial|denied|denying|denies|claim|claimed|claiming"
    r"|article|published|publication)\b",
    re.IGNORECASE,
)
# Words that make it an event all the same ("the meeting and her denial").
_HAPPENING = re.compile(
    r"\b(meetings?|meet|talks|visits?|trip|summit|conference|dialogue|exhibition|arrival"
    r"|signing|ceremony|forum|session|negotiations|discussions|tour|parade|delegation)\b",
    re.IGNORECASE,
)
# ... or a plan, not something that took place.
_PLANNED = re.compile(
    r"\b(planned|plans?|scheduled|upcoming|expected|hoped|hoped-for|target|targets|future"
    r"|proposed|forthcoming|next)\b",
    re.IGNORECASE,
)

# Cyrillic letters in Latin (Russian and Ukrainian, as news agencies write names), so that
# "Сергей Иванов" and "Sergei Ivanov" can resolve to one party.
_LATIN = (
    "a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
    "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "-", "y", "-", "e", "yu", "ya", "i", "yi",
    "ye", "g",
)  # fmt: skip
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ", _LATIN, strict=True))

Interval = tuple[date, date]


@dataclass(frozen=True)
class Mention:
    """A date an article mentions besides its main event (a candidate `related` event)."""

    text: str
    of: str
    interval: Interval


@dataclass(frozen=True)
class ArticleKeys:
    """What one article says about its event, ready to compare with another article's."""

    id: str
    published: date | None
    parties: frozenset[str]  # entity ids
    places: frozenset[str]  # place keys
    main: Interval | None  # the main event's dates, when the article dates it
    span: Interval | None  # where the event can lie: `main`, or around the publication date
    mentions: tuple[Mention, ...]
    words: frozenset[str]


@dataclass(frozen=True)
class Folder:
    """Every article's keys, and the display names of the parties and places they hold."""

    articles: tuple[ArticleKeys, ...]  # sorted by id
    party_names: dict[str, str]
    generic: frozenset[str]  # parties named only with generic words
    place_names: dict[str, str]
    party_words: dict[str, frozenset[str]]  # each party's distinctive name words


@dataclass(frozen=True)
class PairScore:
    """Why two articles may be one event: what they share and the points it earns."""

    score: float
    apart: bool  # their event dates are clearly disjoint
    parties: tuple[str, ...]
    places: tuple[str, ...]
    dates: str | None  # "overlap", "near" or "published the same day"
    similarity: float | None


def read_folder(reports: Sequence[DefenceMeetingReport], aliases: AliasTable | None) -> Folder:
    """The keys of every article; reports of one source are read together as one article.

    Parties are resolved once over every attendee and denier name in the folder with
    `summarise.entities.resolve`, so names join exactly as the merge joins them.
    """
    by_id: dict[str, list[DefenceMeetingReport]] = defaultdict(list)
    for report in reports:
        by_id[report.source.id].append(report)
    mentions = [
        mention
        for report in reports
        for mention in (
            *(NameMention(_latin(a.name), a.kind, _latin(a.affiliation)) for a in report.attendees),
            *(NameMention(_latin(d.by)) for d in report.denials),
        )
    ]
    resolution = resolve(mentions, aliases)
    party_names = {e.id: e.name for e in resolution.entities}
    generic = frozenset(e.id for e in resolution.entities if _generic(e.name))
    party_words = {
        e.id: frozenset(w for w in _words(e.name, 4) if w not in _GENERIC)
        for e in resolution.entities
    }
    place_forms: dict[str, Counter[str]] = defaultdict(Counter)
    articles = []
    for source_id in sorted(by_id):
        group = by_id[source_id]
        parties = {
            entity
            for report in group
            for names in (
                *(resolution.ids(_latin(a.name), a.kind) for a in report.attendees),
                *(resolution.ids(_latin(d.by), None) for d in report.denials),
            )
            for entity in names
        }
        places: set[str] = set()
        for report in group:
            for location in report.locations:
                key = place_key(location.name)
                if key:
                    places.add(key)
                    place_forms[key][location.name.split(",")[0].strip()] += 1
        articles.append(_keys(source_id, group, frozenset(parties), frozenset(places)))
    place_names = {k: min(f, key=lambda n: (-f[n], n)) for k, f in place_forms.items()}
    return Folder(tuple(articles), party_names, generic, place_names, party_words)


def _keys(
    source_id: str,
    reports: Sequence[DefenceMeetingReport],
    parties: frozenset[str],
    places: frozenset[str],
) -> ArticleKeys:
    published = min((r.source.published for r in reports if r.source.published), default=None)
    dates = sorted(
        {d.model_dump_json(): d for r in reports for d in r.dates}.items(), key=lambda kv: kv[0]
    )
    headline = " ".join(f"{r.source.title or ''} {r.summary}" for r in reports)
    main, vague, others = _main_dates([d for _, d in dates], headline, published)
    span = main or _span(vague, published)
    text = " ".join(r.source.text for r in reports)
    return ArticleKeys(
        id=source_id,
        published=published,
        parties=parties,
        places=places,
        main=main,
        span=span,
        mentions=tuple(others),
        words=frozenset(_words(text, 4)) - _STOPWORDS,
    )


def _main_dates(
    dates: list[DateMention], headline: str, published: date | None
) -> tuple[Interval | None, list[Interval], list[Mention]]:
    """The main event's interval, vague intervals of it, and the dates mentioned in passing.

    Dates flagged `main_event=True` decide. Without flags (older reports), the main date is
    the one whose `of` shares most words with the headline and summary, the earliest in the
    text on a tie, among dates that are neither of the reporting ("the statement") nor of a
    plan (a date of "the statement" still counts when it is also of a meeting, a visit...);
    dates within `NEAR_DAYS` of it are parts of the same event.
    """
    read = [(d, _interval(d, published)) for d in dates]
    flagged = [(d, i) for d, i in read if d.main_event and i]
    if not flagged and not any(d.main_event for d in dates):
        pool = [
            (d, i)
            for d, i in read
            if i and d.main_event is None and not _PLANNED.search(d.of)
            if _HAPPENING.search(d.of) or not _REPORTING.search(d.of)
        ]
        candidates = [(d, i) for d, i in pool if _width(i) <= VAGUE_DAYS]
        if candidates:
            heads = _stems(headline)
            best = min(candidates, key=lambda p: (-len(_stems(p[0].of) & heads), _position(p[0])))[
                1
            ]
            flagged = [(d, i) for d, i in candidates if gap_days(i, best) <= NEAR_DAYS]
        else:
            flagged = pool
    chosen = {id(d) for d, _ in flagged}
    precise = [i for _, i in flagged if i and _width(i) <= VAGUE_DAYS]
    main = (min(i[0] for i in precise), max(i[1] for i in precise)) if precise else None
    vague = [i for _, i in flagged if i and _width(i) > VAGUE_DAYS]
    others = [
        Mention(d.text, d.of, i)
        for d, i in read
        if i and id(d) not in chosen and _width(i) <= VAGUE_DAYS
    ]
    return main, vague, others


def _span(vague: list[Interval], published: date | None) -> Interval | None:
    """Where an article's event can lie when the article does not date it precisely."""
    if published is None:
        return (max(i[0] for i in vague), min(i[1] for i in vague)) if vague else None
    start = published - timedelta(days=REPORT_LAG_DAYS)
    end = published + timedelta(days=PREVIEW_DAYS)
    for low, high in vague:
        if low <= end and start <= high:
            start, end = max(start, low), min(end, high)
    return start, end


def _interval(mention: DateMention, published: date | None) -> Interval | None:
    """The mention's interval as extracted, or as its text reads when extraction left none."""
    earliest, latest = mention.earliest, mention.latest
    if (earliest is None or latest is None) and published is not None:
        read = normalise_date(mention.text, published)
        earliest, latest = earliest or read.earliest, latest or read.latest
    if earliest is None or latest is None:
        return None
    return (earliest, latest) if earliest <= latest else (latest, earliest)


def _stems(text: str) -> set[str]:
    """Distinctive words (not generic, not what every event is: "meeting", "visit"), cut to
    four letters so that "meets" and "meeting" agree."""
    return {
        w[:4]
        for w in _words(text, 4)
        if w not in _STOPWORDS and w not in _GENERIC and not _HAPPENING.fullmatch(w)
    }


def _position(mention: DateMention) -> int:
    starts = [e.start for e in mention.evidence if e.start is not None]
    return min(starts, default=1 << 30)


def _width(interval: Interval) -> int:
    return (interval[1] - interval[0]).days + 1


def gap_days(a: Interval, b: Interval) -> int:
    """Days between two intervals (0 when they overlap)."""
    return max((b[0] - a[1]).days, (a[0] - b[1]).days, 0)


def score_pair(a: ArticleKeys, b: ArticleKeys, folder: Folder) -> PairScore:
    """What two articles share, and the points it earns (see docs/events.md).

    Shared parties earn `PARTY_POINTS` each (`GENERIC_PARTY_POINTS` for a party named with
    generic words only), at most `MAX_PARTY_POINTS`; a shared place `PLACE_POINTS`; event
    dates that overlap `OVERLAP_POINTS` (`COARSE_OVERLAP_POINTS` when one is wider than
    `FINE_DAYS`, e.g. a month), or are near `NEAR_POINTS`; two undated articles published
    within a day `SAME_DAY_POINTS`; similar text `TEXT_POINTS` for pairs with at least
    `TEXT_NEEDS_PARTIES` party points. Without a shared
    party the score is 0 (a place and a week do not make an event). Spans more than
    `APART_DAYS` apart make the pair `apart`, whatever it shares.
    """
    parties = a.parties & b.parties
    places = a.places & b.places
    apart = a.span is not None and b.span is not None and gap_days(a.span, b.span) > APART_DAYS
    names = tuple(sorted(folder.party_names[p] for p in parties))
    shown = tuple(sorted(folder.place_names.get(p, p) for p in places))
    if not parties or apart:
        return PairScore(0.0, apart, names, shown, None, None)
    party_points = min(
        MAX_PARTY_POINTS,
        sum(GENERIC_PARTY_POINTS if p in folder.generic else PARTY_POINTS for p in parties),
    )
    points = party_points + (PLACE_POINTS if places else 0.0)
    dates = None
    if a.main is not None and b.main is not None:
        gap = gap_days(a.main, b.main)
        fine = max(_width(a.main), _width(b.main)) <= FINE_DAYS
        if gap == 0:
            points += OVERLAP_POINTS if fine else COARSE_OVERLAP_POINTS
            dates = "overlap"
        elif gap <= NEAR_DAYS and fine:
            points, dates = points + NEAR_POINTS, "near"
    elif (
        a.main is None
        and b.main is None
        and a.published
        and b.published
        and abs((a.published - b.published).days) <= 1
    ):
        points, dates = points + SAME_DAY_POINTS, "published the same day"
    similarity = None
    if points < JOIN_SCORE <= points + TEXT_POINTS and party_points >= TEXT_NEEDS_PARTIES:
        similarity = round(_jaccard(a.words, b.words), 3)
        points += TEXT_POINTS if similarity >= SIMILAR_TEXT else 0.0
    return PairScore(points, apart, names, shown, dates, similarity)


def block_keys(article: ArticleKeys) -> set[str]:
    """Keys of the blocks an article is compared in: each of its parties per week of its span.

    Two articles that can score (a shared party, spans at most a few days apart) share a key;
    an article with no span is compared with the other undated ones only.
    """
    weeks = week_keys(article.span, _BLOCK_MARGIN) if article.span else ["undated"]
    return {f"{party}@{week}" for party in article.parties for week in weeks}


def week_keys(interval: Interval, margin: timedelta = timedelta(0)) -> list[str]:
    """The ISO weeks an interval (widened by `margin` each side) touches."""
    start, end = interval[0] - margin, interval[1] + margin
    start -= timedelta(days=start.weekday())
    weeks = []
    while start <= end:
        year, week, _ = start.isocalendar()
        weeks.append(f"{year}-W{week:02}")
        start += timedelta(days=7)
    return weeks


def place_key(name: str) -> str:
    """A place name as compared: its first comma part, case and accents folded, no "the"."""
    head = name.split(",")[0]
    words = [w for w in _words(_fold(head), 1) if w != "the"]
    return " ".join(words)


def _latin(name: str | None) -> str:
    """The name with Cyrillic letters transliterated (other scripts are left as written)."""
    if not name or not any("\u0400" <= c <= "\u04ff" for c in name):
        return name or ""
    letters = []
    for c in name:
        latin = _CYRILLIC.get(c.casefold(), c).replace("-", "")
        letters.append(latin.capitalize() if c.isupper() else latin)
    return "".join(letters)


def _generic(name: str) -> bool:
    words = _words(name, 1)
    return bool(words) and all(w in _GENERIC for w in words)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str, shortest: int) -> list[str]:
    return [w for w in _WORD.findall(text.casefold()) if len(w) >= shortest]


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def merged_interval(intervals: Iterable[Interval]) -> Interval | None:
    """The days every interval allows, or their hull when they do not all overlap."""
    items = list(intervals)
    if not items:
        return None
    low, high = max(i[0] for i in items), min(i[1] for i in items)
    if low <= high:
        return low, high
    return min(i[0] for i in items), max(i[1] for i in items)
