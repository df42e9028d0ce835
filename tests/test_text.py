"""Text normalisation: each function keeps the behaviour of the caller it was taken from."""

from __future__ import annotations

import pytest

from summarise.text import (
    folded,
    label_ids,
    label_tokens,
    name_key,
    name_slug,
    name_tokens,
    words,
)


def test_words_are_case_folded_word_runs() -> None:
    assert words("Adani's DEFENCE, 2025!") == ["adani", "s", "defence", "2025"]


def test_folded_collapses_case_and_whitespace() -> None:
    assert folded("  Ashish \n RAJVANSHI ") == "ashish rajvanshi"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("The Adani Group.", "adani group"),
        ("L&T", "l&t"),
        ("a Delegation of an  Institute", "delegation of institute"),
        ("Bharat-Forge", "bharat forge"),
    ],
)
def test_name_key(name: str, key: str) -> None:
    assert name_key(name) == key


def test_name_tokens_read_ampersands_and_drop_possessives() -> None:
    assert name_tokens("Larsen & Toubro's") == ["larsen", "and", "toubro"]
    assert name_tokens("snake_case name") == ["snake", "case", "name"]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Larsen & Toubro", "larsen-and-toubro"),
        ("Adani Defence's", "adani-defence"),
        ("!!!", "entity"),
        ("x" * 70, "x" * 60),
    ],
)
def test_name_slug(name: str, slug: str) -> None:
    assert name_slug(name) == slug


def test_label_ids_are_unique_in_order_and_differ_from_entity_slugs() -> None:
    assert label_ids("topic", ["Spare parts", "spare parts", "???"]) == [
        "topic-spare-parts",
        "topic-spare-parts-2",
        "topic-item",
    ]
    # Two slug rules, kept apart because ids in existing merged reports depend on them.
    assert label_ids("topic", ["Larsen & Toubro"]) == ["topic-larsen-toubro"]
    assert label_ids("topic", ["snake_case"]) == ["topic-snake_case"]
    assert name_slug("snake_case") == "snake-case"


@pytest.mark.parametrize(
    ("label", "synonyms", "tokens"),
    [
        ("The Russian trips", False, ("russia", "trip")),
        ("The Russian trips", True, ("russia", "visit")),
        ("India\u2019s talks with the press", True, ("india", "meeting", "press")),
        ("Sanctions on Indian firms", False, ("firm", "india", "sanction")),
    ],
)
def test_label_tokens(label: str, synonyms: bool, tokens: tuple[str, ...]) -> None:
    assert label_tokens(label, synonyms=synonyms) == tokens
