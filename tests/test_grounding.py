"""Tests for aligning the model's quotes to the article text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from summarise.grounding import FUZZY_THRESHOLD, Span, ground, locate, sentences

ARTICLES = Path(__file__).resolve().parents[1] / "examples" / "articles"

# Characters that exercise normalisation: case folds that change length ("ß" -> "ss",
# "İ" -> "i̇"), curly quotes, dashes, an ellipsis and assorted whitespace.
SPECIAL = "aAbBzZ \u00df\u0130\u1e9e\u2019\u201c\u201d'\"-\u2013\u2014\u2026.,\n\t\u00a0\u2003"
TEXTS = st.text(alphabet=st.sampled_from(SPECIAL) | st.characters(), max_size=80)

SAME_NORMALISATION = {
    "'": "'\u2018\u2019\u201a\u201b\u2032\u2035",
    '"': '"\u201c\u201d\u201e\u201f\u2033\u2036',
    "-": "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212",
}
WHITESPACE = " \t\n\r\u00a0\u2003\u3000"


def _article(name: str) -> str:
    path = ARTICLES / f"india-russia-defence-meetings-{name}.json"
    text: str = json.loads(path.read_text(encoding="utf-8"))["text"]
    return text


def _reference_normalise(text: str) -> str:
    """An independent, character-by-character statement of what normalisation means."""
    folded: list[str] = []
    for char in text:
        for target, variants in SAME_NORMALISATION.items():
            if char in variants:
                char = target
        folded.append("..." if char == "\u2026" else char.casefold())
    return " ".join("".join(folded).split())


def _assert_span(span: Span | None, text: str) -> None:
    assert span is not None
    assert 0 <= span.start < span.end <= len(text)


@pytest.fixture(scope="module")
def article_a() -> str:
    return _article("a")


@pytest.fixture(scope="module")
def article_b() -> str:
    return _article("b")


def test_exact_quote_is_found_where_it_stands(article_a: str) -> None:
    quote = "Adani Defence was represented by its CEO, Ashish Rajvanshi."
    span = locate(quote, article_a)
    assert span == Span(article_a.index(quote), article_a.index(quote) + len(quote), "exact", 100)


def test_exact_match_ignores_surrounding_whitespace(article_a: str) -> None:
    span = locate("  Bharat Forge \n", article_a)
    _assert_span(span, article_a)
    assert span is not None
    assert article_a[span.start : span.end] == "Bharat Forge"
    assert span.alignment == "exact"


def test_straight_apostrophe_matches_curly_one(article_a: str) -> None:
    span = locate("Russian President Vladimir Putin's visit to India", article_a)
    _assert_span(span, article_a)
    assert span is not None
    assert span.alignment == "normalised"
    assert (
        article_a[span.start : span.end] == "Russian President Vladimir Putin\u2019s visit to India"
    )


def test_case_and_whitespace_are_normalised(article_b: str) -> None:
    span = locate("the SIDM  represents\nOVER 500 companies", article_b)
    _assert_span(span, article_b)
    assert span is not None
    assert span.alignment == "normalised"
    assert article_b[span.start : span.end] == "The SIDM represents over 500 companies"


def test_dash_variants_are_normalised(article_b: str) -> None:
    span = locate("Putin\u2019s trip to New Delhi on December 4\u20135", article_b)
    _assert_span(span, article_b)
    assert span is not None
    assert span.alignment == "normalised"
    assert article_b[span.start : span.end] == "Putin\u2019s trip to New Delhi on December 4-5"


def test_trailing_punctuation_and_quote_marks_are_dropped(article_b: str) -> None:
    span = locate('"The meetings in Moscow were held on October 29 and 30!"', article_b)
    _assert_span(span, article_b)
    assert span is not None
    assert span.alignment == "normalised"
    assert (
        article_b[span.start : span.end] == "The meetings in Moscow were held on October 29 and 30"
    )


def test_ellipsis_matches_three_dots() -> None:
    text = "He paused\u2026 then went on."
    span = locate("paused... THEN", text)
    assert span == Span(3, 15, "normalised", 100)
    assert text[3:15] == "paused\u2026 then"


@pytest.mark.parametrize(
    ("text", "quote", "expected"),
    [
        ("\u0130\u0130 Moscow talks", "moscow TALKS", "Moscow talks"),
        ("in \u0130stanbul today", "IN i\u0307STANBUL", "in \u0130stanbul"),
        ("Die Stra\u00dfe in Moskau", "STRASSE IN", "Stra\u00dfe in"),
        # the first whole image of "ss" is the sharp s
        ("gro\u00df gross", "SS", "\u00df"),
        ("\u00df gross", "S", "s"),
    ],
)
def test_case_folds_that_change_length_keep_offsets(text: str, quote: str, expected: str) -> None:
    span = locate(quote, text)
    _assert_span(span, text)
    assert span is not None
    assert text[span.start : span.end] == expected


def test_one_word_changed_is_found_fuzzily(article_a: str) -> None:
    source = (
        "The meetings took place on the sidelines of an official visit by an Indian "
        "defence-industrial delegation to Moscow in late October"
    )
    span = locate(source.replace("official visit", "official trip"), article_a)
    _assert_span(span, article_a)
    assert span is not None
    assert span.alignment == "fuzzy"
    assert FUZZY_THRESHOLD <= span.score < 100
    assert article_a[span.start : span.end] == source


def test_dropped_word_is_found_fuzzily_without_cutting_words(article_b: str) -> None:
    span = locate(
        "Western governments worry that if India continues to strengthen cooperation with "
        "Moscow, they may become reluctant to technology",
        article_b,
    )
    _assert_span(span, article_b)
    assert span is not None
    assert span.alignment == "fuzzy"
    found = article_b[span.start : span.end]
    assert found.startswith("Western governments worry")
    assert found.endswith("reluctant to share technology")


@pytest.mark.parametrize(
    "quote",
    [
        "Reliance Industries also sent executives to the talks in St Petersburg.",
        "The defence ministry confirmed the delegation signed three contracts in Moscow.",
        # most words shared with a real sentence, but the date itself is invented
        "The meetings in Moscow were held on November 12 and 13.",
        "Tata Sons denied that its executives travelled to Moscow.",
    ],
)
def test_invented_sentence_is_not_found(article_a: str, article_b: str, quote: str) -> None:
    assert locate(quote, article_a) is None
    assert locate(quote, article_b) is None


@pytest.mark.parametrize("quote", ["", "   ", "\n\t", '""', "..."])
def test_empty_quote_is_not_found(article_a: str, quote: str) -> None:
    assert locate(quote, article_a) is None


def test_misspelt_name_is_found_fuzzily(article_a: str) -> None:
    span = locate("Adani Defense", article_a)
    assert span is not None
    assert span.alignment == "fuzzy"
    assert article_a[span.start : span.end] == "Adani Defence"


def test_short_quote_is_not_matched_fuzzily(article_a: str) -> None:
    assert locate("Bharat Frge", article_a) is None


def test_quote_at_the_end_of_a_two_megabyte_text(article_a: str, article_b: str) -> None:
    tail = "A closing line with \u201ccurly quotes\u201d and a \u2014 dash."
    text = ((article_a + "\n" + article_b) * 300)[: 2_000_000 - len(tail)] + tail
    span = locate('WITH "curly quotes" AND A - DASH', text)
    assert span == Span(len(text) - len(tail) + 15, len(text) - 1, "normalised", 100)


def test_ground_exact(article_a: str) -> None:
    quote = "Bharat Forge"
    ev = ground(quote, article_a, "a")
    assert ev.alignment == "exact"
    assert ev.start == article_a.index(quote)
    assert ev.quote == quote
    assert ev.model_quote is None


def test_ground_keeps_the_model_quote_when_it_differs(article_a: str) -> None:
    ev = ground("putin's visit to india", article_a, "a")
    assert ev.alignment == "normalised"
    assert ev.start is not None
    assert ev.end is not None
    assert ev.quote == article_a[ev.start : ev.end] == "Putin\u2019s visit to India"
    assert ev.model_quote == "putin's visit to india"


def test_ground_with_offset_points_into_the_full_text(article_b: str) -> None:
    offset = article_b.index("When Did These Meetings Happen?")
    ev = ground(
        "Sanjiv Kumar, the DEFENCE production secretary", article_b[offset:], "b", offset=offset
    )
    assert ev.start is not None
    assert ev.end is not None
    assert ev.start > offset
    assert (
        article_b[ev.start : ev.end] == ev.quote == "Sanjiv Kumar, the defence production secretary"
    )


def test_ground_not_found_keeps_the_quote_without_offsets(article_a: str) -> None:
    quote = "Reliance Industries also sent executives to the talks in St Petersburg."
    ev = ground(quote, article_a, "a")
    assert ev.alignment == "not_found"
    assert not ev.aligned
    assert (ev.quote, ev.start, ev.end, ev.model_quote) == (quote, None, None, None)


@given(TEXTS, st.data())
def test_any_substring_is_found_exactly(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    quote = text[start:end]
    span = locate(quote, text)
    if not quote.strip():
        assert span is None
        return
    _assert_span(span, text)
    assert span is not None
    assert span.alignment == "exact"
    assert text[span.start : span.end] == quote.strip()


def _perturb(char: str, data: st.DataObject) -> str:
    """`char` or something that normalises the same: case, quote mark, dash, whitespace."""
    for variants in SAME_NORMALISATION.values():
        if char in variants:
            return data.draw(st.sampled_from(variants))
    if char.isspace():
        return data.draw(st.text(st.sampled_from(WHITESPACE), min_size=1, max_size=3))
    changed = data.draw(st.sampled_from([char, char.upper(), char.lower()]))
    return changed if changed.casefold() == char.casefold() else char


@given(TEXTS, st.data())
def test_perturbed_substring_is_found_normalised(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    quote = "".join(_perturb(char, data) for char in text[start:end])
    span = locate(quote, text)
    if not _reference_normalise(quote):
        assert span is None
        return
    _assert_span(span, text)
    assert span is not None
    assert span.alignment in {"exact", "normalised"}
    assert _reference_normalise(text[span.start : span.end]) == _reference_normalise(quote)


@given(TEXTS, TEXTS, st.integers(0, 1000))
def test_any_quote_is_aligned_within_the_text_or_not_found(
    quote: str, text: str, offset: int
) -> None:
    span = locate(quote, text)
    if span is not None:
        assert 0 <= span.start < span.end <= len(text)
    ev = ground(quote, text, "s", offset=offset)
    assert ev.aligned == (span is not None)
    if ev.start is not None and ev.end is not None:
        full = "x" * offset + text
        assert full[ev.start : ev.end] == ev.quote


@given(st.data())
def test_fuzzy_spans_do_not_cut_words(data: st.DataObject) -> None:
    text = _article("a")
    words = text.split()
    start = data.draw(st.integers(0, len(words) - 12))
    quote = words[start : start + data.draw(st.integers(3, 12))]
    quote[data.draw(st.integers(0, len(quote) - 1))] = data.draw(
        st.sampled_from(["alpha", "Russia", "the", "zzz"])
    )
    span = locate(" ".join(quote), text)
    if span is not None and span.alignment == "fuzzy":
        assert FUZZY_THRESHOLD <= span.score <= 100
        assert span.start == 0 or not text[span.start - 1].isalnum()
        assert span.end == len(text) or not text[span.end].isalnum()


# --- sentences ------------------------------------------------------------------------------


def test_sentences_split_at_ends_but_not_after_titles_or_initials() -> None:
    text = (
        "Headline Without A Stop\nMr. Kumar met S. Rao in Moscow. Talks went on! "
        '"Was it wise?" he asked. The U.S. official left.\n\nDone'
    )
    found = [text[s:e] for s, e in sentences(text)]
    assert found == [
        "Headline Without A Stop",
        "Mr. Kumar met S. Rao in Moscow.",
        "Talks went on!",
        '"Was it wise?" he asked.',
        "The U.S. official left.",
        "Done",
    ]


@given(st.text(alphabet=st.sampled_from("ab .!?\n\"'AB1"), max_size=200))
def test_sentences_cover_every_visible_character_once_in_order(text: str) -> None:
    spans = sentences(text, offset=5)
    covered = [i for s, e in spans for i in range(s - 5, e - 5)]
    assert covered == sorted(set(covered))  # ordered, no overlap
    assert {i for i, c in enumerate(text) if not c.isspace()} <= set(covered)
    for s, e in spans:
        piece = text[s - 5 : e - 5]
        assert piece and piece == piece.strip()
