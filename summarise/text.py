"""Text normalisation shared by the core: name keys, word tokens, label tokens, slugs and ids.

Each function keeps the exact behaviour of the caller it was taken from; where two callers
normalised subtly differently (entity slugs and merged-item ids treat ``_`` and ``&``
differently), both behaviours are kept as separately named functions, so no output changes.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

__all__ = [
    "LABEL_STOPWORDS",
    "LABEL_SYNONYMS",
    "LATIN_END",
    "WORD",
    "fold",
    "folded",
    "label_ids",
    "label_tokens",
    "name_key",
    "name_slug",
    "name_tokens",
    "words",
]

WORD = re.compile(r"\w+")
_TYPOGRAPHY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
LATIN_END = 0x250  # combining marks on code points below this are accents on Latin letters

LABEL_STOPWORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is",
        "it", "its", "of", "on", "or", "than", "that", "the", "their", "this", "to", "was",
        "were", "will", "with",
    }
)  # fmt: skip
LABEL_SYNONYMS = {
    "trip": "visit",
    "tour": "visit",
    "talk": "meeting",
    "discussion": "meeting",
    "meet": "meeting",
    "session": "meeting",
}

_SLUG_LENGTH = 60
_POSSESSIVE = re.compile(r"'s\b")
_NON_WORD = re.compile(r"[\W_]+")
_NOT_NAME_KEY = re.compile(r"[^\w&]+")
_ARTICLES = frozenset({"the", "a", "an"})


def words(text: str) -> list[str]:
    """The text's words (runs of ``\\w``), case-folded: what copy detection shingles."""
    return WORD.findall(text.casefold())


def folded(text: str) -> str:
    """The text case-folded with runs of whitespace collapsed: how gold names are compared."""
    return " ".join(text.casefold().split())


def name_key(name: str) -> str:
    """A name case-folded, punctuation but ``&`` dropped, without "the", "a", "an".

    What extraction's checks compare names by ("The Adani Group" and "adani group." agree).
    """
    key_words = _NOT_NAME_KEY.sub(" ", name.casefold()).split()
    return " ".join(w for w in key_words if w not in _ARTICLES)


def name_tokens(text: str) -> list[str]:
    """A name's tokens for entity resolution: case-folded, "&" read as "and", possessive
    "'s" dropped, split on anything not a letter or digit (``_`` included)."""
    text = _POSSESSIVE.sub("", text.casefold().replace("&", " and "))
    return _NON_WORD.sub(" ", text).split()


def name_slug(name: str) -> str:
    """An entity's id: its name tokens joined by "-" (at most 60 characters), or "entity"."""
    slug = "-".join(name_tokens(name))[:_SLUG_LENGTH].strip("-")
    return slug or "entity"


def label_tokens(text: str, *, synonyms: bool = False) -> tuple[str, ...]:
    """A label's content words, lower-cased and crudely stemmed, as a sorted tuple.

    With `synonyms`, a few words of meeting vocabulary are read as one ("trip" as "visit").
    """
    found = WORD.findall(text.casefold().replace("\u2019", "'").replace("'s", ""))
    tokens = set()
    for word in found:
        if word in LABEL_STOPWORDS:
            continue
        if word.endswith("ian") and len(word) > 5:
            word = word[:-1]  # russian -> russia, indian -> india
        elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
            word = word[:-1]
        tokens.add(LABEL_SYNONYMS.get(word, word) if synonyms else word)
    return tuple(sorted(tokens))


def label_ids(prefix: str, labels: Sequence[str]) -> list[str]:
    """Stable, unique ids ("topic-spare-parts", "topic-spare-parts-2") for labels given in
    their final order: the label's words (``\\w`` runs) joined by "-", or "item"."""
    seen: Counter[str] = Counter()
    ids = []
    for label in labels:
        found = WORD.findall(label.casefold().replace("\u2019s", "").replace("'s", ""))
        slug = "-".join(found)[:_SLUG_LENGTH].strip("-") or "item"
        base = f"{prefix}-{slug}"
        seen[base] += 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids


def fold(text: str) -> str:
    """Case-folded text with accents on Latin letters removed and typographic quotes plain.

    Other scripts keep their marks (Devanagari vowel signs are combining characters).
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_TYPOGRAPHY).casefold())
    kept: list[str] = []
    for char in decomposed:
        if unicodedata.combining(char) and kept and ord(kept[-1]) < LATIN_END:
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))
