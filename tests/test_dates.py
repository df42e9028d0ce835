"""Tests for turning written dates into intervals anchored to the publication date."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, strategies as st

from summarise.dates import DateInterval, Interval, iso_interval, normalise_date
from summarise.models import DatePrecision

# The reference articles do not state their publication date; their README says to use this.
PUBLISHED = date(2025, 12, 10)  # a Wednesday

# The dates of the gold annotations of the reference articles (shared/gold/*.json).
GOLD_DATES = [
    ("late October", date(2025, 10, 21), date(2025, 10, 31)),
    ("early December", date(2025, 12, 1), date(2025, 12, 10)),
    ("October 29 and 30", date(2025, 10, 29), date(2025, 10, 30)),
    ("December 4-5", date(2025, 12, 4), date(2025, 12, 5)),
]


def _interval(earliest: str, latest: str, precision: DatePrecision) -> DateInterval:
    return DateInterval(date.fromisoformat(earliest), date.fromisoformat(latest), precision)


@pytest.mark.parametrize(("text", "earliest", "latest"), GOLD_DATES)
def test_gold_dates(text: str, earliest: date, latest: date) -> None:
    interval = normalise_date(text, PUBLISHED)
    assert (interval.earliest, interval.latest) == (earliest, latest)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # several days
        ("October 29 and 30", ("2025-10-29", "2025-10-30", "days")),
        ("October 29-30", ("2025-10-29", "2025-10-30", "days")),
        ("29\u201330 October", ("2025-10-29", "2025-10-30", "days")),
        ("29 \u2014 30 october", ("2025-10-29", "2025-10-30", "days")),
        ("29 and 30 October 2025", ("2025-10-29", "2025-10-30", "days")),
        ("October 29-30, 2025", ("2025-10-29", "2025-10-30", "days")),
        ("December 4-5", ("2025-12-04", "2025-12-05", "days")),
        ("Dec. 4 to 5", ("2025-12-04", "2025-12-05", "days")),
        ("between October 29 and 30", ("2025-10-29", "2025-10-30", "days")),
        ("October 30 - November 2", ("2025-10-30", "2025-11-02", "days")),
        ("30 October to 2 November 2025", ("2025-10-30", "2025-11-02", "days")),
        ("December 30 - January 2", ("2025-12-30", "2026-01-02", "days")),
        ("December 30 - January 2, 2026", ("2025-12-30", "2026-01-02", "days")),
        # one day
        ("October 29", ("2025-10-29", "2025-10-29", "day")),
        ("on October 29", ("2025-10-29", "2025-10-29", "day")),
        ("29 October 2025", ("2025-10-29", "2025-10-29", "day")),
        ("29th October", ("2025-10-29", "2025-10-29", "day")),
        ("the 29th of October", ("2025-10-29", "2025-10-29", "day")),
        ("Oct 29, 2025", ("2025-10-29", "2025-10-29", "day")),
        ("Sept. 3", ("2025-09-03", "2025-09-03", "day")),
        ("2025-10-29", ("2025-10-29", "2025-10-29", "day")),
        ("Thursday, October 30", ("2025-10-30", "2025-10-30", "day")),
        # part of a month
        ("late October", ("2025-10-21", "2025-10-31", "part_of_month")),
        ("LATE OCTOBER", ("2025-10-21", "2025-10-31", "part_of_month")),
        ("end of October", ("2025-10-21", "2025-10-31", "part_of_month")),
        ("the end of October", ("2025-10-21", "2025-10-31", "part_of_month")),
        ("early December", ("2025-12-01", "2025-12-10", "part_of_month")),
        ("beginning of December", ("2025-12-01", "2025-12-10", "part_of_month")),
        ("mid-October", ("2025-10-11", "2025-10-20", "part_of_month")),
        ("mid October", ("2025-10-11", "2025-10-20", "part_of_month")),
        ("middle of October", ("2025-10-11", "2025-10-20", "part_of_month")),
        ("late February 2024", ("2024-02-21", "2024-02-29", "part_of_month")),
        ("second half of November", ("2025-11-16", "2025-11-30", "part_of_month")),
        ("mid-to-late October", ("2025-10-11", "2025-10-31", "part_of_month")),
        ("late October to early November", ("2025-10-21", "2025-11-10", "part_of_month")),
        # months and years
        ("October", ("2025-10-01", "2025-10-31", "month")),
        ("in October", ("2025-10-01", "2025-10-31", "month")),
        ("October 2025", ("2025-10-01", "2025-10-31", "month")),
        ("Oct.", ("2025-10-01", "2025-10-31", "month")),
        ("October-November 2025", ("2025-10-01", "2025-11-30", "month")),
        ("last month", ("2025-11-01", "2025-11-30", "month")),
        ("2025", ("2025-01-01", "2025-12-31", "year")),
        ("in 2022", ("2022-01-01", "2022-12-31", "year")),
        ("next year", ("2026-01-01", "2026-12-31", "year")),
        # relative to the publication date (a Wednesday)
        ("yesterday", ("2025-12-09", "2025-12-09", "day")),
        ("today", ("2025-12-10", "2025-12-10", "day")),
        ("on Thursday", ("2025-12-04", "2025-12-04", "day")),
        ("last Thursday", ("2025-12-04", "2025-12-04", "day")),
        ("Wednesday", ("2025-12-10", "2025-12-10", "day")),
        ("last Wednesday", ("2025-12-03", "2025-12-03", "day")),
        ("next Monday", ("2025-12-15", "2025-12-15", "day")),
    ],
)
def test_written_dates(text: str, expected: tuple[str, str, DatePrecision]) -> None:
    assert normalise_date(text, PUBLISHED) == _interval(*expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the year whose interval is nearest the publication date
        ("late October", ("2025-10-21", "2025-10-31", "part_of_month")),
        ("early December", ("2025-12-01", "2025-12-10", "part_of_month")),
        ("January", ("2026-01-01", "2026-01-31", "month")),
        ("January 3", ("2026-01-03", "2026-01-03", "day")),
        ("February 29", ("2024-02-29", "2024-02-29", "day")),
    ],
)
def test_year_is_inferred_from_the_publication_date(
    text: str, expected: tuple[str, str, DatePrecision]
) -> None:
    assert normalise_date(text, PUBLISHED) == _interval(*expected)


def test_year_inference_looks_back_early_in_the_year() -> None:
    assert normalise_date("late December", date(2026, 1, 8)) == _interval(
        "2025-12-21", "2025-12-31", "part_of_month"
    )


@pytest.mark.parametrize(
    ("text", "precision"),
    [
        ("late October", "part_of_month"),
        ("October 29 and 30", "days"),
        ("October 29", "day"),
        ("October", "month"),
        ("on Thursday", "day"),
        ("yesterday", "day"),
        ("last month", "month"),
    ],
)
def test_without_publication_date_only_the_precision_is_known(
    text: str, precision: DatePrecision
) -> None:
    assert normalise_date(text, None) == DateInterval(None, None, precision)


def test_a_written_year_needs_no_publication_date() -> None:
    assert normalise_date("29 October 2025", None) == _interval("2025-10-29", "2025-10-29", "day")


def test_a_date_inside_a_sentence_is_found() -> None:
    sentence = "The meetings in Moscow were held on October 29 and 30."
    assert normalise_date(sentence, PUBLISHED) == _interval("2025-10-29", "2025-10-30", "days")


def test_an_unreadable_date_falls_back_to_the_date_inside_it() -> None:
    interval = normalise_date("the second weekend of October", PUBLISHED)
    assert interval == _interval("2025-10-01", "2025-10-31", "month")


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("the last week of October", "2025-10-21", "2025-10-31"),
        ("am Donnerstag", "2025-12-04", "2025-12-04"),
        ("im Juli", "2025-07-01", "2025-07-31"),
        ("26. Oktober 2024", "2024-10-26", "2024-10-26"),
        ("Anfang der Woche", "2025-12-08", "2025-12-10"),
        ("с 26 по 28 октября", "2025-10-26", "2025-10-28"),
        ("в четверг, 26 октября", "2025-10-26", "2025-10-26"),
        ("25 से 29 अक्टूबर", "2025-10-25", "2025-10-29"),
        ("मंगलवार", "2025-12-09", "2025-12-09"),
        ("ayer", "2025-12-09", "2025-12-09"),
        ("a finales de octubre", "2025-10-21", "2025-10-31"),
        ("du 12 au 16 septembre", "2025-09-12", "2025-09-16"),
        ("mi-octobre", "2025-10-11", "2025-10-20"),
        ("le mois dernier", "2025-11-01", "2025-11-30"),
        ("last week", "2025-12-01", "2025-12-07"),
        ("this week", "2025-12-08", "2025-12-14"),
        ("earlier this week", "2025-12-08", "2025-12-09"),
        ("late last night", "2025-12-09", "2025-12-09"),
        ("ce soir", "2025-12-10", "2025-12-10"),
    ],
)
def test_dates_in_other_languages_and_relative_periods(
    text: str, earliest: str, latest: str
) -> None:
    interval = normalise_date(text, PUBLISHED)  # a Wednesday, 10 December 2025
    assert (interval.earliest, interval.latest) == (
        date.fromisoformat(earliest),
        date.fromisoformat(latest),
    )


def test_a_bare_weekday_of_something_to_come_is_the_next_one() -> None:
    assert normalise_date("Freitag", PUBLISHED).earliest == date(2025, 12, 5)
    assert normalise_date("Freitag", PUBLISHED, future=True).earliest == date(2025, 12, 12)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "nonsense",
        "recently",
        "29 and 30",
        "this Thursday",
        "February 30",
        "February 29, 2025",
        "October 30 - October 29",
        "2025-13-01",
        # month names in prose count only when capitalised
        "they may become reluctant to share technology",
    ],
)
def test_unparseable_text_is_unknown(text: str) -> None:
    assert normalise_date(text, PUBLISHED) == DateInterval(None, None, "unknown")


@pytest.mark.parametrize("published", [date.min, date.max, date(1, 1, 2), date(9999, 12, 30)])
@pytest.mark.parametrize(
    "text", ["yesterday", "tomorrow", "last Monday", "next Sunday", "January", "December"]
)
def test_dates_at_the_ends_of_the_calendar_do_not_raise(text: str, published: date) -> None:
    interval = normalise_date(text, published)
    assert interval.precision in {"day", "month", "unknown"}


# Pieces of dates to build plausible and implausible date texts from.
WORDS = st.sampled_from(
    [
        "October",
        "oct.",
        "29",
        "30th",
        "2025",
        "-",
        "\u2013",
        "and",
        "to",
        "late",
        "early",
        "mid-",
        "the",
        "end",
        "of",
        "first",
        "half",
        "Thursday",
        "last",
        "next",
        "this",
        "yesterday",
        "month",
        "year",
        ",",
        "2025-10-29",
        "0000",
        "99",
        "Feb",
    ]
)


@given(st.text() | st.lists(WORDS, max_size=8).map(" ".join), st.none() | st.dates())
def test_never_raises_and_intervals_are_ordered(text: str, published: date | None) -> None:
    interval = normalise_date(text, published)
    if interval.earliest is not None and interval.latest is not None:
        assert interval.earliest <= interval.latest
    assert (interval.earliest is None) == (interval.latest is None)
    if interval.precision == "unknown":
        assert interval.earliest is None


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9000, 12, 31)))
def test_inferred_interval_is_nearest_the_publication_date(published: date) -> None:
    interval = normalise_date("late October", published)
    assert interval.earliest is not None
    assert interval.latest is not None
    assert interval.earliest.year in {published.year - 1, published.year, published.year + 1}
    assert abs((interval.earliest - published).days) <= 366


# --- intervals ------------------------------------------------------------------------------


def _d(text: str) -> date:
    return date.fromisoformat(text)


def test_interval_bounds_are_open_where_missing() -> None:
    assert Interval.of(None, None) is None
    open_start = Interval.between(None, _d("2025-10-30"))
    assert (open_start.start, open_start.end) == (date.min, _d("2025-10-30"))
    assert (open_start.earliest, open_start.latest) == (None, _d("2025-10-30"))
    assert Interval.of(_d("2025-12-01"), None) == Interval(_d("2025-12-01"), date.max)
    assert Interval.of(_d("2025-12-02"), _d("2025-12-01")) is not None
    assert Interval(_d("2025-12-02"), _d("2025-12-01")).empty


def test_interval_overlap_within_intersection() -> None:
    october = Interval(_d("2025-10-01"), _d("2025-10-31"))
    late = Interval(_d("2025-10-21"), _d("2025-10-31"))
    november = Interval(_d("2025-11-01"), _d("2025-11-30"))
    assert late.within(october) and not october.within(late)
    assert october.overlaps(late) and not october.overlaps(november)
    assert october.intersection(late) == late
    assert october.intersection(november).empty
    from_december = Interval.between(_d("2025-12-01"), None)
    assert from_december.intersection(Interval.between(None, _d("2025-12-10"))) == Interval(
        _d("2025-12-01"), _d("2025-12-10")
    )
    assert sorted([november, late, october]) == [october, late, november]


@pytest.mark.parametrize(
    ("earliest", "latest", "iso"),
    [
        ("2025-10-29", "2025-10-29", "2025-10-29"),
        ("2025-10-29", "2025-10-30", "2025-10-29..2025-10-30"),
        ("2025-12-01", None, "2025-12-01..?"),
        (None, "2025-12-01", "?..2025-12-01"),
        (None, None, "?..?"),
    ],
)
def test_iso_interval(earliest: str | None, latest: str | None, iso: str) -> None:
    def day(text: str | None) -> date | None:
        return None if text is None else _d(text)

    assert iso_interval(day(earliest), day(latest)) == iso
