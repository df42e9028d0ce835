"""The fault server itself: what it reads from a prompt, and in how long.

It answers in threads under the GIL: a match that is slow on some text stalls every answer
in flight beside it, which the clients then see as timeouts, so each pattern must be linear.
"""

from __future__ import annotations

import time

from .faultserver import TAG, article_in, draft_for

# A chunk of the size the extraction sends, without a single space: the worst case of the old
# quote pattern (8.9 s on this size; quadratic, so 4x the text took 16x longer), gone with the
# quotes, and of any pattern that scans each position again.
_NO_SPACE = "x" * 19_000
_BUDGET = 1.0  # seconds: linear matching takes milliseconds here


def _seconds(work: object) -> float:
    assert callable(work)
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def test_a_draft_is_made_in_linear_time_from_text_without_whitespace() -> None:
    assert _seconds(lambda: draft_for(_NO_SPACE)) < _BUDGET
    assert draft_for(_NO_SPACE)["summary"] == _NO_SPACE[:200]


def test_the_article_and_its_tag_are_found_in_linear_time() -> None:
    delimiters = "<<<ARTICLE\n" * 5_000 + _NO_SPACE  # opened again and again, never closed
    assert _seconds(lambda: article_in(delimiters)) < _BUDGET
    assert article_in(delimiters) == delimiters
    closers = _NO_SPACE + "\nARTICLE>>>" * 5_000
    assert _seconds(lambda: article_in(closers)) < _BUDGET
    assert _seconds(lambda: TAG.search("ART" * 10_000 + _NO_SPACE)) < _BUDGET


def test_the_article_is_what_lies_between_the_prompt_delimiters() -> None:
    prompt = (
        "<<<ARTICLE (published 2025-12-10)\nReference ART-k1. Text.\nARTICLE>>>\n\nFill the report."
    )
    text = article_in(prompt)
    assert text == "Reference ART-k1. Text."
    match = TAG.search(text)
    assert match is not None and match.group(1) == "k1"
    assert article_in("no delimiters") == "no delimiters"
    assert article_in("<<<ARTICLE\nARTICLE>>>") == "<<<ARTICLE\nARTICLE>>>"


def test_the_draft_names_the_party_the_test_articles_name() -> None:
    assert draft_for("Alpha Defence met them.")["attendees"][0]["name"] == "Alpha Defence"
    assert draft_for("Nobody here.")["attendees"][0]["name"] == "Example Defence Ltd"
