"""Reading the number a key figure states."""

from __future__ import annotations

import math

import pytest

from summarise.numbers import Number, read_number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("About 36%", Number(36.0, "%", "exact")),
        ("36 per cent", Number(36.0, "%", "exact")),
        ("more than 500", Number(500.0, None, "at_least")),
        ("up to 1,200", Number(1200.0, None, "at_most")),
        ("$1.2 billion", Number(1.2e9, "USD", "exact")),
        ("Rs 500 crore", Number(5e9, "INR", "exact")),
        ("about a third", Number(100 / 3, "%", "exact")),
        ("over a dozen", Number(12.0, None, "at_least")),
        ("two-thirds", Number(200 / 3, "%", "exact")),
    ],
)
def test_read_number(text: str, number: Number) -> None:
    assert read_number(text) == number


def test_no_number() -> None:
    assert read_number("several") is None


def test_ranges_and_text() -> None:
    assert Number(500.0, None, "at_least").range == (500.0, math.inf)
    assert Number(500.0, None, "at_most").range == (-math.inf, 500.0)
    assert Number(36.0, "%", "exact").text() == "36%"
    assert Number(1.2e9, "USD", "exact").text() == "USD 1,200,000,000"
    assert Number(100 / 3, "%", "exact").text() == "33.33%"
