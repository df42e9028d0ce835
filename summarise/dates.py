"""Dates: turn a date as written ("late October", "October 29 and 30") into an interval, and
compare and show intervals of days.

Dates without a year are anchored to the publication date; relative ones ("last Thursday",
"yesterday") are counted from it. `Interval` is the one interval type the merge, the review and
the evaluation compare dates with: a missing bound is open-ended.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import NamedTuple

from summarise import models

from .date_words import (
    DAY_PHRASES,
    FILLERS,
    HALVES,
    LEADING_FILLERS,
    MONTHS,
    PART_WORDS,
    RELATIVE,
    RELATIVE_DAYS,
    SEPARATORS,
    UNITS,
    WEEKDAYS,
)
from .text import fold

__all__ = [
    "DateInterval",
    "Interval",
    "describe_interval",
    "iso_interval",
    "normalise_date",
    "written_dates",
]

# Parts of a month, as first and last day (None: the month's last day).
_PARTS: list[tuple[int, int | None]] = [(1, 10), (11, 20), (21, None), (1, 15), (16, None)]
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"

# Words, with the vowel signs of Indic scripts (combining marks, which are not \w to Python),
# and French elisions kept whole ("aujourd'hui").
_TOKEN = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d+(?:st|nd|rd|th|er|e|\.)?|aujourd'hui|"
    r"(?:[^\W\d_]|[\u0900-\u0dff])+|[^\w\s]",
    re.I,
)
# "mid-to-late October", "mi-octobre", "Anfang-Oktober"
_PART_HYPHEN = re.compile(r"\b(early|mid|late|to|mi|fin|debut)-(?=[^\W\d_])", re.I)

# The grammar, over one letter per token: M month, D day of the month, Y year, P part of a
# month, W weekday, S range separator, R yesterday/today/tomorrow, L/N/T last/next/this,
# U "week", "month" or "year" (after or before last/next: "le mois dernier"), x anything else.
_SIDE = r"(?:W?(?:MDY?|DMY?)|P?MY?|P?Y|DY?|P)"
_GRAMMAR = re.compile(
    rf"(?P<range>(?P<a>{_SIDE})S(?P<b>{_SIDE}))"
    r"|(?P<point>W?(?:MDY?|DMY?)|P?MY?|P?Y)"
    r"|(?P<weekday>[LNT]?W)"
    r"|(?P<day>R)"
    r"|(?P<unit>P?[LNT]?U|U[LN])"
)
_COARSENESS: list[models.DatePrecision] = ["day", "days", "part_of_month", "month", "year"]


@dataclass(frozen=True)
class DateInterval:
    """The days a date allows, `earliest` to `latest` inclusive, and how precise it is."""

    earliest: date | None
    latest: date | None
    precision: models.DatePrecision


@dataclass(frozen=True, order=True)
class Interval:
    """Days `start` to `end` inclusive; `date.min` and `date.max` stand for an open bound.

    Ordered by start, then end. It may be empty (`start > end`) when built from bounds that
    are out of order; `of` and `between` say where that matters.
    """

    start: date
    end: date

    @classmethod
    def between(cls, earliest: date | None, latest: date | None) -> Interval:
        """The days between two bounds, open-ended where a bound is None."""
        return cls(earliest or date.min, latest or date.max)

    @classmethod
    def of(cls, earliest: date | None, latest: date | None) -> Interval | None:
        """Like `between`, but None when both bounds are missing (nothing is known)."""
        if earliest is None and latest is None:
            return None
        return cls.between(earliest, latest)

    @property
    def empty(self) -> bool:
        """Whether no day fits (the bounds are out of order)."""
        return self.start > self.end

    @property
    def earliest(self) -> date | None:
        """The first day, None when open."""
        return None if self.start == date.min else self.start

    @property
    def latest(self) -> date | None:
        """The last day, None when open."""
        return None if self.end == date.max else self.end

    def overlaps(self, other: Interval) -> bool:
        """Whether some day lies in both."""
        return self.start <= other.end and other.start <= self.end

    def within(self, other: Interval) -> bool:
        """Whether this (non-empty) interval lies inside `other`."""
        return other.start <= self.start <= self.end <= other.end

    def intersection(self, other: Interval) -> Interval:
        """The days in both (empty when they do not overlap)."""
        return Interval(max(self.start, other.start), min(self.end, other.end))


def iso_interval(earliest: date | None, latest: date | None) -> str:
    """An interval in ISO 8601 for conflict values: '2025-10-29', '2025-10-29..2025-10-30',
    '?' for an open bound ('2025-12-01..?')."""
    if earliest is not None and earliest == latest:
        return earliest.isoformat()
    return f"{earliest.isoformat() if earliest else '?'}..{latest.isoformat() if latest else '?'}"


def describe_interval(earliest: date | None, latest: date | None) -> str:
    """An interval for people: '29 Oct 2025', '29\u201330 Oct 2025', 'from 1 Dec 2025'."""
    if earliest is None:
        return f"until {_day(latest)}" if latest else "no interval"
    if latest is None:
        return f"from {_day(earliest)}"
    if earliest == latest:
        return _day(earliest)
    if (earliest.year, earliest.month) == (latest.year, latest.month):
        return f"{earliest.day}\u2013{_day(latest)}"
    if earliest.year == latest.year:
        return f"{earliest.day} {earliest:%b} \u2013 {_day(latest)}"
    return f"{_day(earliest)} \u2013 {_day(latest)}"


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


_UNKNOWN = DateInterval(None, None, "unknown")

_Days = tuple[date, date]


class _Token(NamedTuple):
    code: str
    value: int


@dataclass(frozen=True)
class _Point:
    """One end of a date as written: a part of a month, a day, a month and a year, if given."""

    part: int | None = None
    day: int | None = None
    month: int | None = None
    year: int | None = None

    @property
    def precision(self) -> models.DatePrecision:
        if self.month is None:
            return "year"
        if self.day is not None:
            return "day"
        return "month" if self.part is None else "part_of_month"

    def days(self, year: int) -> _Days | None:
        """The days this point covers, in `year` unless it has its own; None if invalid."""
        year = year if self.year is None else self.year
        try:
            if self.month is None:
                return date(year, 1, 1), date(year, 12, 31)
            if self.day is not None:
                day = date(year, self.month, self.day)
                return day, day
            first, last = _PARTS[self.part] if self.part is not None else (1, None)
            month_end = calendar.monthrange(year, self.month)[1]
            return date(year, self.month, first), date(year, self.month, last or month_end)
        except ValueError:
            return None


def normalise_date(text: str, published: date | None, *, future: bool = False) -> DateInterval:
    """The interval a written date allows, anchored to the publication date when it has no year.

    The whole text is read as a date first ("late October", "on Thursday", "am Freitag", "26 de
    octubre"); failing that, the first date written inside it ("... held on October 29
    and 30."), where month and weekday names count only when capitalised (or in a script
    without capitals). A bare weekday is the one before publication, or after it if the date
    is of something still to happen (`future`). Never raises: anything else is
    `DateInterval(None, None, "unknown")`.
    """
    folded_text = fold(text)
    for phrase, day in DAY_PHRASES.items():
        if phrase in folded_text:
            text = re.sub(re.escape(phrase), day, folded_text)
            break
    interval = _read(text, published, future)
    if (  # "earlier this week": before the day the article was published
        published is not None
        and folded_text.startswith("earlier")
        and interval.earliest is not None
        and interval.latest is not None
        and interval.earliest < published <= interval.latest
    ):
        interval = replace(interval, latest=published - timedelta(days=1))
    return interval


# The longest date phrase looked for, in words ("in the second half of October 2025").
_PHRASE_WORDS = 8


def written_dates(
    sentence: str, published: date | None, *, future: bool = False
) -> list[tuple[int, int, DateInterval]]:
    """Every phrase of `sentence` that reads in full as a date, as (start, end, interval), in
    order and never overlapping: at each word the most complete phrase (without words that
    change nothing), the most precise where two overlap. How the toolkit finds the words an
    article used for a date the model wrote in its own form ("2023-10-10" for "on Wednesday")."""
    words = [(m.start(), m.end()) for m in re.finditer(r"[^\s,;:()\[\]]+", sentence)]
    candidates: list[tuple[int, int, DateInterval]] = []
    for i, (start, _) in enumerate(words):
        shortest: dict[DateInterval, int] = {}
        for j in range(i, min(len(words), i + _PHRASE_WORDS)):
            end = start + len(sentence[start : words[j][1]].rstrip(".!?"))
            phrase = sentence[start:end]
            interval = _whole(DAY_PHRASES.get(fold(phrase), phrase), published, future)
            if interval.earliest is not None:
                shortest.setdefault(interval, end)
        if shortest:
            interval, end = max(shortest.items(), key=lambda item: item[1])
            candidates.append((start, end, interval))
    rank = {"day": 0, "days": 0, "part_of_month": 1, "month": 2, "year": 3, "unknown": 4}
    candidates.sort(key=lambda c: (rank[c[2].precision], c[0] - c[1], c[0]))
    chosen: list[tuple[int, int, DateInterval]] = []
    for start, end, interval in candidates:
        if all(end <= a or b <= start for a, b, _ in chosen):
            chosen.append((start, end, interval))
    return sorted(chosen, key=lambda c: c[0])


def _whole(text: str, published: date | None, future: bool) -> DateInterval:
    """The text read in full as a date, else unknown."""
    tokens = _tokens(text, whole=True)
    match = _GRAMMAR.fullmatch("".join(token.code for token in tokens))
    return _interpret(match, tokens, published, future) if match else _UNKNOWN


def _read(text: str, published: date | None, future: bool) -> DateInterval:
    """The whole text as a date, else the first date inside it, else unknown."""
    interval = _whole(text, published, future)
    if interval != _UNKNOWN:
        return interval
    tokens = _tokens(text, whole=False)
    for match in _GRAMMAR.finditer("".join(token.code for token in tokens)):
        interval = _interpret(match, tokens, published, future)
        if interval != _UNKNOWN:
            return interval
    return _UNKNOWN


def _tokens(text: str, *, whole: bool) -> list[_Token]:
    """The grammar tokens of `text`, read as a date in full (`whole`) or as prose."""
    for dash in _DASHES:
        text = text.replace(dash, "-")
    words = _TOKEN.findall(_PART_HYPHEN.sub(r"\1 ", text))
    fillers = (FILLERS | LEADING_FILLERS) if whole else FILLERS
    tokens: list[_Token] = []
    for index, word in enumerate(words):
        lower = fold(word).rstrip(".") or fold(word)
        if lower in fillers or (lower == "half" and tokens and tokens[-1].code == "P"):
            continue
        if lower[0].isdecimal() and "-" in lower:  # ISO 8601, as month, day and year
            year, month, day = map(int, lower.split("-"))
            tokens += [_Token("M", month), _Token("D", day), _Token("Y", year)]
        elif lower in HALVES:
            following = words[index + 1].casefold() if index + 1 < len(words) else ""
            tokens.append(_Token("P", HALVES[lower]) if following == "half" else _Token("x", 0))
        else:
            # names count in prose only when capitalised; scripts without case always count
            named = whole or word[:1].isupper() or not word[:1].islower()
            tokens.append(_token(lower, named=named))
    if whole:  # a date does not start with a range separator ("a finales de octubre")
        while tokens and tokens[0].code == "S":
            tokens.pop(0)
    return _weeks_of_months(tokens)


def _weeks_of_months(tokens: list[_Token]) -> list[_Token]:
    """ "The last week of October" is late October, not the week before publication."""
    out: list[_Token] = []
    for token in tokens:
        if (
            token.code == "M"
            and len(out) >= 2
            and out[-1] == _Token("U", 2)
            and out[-2].code in ("L", "x")
        ):
            part = 2 if out[-2].code == "L" else 0
            out[-2:] = [_Token("P", part)]
        out.append(token)
    return out


def _token(word: str, *, named: bool) -> _Token:
    number = word.rstrip("stndrhe.")
    if number.isdecimal():
        if len(number) == 4:
            return _Token("Y", int(number))
        return _Token("D", int(number)) if 1 <= int(number) <= 31 else _Token("x", 0)
    if named and word in MONTHS:
        return _Token("M", MONTHS[word])
    if named and word in WEEKDAYS:
        return _Token("W", WEEKDAYS[word])
    for code, table in (("P", PART_WORDS), ("R", RELATIVE_DAYS), ("U", UNITS)):
        if word in table:
            return _Token(code, table[word])
    if word in RELATIVE:
        return _Token(RELATIVE[word], 0)
    return _Token("S", 0) if word in SEPARATORS else _Token("x", 0)


def _interpret(
    match: re.Match[str], tokens: list[_Token], published: date | None, future: bool = False
) -> DateInterval:
    """The interval for one grammar match over `tokens`."""
    matched = tokens[match.start() : match.end()]
    if match.lastgroup == "range":
        first = _point(tokens[match.start("a") : match.end("a")])
        last = _point(tokens[match.start("b") : match.end("b")])
        return _range(first, last, published)
    if match.lastgroup == "point":
        point = _point(matched)
        return _anchored(point.days, point.precision, point.year is not None, published)
    return _relative(matched, published, future)


def _point(tokens: list[_Token]) -> _Point:
    values = {token.code: token.value for token in tokens}
    return _Point(values.get("P"), values.get("D"), values.get("M"), values.get("Y"))


def _range(first: _Point, last: _Point, published: date | None) -> DateInterval:
    """From the start of `first` to the end of `last`, each completing what the other omits."""
    first = _with_month_of(first, last)  # "29 and 30 October", "mid to late October"
    last = _with_month_of(last, first)  # "October 29 and 30"
    if any(
        point.month is None and (point.day is not None or point.year is None)
        for point in (first, last)
    ):
        return _UNKNOWN  # "29 and 30", "early to mid 2025"
    if first.precision == last.precision == "day":
        same = (first.day, first.month, first.year) == (last.day, last.month, last.year)
        precision: models.DatePrecision = "day" if same else "days"
    else:
        precision = max(first.precision, last.precision, key=_COARSENESS.index)
    # Without a year, "December 30 - January 2" runs into the next year.
    wraps = int(first.month is not None and last.month is not None and first.month > last.month)

    def days(year: int) -> _Days | None:
        if first.year is not None:
            year = first.year
        elif last.year is not None:
            year = last.year - wraps
        start, end = first.days(year), last.days(year + wraps)
        if start is None or end is None or start[0] > end[1]:
            return None
        return start[0], end[1]

    explicit = first.year is not None or last.year is not None
    return _anchored(days, precision, explicit, published)


def _with_month_of(point: _Point, other: _Point) -> _Point:
    """`point` completed with the month of `other` when it is a day or part of a month alone."""
    if point.month is None and (
        point.day is not None or (point.part is not None and point.year is None)
    ):
        return replace(point, month=other.month)
    return point


def _anchored(
    days: Callable[[int], _Days | None],
    precision: models.DatePrecision,
    explicit_year: bool,
    published: date | None,
) -> DateInterval:
    """The interval `days` gives, in the year nearest the publication date when none is written.

    The year is chosen among the publication year and its neighbours, for the interval closest
    to the publication date (distance 0 when it contains it), the earlier year on a tie.
    """
    if explicit_year:
        found = days(1)
    elif published is None:
        # A leap year, so that "February 29" is a date.
        return DateInterval(None, None, precision) if days(2000) else _UNKNOWN
    else:
        candidates = [days(year) for year in range(published.year - 1, published.year + 2)]
        found = min(
            (interval for interval in candidates if interval is not None),
            key=lambda interval: _distance(interval, published),
            default=None,
        )
    return _UNKNOWN if found is None else DateInterval(found[0], found[1], precision)


def _distance(interval: _Days, day: date) -> int:
    start, end = interval
    return max((start - day).days, (day - end).days, 0)


_WEEK_PARTS = [(0, 2), (2, 4), (4, 6)]  # early, mid and late in a week: Mon-Wed, Wed-Fri, Fri-Sun


def _period(codes: str, tokens: list[_Token], published: date | None) -> DateInterval:
    """Last/this/next week, month or year, or a part of one ("Anfang der Woche")."""
    unit = next(t.value for t in tokens if t.code == "U")
    precision: models.DatePrecision = ("month", "year", "days")[unit]
    if published is None:
        return DateInterval(None, None, precision)
    step = 0
    for code, value in (("L", -1), ("N", 1)):
        if code in codes:
            step = value
    part = next((t.value for t in tokens if t.code == "P"), None)
    if unit == 2:  # weeks run Monday to Sunday
        monday = published - timedelta(days=published.weekday()) + timedelta(weeks=step)
        first, last = _WEEK_PARTS[part] if part is not None and part < 3 else (0, 6)
        return DateInterval(monday + timedelta(days=first), monday + timedelta(days=last), "days")
    if unit == 1:
        point = _Point(year=published.year + step)
    else:
        months = published.year * 12 + published.month - 1 + step
        point = _Point(part=part, month=months % 12 + 1, year=months // 12)
    return _anchored(point.days, point.precision, True, published)


def _relative(tokens: list[_Token], published: date | None, future: bool) -> DateInterval:
    """Weekdays, yesterday/today/tomorrow and last/this/next week, month or year."""
    codes = "".join(token.code for token in tokens)
    last = tokens[-1]
    if "U" in codes:
        return _period(codes, tokens, published)
    if codes[0] == "T":
        return _UNKNOWN  # "this Thursday" may be either side of the publication date
    if published is None:
        return DateInterval(None, None, "day")
    if codes[-1] == "R":
        offset = last.value
    elif codes[0] == "N":  # the next such weekday after publication
        offset = (last.value - published.weekday() - 1) % 7 + 1
    elif codes[0] == "L":  # the last such weekday before publication
        offset = -((published.weekday() - last.value - 1) % 7 + 1)
    elif future:  # "Thursday" of what will happen: within the week from the publication date
        offset = (last.value - published.weekday()) % 7
    else:  # "Thursday" of what happened: within the week up to the publication date
        offset = -((published.weekday() - last.value) % 7)
    try:
        day = published + timedelta(days=offset)
    except OverflowError:
        return _UNKNOWN
    return DateInterval(day, day, "day")
