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
import unicodedata
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
_RANK: dict[Verdict, int] = {"supported": 3, "weak": 2, "contradicts": 1, "none": 0}

_TYPOGRAPHY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_WORD = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*")
_ACRONYM_DEFINITION = re.compile(r"([^\W\d_][\w&.'\- ]{3,80}?)\s*\(([A-Z][A-Za-z&]{1,9})\)")
# Words around a denial that make it bear on taking part, or on a report of it.
_ABOUT_ATTENDING = re.compile(
    TAKING_PART.pattern
    + r"|(?<!\w)(?:report\w*|claim\w*|information|linking|story|allegation\w*|news|article"
    r"|rapport|informations?|nouvelles|informe\w*|version\w*|bericht\w*|meldung\w*"
    r"|сообщени\w*|информаци\w*|रिपोर्ट|खबर)(?!\w)"
)
_WINDOW_WORDS = 10  # words on each side of a denial cue that may say what it denies
_LATIN_END = 0x250  # combining marks on code points below this are accents on Latin letters


def fold(text: str) -> str:
    """Case-folded text with accents on Latin letters removed and typographic quotes plain.

    Other scripts keep their marks (Devanagari vowel signs are combining characters).
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_TYPOGRAPHY).casefold())
    kept: list[str] = []
    for char in decomposed:
        if unicodedata.combining(char) and kept and ord(kept[-1]) < _LATIN_END:
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


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

    def better_than(self, other: Judgement) -> bool:
        return _RANK[self.verdict] > _RANK[other.verdict]


_NONE = Judgement("none", "nothing checked")


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
            if not (word[:1].isupper() and any(_same_token(fold(word), w) for w in self.short)):
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
        for j in range(i - 1, max(i - 3, -1), -1):
            before = self.sentences[j]
            named = [p for p in (*parties, party) if p.written_in(before.text, before.tokens)]
            if named:
                return f'"{reference.group()}" (for {party.name})' if party in named else None
        return None
        return None


def _cue(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group() if match else None


def _denial_about_attending(folded: str) -> str | None:
    """A denial cue whose surroundings speak of taking part or of a report of it."""
    for match in DENIAL.finditer(folded):
        before = folded[: match.start()].split()[-_WINDOW_WORDS:]
        after = folded[match.end() :].split()[:_WINDOW_WORDS]
        if _ABOUT_ATTENDING.search(" ".join([*before, match.group(), *after])):
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
    denial = _denial_about_attending(s.folded)
    if denial and not NON_DENIAL.search(s.folded):
        return Judgement(
            "supported", f"names {written!r}; denies taking part ({denial!r})", "denied"
        )
    taking_part = _cue(TAKING_PART, s.folded)
    if taking_part:
        return Judgement(
            "supported", f"names {written!r}; taking part ({taking_part!r})", "attended"
        )
    return Judgement("weak", f"names {written!r} but not as taking part")


def attributed(text: str) -> bool:
    """Whether a sentence attributes what it says (to sources, a report, someone who said)."""
    return ATTRIBUTION.search(fold(text)) is not None


def judge_denial(
    article: ArticleText, i: int, denier: Party, parties: Sequence[Party] = ()
) -> Judgement:
    """Whether sentence `i` has `denier` deny something ("declined to comment" is no denial)."""
    s = article.sentences[i]
    written = article.names(denier, i, parties)
    if written is None:
        return Judgement("none", f"does not name {denier.name!r}")
    denial = _cue(DENIAL, s.folded)
    silence = _cue(NON_DENIAL, s.folded)
    if denial and not (silence and not _denial_outside(s.folded, silence)):
        return Judgement("supported", f"names {written!r}; denies ({denial!r})")
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
        return Judgement("supported", f"shares {', '.join(shared)}")
    if shared:
        return Judgement("weak", f"shares only {shared[0]}")
    return Judgement("none", "shares no content word")


def judge_place(sentence: str, name: str) -> Judgement:
    """Whether the sentence names the place."""
    wanted = _tokens(name)
    if wanted and _find_run(wanted, _tokens(sentence)):
        return Judgement("supported", f"names {name!r}")
    return Judgement("none", f"does not name {name!r}")
