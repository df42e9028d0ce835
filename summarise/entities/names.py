"""Normalise and parse written names: noise, titles, legal suffixes, acronyms, name keys.

"Executives from the Bharat Forge Ltd." and "BHARAT FORGE" get one key; the resolution
(`resolution`) compares names only by what this module makes of them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..text import name_tokens

__all__ = ["GENERIC", "Parsed", "alias_keys", "initialism", "listed_names", "parse"]

_STOPWORDS = frozenset({"and", "of", "the", "for", "in", "on", "at", "to"})
_LEGAL_SUFFIXES = frozenset(
    {
        "ltd", "limited", "pvt", "private", "inc", "incorporated", "corp", "corporation",
        "co", "company", "llc", "plc", "gmbh", "ag", "sa", "jsc", "pjsc", "ojsc", "ooo",
        "llp", "lp", "nv", "bv", "pte", "pty", "srl", "spa",
    }
)  # fmt: skip
_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "shri", "sri", "smt"})
_PERSON_TITLES = _HONORIFICS | frozenset(
    {
        "prof", "professor", "sir", "dame", "kumari", "hon", "honourable", "lt", "lieutenant",
        "gen", "general", "maj", "major", "col", "colonel", "brig", "brigadier", "capt",
        "captain", "cdr", "commander", "adm", "admiral", "air", "marshal", "chief", "vice",
        "rear", "president", "prime", "minister", "secretary", "ceo", "chairman",
        "chairperson", "md", "director", "ambassador", "deputy", "defence", "production",
    }
)  # fmt: skip
# Words that name no one on their own: a one-word short form made of one is never matched.
GENERIC = frozenset(
    {
        "group", "company", "companies", "firm", "firms", "india", "indian", "russia",
        "russian", "defence", "defense", "ministry", "government", "delegation",
        "executives", "officials", "startups", "systems", "industries", "society",
        "national", "international", "corporation", "services", "technologies",
    }
)  # fmt: skip

_TYPOGRAPHY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_ROLE_WORDS = (
    r"executives?|representatives?|officials?|spokes(?:person|persons|people|man|men|woman|women)"
    r"|delegates?|members?|staff|employees?|officers?|leaders?|heads?|teams?"
)
_NOISE_HEAD = re.compile(
    r"^(?:m/s\.?\s+)?(?:(?:the|a|an|some|several|senior|top|other|two|three)\s+)*"
    rf"(?:(?:{_ROLE_WORDS})\s+(?:from|of|for|at|with|associated\s+with|representing)\s+)?"
    r"(?:the\s+)?",
    re.IGNORECASE,
)
_NOISE_TAIL = re.compile(rf"(?:'s)?\s+(?:{_ROLE_WORDS}|management)\s*$", re.IGNORECASE)
_POSSESSIVE_END = re.compile(r"'s?\s*$")
_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)")
_SPLIT = re.compile(r"\s*(?:,|;|/|&|\band\b)\s*", re.IGNORECASE)


def listed_names(display: str) -> list[str]:
    """The names a written name lists ("Adani Defence and Bharat Forge", "X, Y"), or itself."""
    return _SPLIT.split(display)


@dataclass(frozen=True)
class Parsed:
    """A written name normalised: its key, tokens, the name shown, and acronyms it has."""

    key: str
    tokens: tuple[str, ...]
    display: str
    initialism: str | None
    acronyms: frozenset[str]
    acronym_aliases: tuple[str, ...]


def _clean(name: str) -> str:
    """The name without noise around it ("the", "executives from", "'s spokespeople")."""
    text = " ".join(unicodedata.normalize("NFKC", name).translate(_TYPOGRAPHY).split())
    for _ in range(2):
        text = _NOISE_HEAD.sub("", text, count=1)
        tail = _NOISE_TAIL.search(text)
        if tail and tail.start() > 0 and not set(name_tokens(text[: tail.start()])) <= GENERIC:
            text = text[: tail.start()]
        text = _POSSESSIVE_END.sub("", text).strip(" ,;:")
    return text


def initialism(display: str) -> str | None:
    """The acronym a name written as one is ("SIDM" -> "sidm", "L&T" -> "l&t"), else None."""
    letters = [c for c in display if c.isalnum()]
    if (
        (3 <= len(letters) <= 8 or (len(letters) == 2 and "&" in display))
        and all(c.isupper() or c.isdigit() for c in letters)
        and sum(c.isalpha() for c in letters) >= 2
        and not any(c.isspace() for c in display)
    ):
        return "".join(letters).casefold()
    return None


def parse(name: str, person: bool) -> Parsed:
    """A written name normalised as a person's (titles dropped) or an organisation's
    (legal suffixes dropped), with the acronyms it can be written as."""
    display = _clean(name)
    aliases: list[str] = []

    def _keep_acronym(match: re.Match[str]) -> str:
        if initialism(match.group(1).strip()):
            aliases.append(match.group(1).strip())
        return ""

    display = _PARENTHESIS.sub(_keep_acronym, display).strip()
    if person:
        display = display.split(",")[0].strip()
    raw = name_tokens(display)
    titles = _PERSON_TITLES if person else _HONORIFICS
    while len(raw) > 1 and raw[0] in titles:
        raw.pop(0)
    if person:
        display = _strip_titles(display, len(name_tokens(display)) - len(raw))
    while raw and raw[0] == "the":
        raw.pop(0)
    words = [t for t in raw if t not in _STOPWORDS]
    if len(words) > 1 and all(len(t) == 1 for t in words):
        raw = words = ["".join(words)]
    stripped = list(raw)
    while not person and len(stripped) > 1 and stripped[-1] in _LEGAL_SUFFIXES:
        stripped.pop()
    tokens = tuple(t for t in stripped if t not in _STOPWORDS)
    key = " ".join(stripped) or name.casefold().strip() or "(unnamed)"
    acronyms: set[str] = set()
    if not person and len(tokens) > 1:
        acronyms.add("".join(t[0] for t in tokens))
        acronyms.add("".join(t[0] for t in stripped))
        acronyms.add("".join(t[0] for t in words))
    return Parsed(
        key=key,
        tokens=tokens or (key,),
        display=display or name.strip(),
        initialism=None if person else initialism(display),
        acronyms=frozenset(a for a in acronyms if len(a) > 1),
        acronym_aliases=tuple(aliases),
    )


def _strip_titles(display: str, count: int) -> str:
    words = display.split()
    dropped = 0
    while dropped < count and words:
        dropped += len(name_tokens(words.pop(0)))
    return " ".join(words)


def alias_keys(name: str) -> set[str]:
    """The keys an alias-file name matches: as an organisation and as a person."""
    return {parse(name, person=False).key, parse(name, person=True).key}
