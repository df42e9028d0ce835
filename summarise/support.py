"""Whether a sentence of the article supports a report item, decided in code, for any article.

Alignment only says a quote is in the text; support says the sentence holding it backs the
item: an attendee's sentence names the party and says it took part (a sentence that denies it
backs the *denied* side), a denial's names the denier and denies, a date's contains the date as
written, a figure's its value, a topic's or risk's shares its content words. Every verdict says
what was checked, so a reviewer can see why. The extraction cites by these verdicts, and the
review page and `summarise eval` report them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from .grounding import locate, sentences
from .lexicon import (
    ATTRIBUTION,
    DENIAL,
    GENERIC_NAME_WORDS,
    GENERIC_PARTY,
    MEMBERSHIP,
    NON_DENIAL,
    REFERENCE,
    STOPWORDS,
    TAKING_PART,
)
from .text import LATIN_END as _LATIN_END, fold

__all__ = [
    "ArticleText",
    "Judgement",
    "Party",
    "Side",
    "Verdict",
    "fold",
    "is_description",
    "judge_attendance",
    "judge_date",
    "judge_denial",
    "judge_figure",
    "judge_label",
    "judge_place",
]

Verdict = Literal["supported", "weak", "contradicts", "none"]
Side = Literal["attended", "denied"]

# Word characters, with the vowel signs of Indic scripts (combining marks, not \w to Python).
_LETTER = r"(?:[^\W_]|[\u0900-\u0dff])"
_WORD = re.compile(rf"{_LETTER}+(?:['\-]{_LETTER}+)*")
_ACRONYM_DEFINITION = re.compile(r"([^\W\d_][\w&.'\- ]{3,80}?)\s*\(([A-Z][A-Za-z&]{1,9})\)")
# What makes a denial the party's own: a gerund ("denied attending"), a word pointing back to
# the party ("their executives", "linking them"), in the denial's own clause.
_GERUND = re.compile(
    r"\s*(?:(?:that it|that they|having|ever|to have|avoir|d'avoir|haber|de haber|jamais|nunca)"
    r"\s+)*(?:attend|particip|travel|tak|meet|visit|send|sent|asist|rencontr|reun|teilgenommen)\w*"
)
# Denials that follow what they deny ("the information ... was incorrect").
_PREDICATE = re.compile(
    r"incorrect|untrue|false|not true|baseless|misleading|fabricated|no truth|faux|fausse|"
    r"inexact\w*|sans fondement|falso|falsa|sin fundamento|falsch|haltlos|unzutreffend|"
    r"ложн\w*|не соответству\w* действительност\w*|गलत|भ्रामक|मनगढ़ंत|झूठ"
)
_SELF = re.compile(
    r"(?<!\w)(?:it|its|they|them|their|itself|we|our|us|his|her|him|sa|son|ses|leur|leurs|su|"
    r"sus|ihre?|seine?|sich|его|её|их|свой|своих|своей)(?!\w)"
)
_LINKING = re.compile(
    r"(?<!\w)(?:linking|link(?:ed|s)?|tying|lien\w*|vinculan\w*|verbind\w*)(?!\w)"
)
_CLAUSE_MARKS = (",", ";", " - ", " \u2013 ", " \u2014 ", ":")
_MINISTRY = re.compile(r"ministr|minister|ministerium|министерств")


def _tokens(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _same_token(a: str, b: str) -> bool:
    """Equal, or one an inflected form of the other ("Монголия"/"Монголии", "Austins")."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return (
        len(short) >= 4
        and long.startswith(short[: max(4, len(short) - 2)])
        and (len(long) - len(short) <= 2)
    )


def _alone(word: str, text: str) -> int:
    """How often `text` writes `word` capitalised and not followed by another capitalised word."""
    count = 0
    for match in re.finditer(r"[^\W\d_]+(?:\s+[^\W\d_]+)?", text):
        head, *rest = match.group().split()
        if head[:1].isupper() and fold(head) == word and not (rest and rest[0][:1].isupper()):
            count += 1
    return count


def _demonym(word: str, text: str) -> bool:
    """Whether the article writes an adjective of the word ("Indian" of "India"): a country."""
    return any(
        re.search(rf"(?<!\w){re.escape(word[:1].upper() + word[1:] + end)}(?!\w)", text)
        for end in ("n", "an", "ian")
    )


def _count_run(needle: Sequence[str], haystack: Sequence[str]) -> int:
    return (
        sum(
            all(_same_token(n, haystack[start + k]) for k, n in enumerate(needle))
            for start in range(len(haystack) - len(needle) + 1)
        )
        if needle
        else 0
    )


def _find_run(needle: Sequence[str], haystack: Sequence[str]) -> bool:
    if not needle or len(needle) > len(haystack):
        return False
    for start in range(len(haystack) - len(needle) + 1):
        if all(_same_token(n, haystack[start + k]) for k, n in enumerate(needle)):
            return True
    return False


@dataclass(frozen=True)
class Judgement:
    """A verdict on one sentence for one item, and what was checked to reach it."""

    verdict: Verdict
    checked: str
    side: Side | None = None
    strength: int = 0  # among sentences of one verdict, more is better (words shared...)


def is_description(name: str) -> bool:
    """Whether a "name" only describes a kind of party ("private companies", "CEO")."""
    words = _tokens(name)
    return not words or all(w in GENERIC_PARTY for w in words)


@dataclass(frozen=True)
class Party:
    """The ways a party may be written in one article: its name, acronyms, short forms."""

    name: str
    person: bool
    forms: tuple[tuple[str, ...], ...]  # token runs that name it
    distinctive: tuple[str, ...]  # all of these in a sentence also name it
    short: tuple[str, ...]  # a single capitalised word that names it (surname, "Adani")

    @classmethod
    def of(
        cls, name: str, *, person: bool = False, aliases: Iterable[str] = (), text: str = ""
    ) -> Party:
        """A party named `name` (and `aliases`), with the acronyms `text` defines for it."""
        names = [name, *aliases]
        forms: list[tuple[str, ...]] = []
        for written in names:
            tokens = tuple(t for t in _tokens(written) if t not in {"the", "a", "an"})
            if tokens:
                forms.append(tokens)
        key = forms[0] if forms else ()
        content = tuple(t for t in key if t not in GENERIC_NAME_WORDS)
        initials = [t[0] for t in key if t not in STOPWORDS]
        if not person and len(initials) >= 3:
            forms.append(("".join(initials),))  # "sidm" for the Society of Indian Defence ...
        for long, acronym in _ACRONYM_DEFINITION.findall(text):
            if _find_run(key, _tokens(long)) or _find_run(_tokens(long)[-len(key) :], key):
                forms.append((acronym.casefold(),))
            elif key == (acronym.casefold(),):
                forms.append(tuple(_tokens(long)))
        short: tuple[str, ...] = ()
        if person and len(key) >= 2 and len(key[-1]) >= 3:
            short = (key[-1],)
        elif not person and content and len(content[0]) >= 4 and content[0] not in GENERIC_PARTY:
            short = (content[0],)
            if _alone(content[0], text) > _count_run(key, _tokens(text)) or _demonym(
                content[0], text
            ):
                short = ()  # "India" of "India Optel": the article uses it for something else
        return cls(
            name=name,
            person=person,
            forms=tuple(dict.fromkeys(forms)),
            distinctive=content if len(content) >= 2 else (),
            short=short,
        )

    def written_in(self, sentence: str, tokens: Sequence[str]) -> str | None:
        """How the sentence writes this party, or None if it does not name it."""
        for form in self.forms:
            if _find_run(form, tokens):
                return " ".join(form)
        if self.distinctive and all(
            any(_same_token(d, t) for t in tokens) for d in self.distinctive
        ):
            return " ".join(self.distinctive)
        own = {t for form in self.forms for t in form}
        words = list(re.finditer(r"[^\W\d_]+", sentence))
        for k, match in enumerate(words):  # a proper noun of its own, not the head of a name
            word = match.group()
            folded_word = fold(word)
            latin = ord(word[0]) < _LATIN_END
            if not (
                word[:1].isupper()
                and any(
                    folded_word == w or (not latin and _same_token(folded_word, w))
                    for w in self.short
                )
            ):
                continue
            following = words[k + 1] if k + 1 < len(words) else None
            if following is None or sentence[match.end() : following.start()].strip():
                return word  # nothing written right after it
            after = following.group()
            if fold(after) in own or not after[:1].isupper():
                return word
        return None


@dataclass
class _Sentence:
    start: int
    end: int
    text: str

    @cached_property
    def folded(self) -> str:
        return fold(self.text)

    @cached_property
    def tokens(self) -> list[str]:
        return _WORD.findall(self.folded)


@dataclass
class ArticleText:
    """An article's sentences, for finding and judging the one that supports an item.

    Sentences overlapping an `excluded` span (text addressed to a model) are never evidence.
    """

    text: str
    excluded: Sequence[tuple[int, int]] = ()
    sentences: list[_Sentence] = field(init=False)

    def __post_init__(self) -> None:
        self.sentences = [
            _Sentence(start, end, self.text[start:end])
            for start, end in sentences(self.text)
            if not any(start < e and s < end for s, e in self.excluded)
        ]

    def index_of(self, start: int, end: int) -> int | None:
        """The sentence holding most of `text[start:end]`, if any may be evidence."""
        best, overlap = None, 0
        for i, s in enumerate(self.sentences):
            shared = min(end, s.end) - max(start, s.start)
            if shared > overlap:
                best, overlap = i, shared
        return best

    def names(self, party: Party, i: int, parties: Sequence[Party] = ()) -> str | None:
        """How sentence `i` refers to `party`: by name, or by a reference ("its spokesperson",
        "the company") to the party the sentence before it names."""
        s = self.sentences[i]
        written = party.written_in(s.text, s.tokens)
        if written is not None:
            return written
        reference = REFERENCE.search(s.folded)
        if reference is None or any(p.written_in(s.text, s.tokens) for p in parties if p != party):
            return None
        kind = _MINISTRY.search(reference.group())
        if kind and not _MINISTRY.search(fold(party.name)):
            return None  # "the ministry" is a ministry, not a company named before it
        for j in range(i - 1, max(i - 3, -1), -1):
            before = self.sentences[j]
            named = [p for p in (*parties, party) if p.written_in(before.text, before.tokens)]
            if named:
                return f'"{reference.group()}" (for {party.name})' if party in named else None
        return None


def _cue(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group() if match else None


def _clause_span(folded: str, start: int, end: int) -> tuple[int, int]:
    """Where the clause around `folded[start:end]` runs: to the nearest comma, semicolon, dash."""
    left = max(folded.rfind(mark, 0, start) for mark in _CLAUSE_MARKS) + 1
    rights = [i for mark in _CLAUSE_MARKS if (i := folded.find(mark, end)) >= 0]
    return left, min(rights) if rights else len(folded)


def _own_denial(folded: str, forms: Sequence[str]) -> str | None:
    """A denial cue whose clause has the party deny its own taking part: "X denied attending",
    "no X representative attended", "the reports linking them to the meetings were incorrect",
    "X said its executives had not travelled". "X denied reports that Y attended" is not one.

    What is denied follows a denying verb ("denied that ...") and precedes a denying predicate
    ("... was incorrect"); only that part of the clause is read for the party.
    """
    for match in DENIAL.finditer(folded):
        clause_start, clause_end = _clause_span(folded, match.start(), match.end())
        clause = folded[clause_start:clause_end]
        if TAKING_PART.search(match.group()):  # "no ... attended", "did not attend"
            return match.group()
        if not (TAKING_PART.search(clause) or _LINKING.search(clause)):
            continue
        if _PREDICATE.fullmatch(match.group()):
            denied = folded[clause_start : match.start()]
        else:
            denied = folded[match.end() : clause_end]
        if _GERUND.match(folded[match.end() : match.end() + 40]):
            return match.group()
        if _SELF.search(denied) or any(f and f in denied for f in forms):
            return match.group()
    return None


def judge_attendance(
    article: ArticleText, i: int, party: Party, parties: Sequence[Party] = ()
) -> Judgement:
    """Whether sentence `i` says `party` took part (side attended) or denies it (denied)."""
    s = article.sentences[i]
    written = article.names(party, i, parties)
    if written is None:
        return Judgement("none", f"does not name {party.name!r}")
    membership = MEMBERSHIP.search(s.folded)
    if membership and s.folded.find(written.split()[0].casefold()) >= membership.end() - 12:
        return Judgement("none", f"names {written!r} only as a member of a body")
    forms = [fold(" ".join(form)) for form in party.forms if len(" ".join(form)) > 2]
    own = _own_denial(s.folded, forms)
    if own is not None and not NON_DENIAL.search(s.folded):
        return Judgement("supported", f"names {written!r}; denies taking part ({own!r})", "denied")
    denied_spans = [_clause_span(s.folded, d.start(), d.end()) for d in DENIAL.finditer(s.folded)]
    for cue in TAKING_PART.finditer(s.folded):
        if not any(a <= cue.start() < b for a, b in denied_spans):
            checked = f"names {written!r}; taking part ({cue.group()!r})"
            return Judgement("supported", checked, "attended")
    if denied_spans:
        return Judgement("weak", f"names {written!r} in a denial of something else")
    return Judgement("weak", f"names {written!r} but not as taking part")


def attributed(text: str) -> bool:
    """Whether a sentence attributes what it says (to sources, a report, someone who said)."""
    return ATTRIBUTION.search(fold(text)) is not None


def judge_denial(
    article: ArticleText,
    i: int,
    denier: Party,
    parties: Sequence[Party] = (),
    *,
    as_subject: bool = False,
) -> Judgement:
    """Whether sentence `i` has `denier` deny something ("declined to comment" is no denial).

    `as_subject`: the denier must be named before the denial word, as who denies ("X denied
    that Y attended" has X deny, not Y).
    """
    s = article.sentences[i]
    written = article.names(denier, i, parties)
    if written is None:
        return Judgement("none", f"does not name {denier.name!r}")
    denial = DENIAL.search(s.folded)
    silence = _cue(NON_DENIAL, s.folded)
    if denial and not (silence and not _denial_outside(s.folded, silence)):
        where = s.folded.find(fold(written.strip('"').split('" (')[0]))
        if as_subject and not 0 <= where < denial.start():
            return Judgement("weak", f"names {written!r} after the denial ({denial.group()!r})")
        return Judgement("supported", f"names {written!r}; denies ({denial.group()!r})")
    if silence:
        return Judgement("contradicts", f"names {written!r}; {silence!r} is no denial")
    return Judgement("weak", f"names {written!r} but no denial")


def _denial_outside(folded: str, silence: str) -> bool:
    """Whether a denial cue appears apart from the no-comment phrase itself."""
    return DENIAL.search(folded.replace(silence, " ")) is not None


def judge_date(sentence: str, written: str) -> Judgement:
    """Whether the sentence contains the date as written (exactly or but for case/spacing)."""
    span = locate(written, sentence)
    if span is not None and span.alignment != "fuzzy":
        return Judgement("supported", f"contains {written!r}")
    return Judgement("none", f"does not contain {written!r}")


def judge_figure(sentence: str, value: str) -> Judgement:
    """Whether the sentence contains the figure's value as written (or at least its digits)."""
    span = locate(value, sentence)
    if span is not None and span.alignment != "fuzzy":
        return Judgement("supported", f"contains {value!r}")
    digits = re.findall(r"\d+", value)
    if digits and all(d in sentence for d in digits):
        return Judgement("weak", f"contains the digits of {value!r}")
    return Judgement("none", f"does not contain {value!r}")


def _stems(text: str) -> set[str]:
    """Content words, crudely stemmed: a plural "s" dropped, then the first five letters."""
    words = (t for t in _tokens(text) if t not in STOPWORDS and len(t) > 2)
    return {(w[:-1] if len(w) > 4 and w.endswith("s") else w)[:5] for w in words}


def judge_label(sentence: str, label: str, detail: str | None = None) -> Judgement:
    """Whether the sentence shares the content words of a topic's or risk's label (and detail)."""
    wanted = _stems(f"{label} {detail or ''}")
    shared = sorted(wanted & _stems(sentence))
    if not wanted:
        return Judgement("none", "the label has no content words")
    if len(shared) >= 2 or (shared and len(shared) / len(wanted) >= 0.5):
        return Judgement("supported", f"shares {', '.join(shared)}", strength=len(shared))
    if shared:
        return Judgement("weak", f"shares only {shared[0]}")
    return Judgement("none", "shares no content word")


def judge_place(sentence: str, name: str) -> Judgement:
    """Whether the sentence names the place."""
    wanted = _tokens(name)
    if wanted and _find_run(wanted, _tokens(sentence)):
        return Judgement("supported", f"names {name!r}")
    return Judgement("none", f"does not name {name!r}")
