"""Read the number a key figure states ("About 36%", "more than 500", "$1.2 billion", "a third").

Pure and deterministic: the merge compares figures by the number, unit and bound read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["Bound", "Number", "read_number"]

Bound = Literal["exact", "at_least", "at_most"]


@dataclass(frozen=True)
class Number:
    """A figure read from its text: the number, its unit, and the bound the text puts on it."""

    value: float
    unit: str | None
    bound: Bound

    @property
    def range(self) -> tuple[float, float]:
        """The values the text allows: one point, or open above ("more than") or below."""
        low = self.value if self.bound != "at_most" else float("-inf")
        high = self.value if self.bound != "at_least" else float("inf")
        return low, high

    def text(self) -> str:
        """The number as shown in a merged report: '36%', 'USD 1,200,000,000', '500'."""
        number = f"{self.value:,.2f}".rstrip("0").rstrip(".")
        if self.unit == "%":
            return number + "%"
        return f"{self.unit} {number}" if self.unit else number


_FRACTIONS = {
    "half": 50.0,
    "a third": 100 / 3,
    "one third": 100 / 3,
    "two thirds": 200 / 3,
    "a quarter": 25.0,
    "one quarter": 25.0,
    "three quarters": 75.0,
    "a fifth": 20.0,
    "one fifth": 20.0,
    "a tenth": 10.0,
}
_NUMBER_WORDS = {
    "zero": 0.0, "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0, "six": 6.0,
    "seven": 7.0, "eight": 8.0, "nine": 9.0, "ten": 10.0, "eleven": 11.0, "twelve": 12.0,
    "dozen": 12.0, "fifteen": 15.0, "twenty": 20.0, "thirty": 30.0, "forty": 40.0,
    "fifty": 50.0, "hundred": 100.0,
}  # fmt: skip
_SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "lakh": 1e5,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "crore": 1e7,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
}
_CURRENCIES = {
    "$": "USD",
    "usd": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "€": "EUR",
    "eur": "EUR",
    "euros": "EUR",
    "₹": "INR",
    "rs": "INR",
    "inr": "INR",
    "rupees": "INR",
    "£": "GBP",
    "gbp": "GBP",
}
_AT_LEAST = re.compile(r"\b(more than|over|at least|above|upwards of|in excess of)\b")
_AT_MOST = re.compile(r"\b(less than|fewer than|under|up to|at most|below)\b")
_NUMERAL = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(%|per ?cent\b)?\s*([a-z]+)?")
_WORD_NUMBER = re.compile(r"\b(" + "|".join(_FRACTIONS) + "|" + "|".join(_NUMBER_WORDS) + r")\b")


def read_number(text: str) -> Number | None:
    """The number a figure states ('About 36%', 'more than 500', '$1.2 billion', 'a third');
    None when the text holds none."""
    lowered = " ".join(text.casefold().replace("-", " ").split())
    bound: Bound = "exact"
    if _AT_LEAST.search(lowered):
        bound = "at_least"
    elif _AT_MOST.search(lowered):
        bound = "at_most"
    unit = next((code for sign, code in _CURRENCIES.items() if _has_word(lowered, sign)), None)
    numeral = _NUMERAL.search(lowered)
    if numeral:
        value = float(numeral.group(1).replace(",", ""))
        if numeral.group(2):
            return Number(value, "%", bound)
        value *= _SCALES.get(numeral.group(3) or "", 1.0)
        return Number(value, unit, bound)
    word = _WORD_NUMBER.search(lowered)
    if word is None:
        return None
    if word.group(1) in _FRACTIONS:
        return Number(_FRACTIONS[word.group(1)], "%", bound)
    return Number(_NUMBER_WORDS[word.group(1)], unit, bound)


def _has_word(text: str, sign: str) -> bool:
    return sign in text if not sign.isalpha() else re.search(rf"\b{sign}\b", text) is not None
