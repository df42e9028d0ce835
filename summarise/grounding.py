"""Align the model's quotes to the article text, so evidence offsets come from the text itself.

Quotes are matched exactly, then after normalisation (case, whitespace, quote marks, dashes),
then fuzzily; every span found is a range of the original text.
"""

from __future__ import annotations

import bisect
import functools
import re
import sys
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from summarise import models

SpanAlignment = Literal["exact", "normalised", "fuzzy"]

# rapidfuzz's `ratio` (2 * matching chars / total chars, 0-100) between the normalised quote
# and the normalised span returned. Measured on the reference articles: 345 sentences with one
# word substituted, inserted or dropped score 83-99 against their source (the 4 misses are
# headings of 4-5 words), while invented sentences about the same subject score at most about
# 70, unless they share most of their words with a sentence of the article ("held on November
# 12 and 13" for "October 29 and 30": 90), which `_few_word_edits` rejects. 80 keeps one-word
# slips and drops stretches that merely look alike.
FUZZY_THRESHOLD: float = 80.0

# Fuzzy matching is only tried for quotes at least this long once normalised: below it, chance
# alignments between unrelated short strings score as high as real matches with one slip.
FUZZY_MIN_CHARS = 12

# How far (in normalised characters) the ends of a fuzzy span may move from where rapidfuzz's
# fixed-width alignment put them while looking for the best-scoring word-bounded span.
_FUZZY_SLACK = 40

# Characters replaced by one character each, so source and normalised indices still agree.
_ONE_TO_ONE = {
    # curly, low and reversed single quotes, prime, reversed prime
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2035", "'"),
    # curly, low and reversed double quotes, double prime, reversed double prime
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u2036", '"'),
    # hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
}
_TRAILING_PUNCTUATION = ".,;:!?"
_QUOTE_MARKS = "'\""
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Span:
    """Where a quote stands in a text: `text[start:end]`, and how it was matched."""

    start: int
    end: int
    alignment: SpanAlignment
    score: float


@dataclass(frozen=True)
class _Normalised:
    """A normalised text plus a piecewise map from its indices back to the source's.

    Segment k starts at normalised index `norm_starts[k]` and source index `src_starts[k]`;
    within it, normalised index i maps to `src_starts[k] + steps[k] * (i - norm_starts[k])`
    (step 1 for copied text, 0 for a replacement such as a whitespace run or an ellipsis).
    """

    text: str
    norm_starts: list[int]
    src_starts: list[int]
    steps: list[int]

    def source_index(self, i: int) -> int:
        k = bisect.bisect_right(self.norm_starts, i) - 1
        return self.src_starts[k] + self.steps[k] * (i - self.norm_starts[k])

    def is_boundary(self, i: int) -> bool:
        """Whether normalised index `i` falls between the images of two source characters."""
        if i >= len(self.text):
            return True
        k = bisect.bisect_right(self.norm_starts, i) - 1
        return self.steps[k] == 1 or i == self.norm_starts[k]

    def find(self, needle: str) -> int:
        """The first occurrence of `needle` that cuts no source character's image in two.

        So "s" is not found in "ß" (whose image is "ss"); -1 when there is none.
        """
        found = self.text.find(needle)
        while found >= 0:
            if self.is_boundary(found) and self.is_boundary(found + len(needle)):
                return found
            found = self.text.find(needle, found + 1)
        return -1

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The source range covering normalised characters `start` to `end` (exclusive)."""
        return self.source_index(start), self.source_index(end - 1) + 1


@functools.cache
def _replaced() -> re.Pattern[str]:
    """What normalisation rewrites with a change of length: whitespace, ellipsis, long folds."""
    expanding = "".join(chr(c) for c in range(sys.maxunicode + 1) if len(chr(c).casefold()) != 1)
    # Runs of whitespace other than a single space; charsets first keep the scan fast.
    return re.compile(r"[^\S ]\s*| \s+|[\u2026" + re.escape(expanding) + "]")


def _replacement(match: str) -> str:
    if match.isspace():
        return " "
    if match == "\u2026":
        return "..."
    return match.casefold()


def _normalise(text: str) -> _Normalised:
    pieces: list[str] = []
    norm_starts: list[int] = []
    src_starts: list[int] = []
    steps: list[int] = []
    length = 0
    position = 0

    def add(piece: str, source: int, step: int) -> None:
        nonlocal length
        pieces.append(piece)
        norm_starts.append(length)
        src_starts.append(source)
        steps.append(step)
        length += len(piece)

    # str.replace per character is far faster than str.translate on long texts.
    for char, replacement in _ONE_TO_ONE.items():
        if char in text:
            text = text.replace(char, replacement)
    for match in _replaced().finditer(text):
        if match.start() > position:
            add(text[position : match.start()].casefold(), position, 1)
        add(_replacement(match.group()), match.start(), 0)
        position = match.end()
    if position < len(text) or not pieces:
        add(text[position:].casefold(), position, 1)
    return _Normalised("".join(pieces), norm_starts, src_starts, steps)


def _normalise_quote(quote: str) -> str:
    return _normalise(quote).text.strip()


def _trim(normalised_quote: str) -> str:
    """The quote without trailing punctuation or surrounding quote marks."""
    return normalised_quote.rstrip(_TRAILING_PUNCTUATION + _QUOTE_MARKS + " ").lstrip(
        _QUOTE_MARKS + " "
    )


def locate(quote: str, text: str) -> Span | None:
    """Find `quote` in `text`: exactly, then normalised, then fuzzily; None when absent."""
    stripped = quote.strip()
    if not stripped:
        return None
    start = text.find(stripped)
    if start >= 0:
        return Span(start, start + len(stripped), "exact", 100.0)

    normalised = _normalise(text)
    full = _normalise_quote(stripped)
    trimmed = _trim(full)
    for candidate in dict.fromkeys((full, trimmed)):
        if not candidate:
            continue
        found = normalised.find(candidate)
        if found >= 0:
            begin, end = normalised.source_span(found, found + len(candidate))
            return Span(begin, end, "normalised", 100.0)

    if len(trimmed) < FUZZY_MIN_CHARS:
        return None
    return _fuzzy(trimmed, normalised)


def _fuzzy(quote: str, normalised: _Normalised) -> Span | None:
    """The best word-bounded fuzzy match of a normalised quote, if it clears the threshold."""
    text = normalised.text
    rough = fuzz.partial_ratio_alignment(quote, text, score_cutoff=FUZZY_THRESHOLD - 10)
    if rough is None:
        return None
    low = max(0, rough.dest_start - _FUZZY_SLACK)
    high = min(len(text), rough.dest_end + _FUZZY_SLACK)
    words = [match.span() for match in _WORD.finditer(text, low, high)]
    starts = [s for s, _ in words if s == 0 or not _WORD.match(text, s - 1)]
    ends = [e for _, e in words if not _WORD.match(text, e)]
    best: tuple[float, int, int] | None = None
    for start in starts:
        for end in ends:
            if end <= start:
                continue
            score = fuzz.ratio(quote, text[start:end])
            if best is None or score > best[0]:
                best = (score, start, end)
    if best is None or best[0] < FUZZY_THRESHOLD:
        return None
    score, start, end = best
    if not _few_word_edits(quote, text[start:end]):
        return None
    begin, stop = normalised.source_span(start, end)
    return Span(begin, stop, "fuzzy", score)


def _few_word_edits(quote: str, found: str) -> bool:
    """Whether `found` differs from `quote` by about one word per ten (at least one word).

    Character similarity alone accepts a sentence with several words swapped when the rest
    of it is frame the article shares ("held on November 12 and 13" for "October 29 and 30").
    """
    words = _WORD.findall(quote)
    # Indel counts a changed word as two edits: one deletion plus one insertion.
    return Indel.distance(words, _WORD.findall(found)) <= max(2, len(words) // 5)


def ground(quote: str, text: str, source_id: str, *, offset: int = 0) -> models.Evidence:
    """Evidence for `quote` located in `text`, which starts at `offset` in the stored source.

    Aligned evidence satisfies `source_text[ev.start:ev.end] == ev.quote`; a quote that cannot
    be found is kept as the model wrote it, marked `not_found`, without offsets.
    """
    span = locate(quote, text)
    if span is None:
        return models.Evidence(source_id=source_id, quote=quote, alignment="not_found")
    found = text[span.start : span.end]
    return models.Evidence(
        source_id=source_id,
        quote=found,
        start=span.start + offset,
        end=span.end + offset,
        alignment=span.alignment,
        model_quote=None if found == quote else quote,
    )


# --- sentences: where extraction looks for a sentence naming an attendee -------------------

# A sentence ends at . ! or ? (then any closing quotes or brackets) before whitespace and a
# capital (Latin, accented or Cyrillic), digit or opening quote; not after a title or a
# one-letter initial ("Mr. Kumar", "S. Jaishankar", "U.S. officials").
# Devanagari's danda (U+0964) ends a sentence whatever follows: the script has no capitals.
_SENTENCE_END = re.compile(
    r"[.!?][\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018\u00ab\u201e(\[]?"
    r"[A-Z0-9\u00c0-\u00d6\u00d8-\u00de\u0401\u0410-\u042f])|[\u0964\u0965](?=\s)"
)
_NO_END_BEFORE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Maj|Capt|Adm|Sgt|St|Sr|Jr|Inc|Ltd|Co|Corp|No|vs|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z]|\.[A-Z])\.$"
)


def sentences(text: str, *, offset: int = 0) -> list[tuple[int, int]]:
    """The sentences of `text` as (start, end) spans, trimmed of surrounding whitespace.

    Lines are split apart first (headlines, bylines and paragraphs are never joined), then
    each line at sentence ends. Spans are shifted by `offset`.
    """
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for stop in _SENTENCE_END.finditer(line.group()):
            cut = line.start() + stop.end()
            if _NO_END_BEFORE.search(text[max(start, cut - 6) : cut]):
                continue
            spans.append((start, cut))
            start = cut
        spans.append((start, line.end()))
    trimmed = []
    for start, end in spans:
        piece = text[start:end]
        left = len(piece) - len(piece.lstrip())
        right = len(piece.rstrip())
        if right > left:
            trimmed.append((start + left + offset, start + right + offset))
    return trimmed
