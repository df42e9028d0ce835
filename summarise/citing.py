"""The toolkit cites: for each item the model named, the sentences of the article that back it.

The model writes only the items (names, stances, date texts, labels); here every item gets the
sentences that support it, judged by `summarise.support`, and an item the article does not
back is moved to `dropped` with the reason, never silently lost. An attendee's sentences are
split by what they say (taking part, or denying it), so a party reported as attending that
also denies it is `disputed`, each side with its own sentences. Denials the model missed are
recovered from sentences in which a party it named denies. Pure: no model call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from .dates import normalise_date, written_dates
from .grounding import locate
from .lexicon import HEDGE
from .models import (
    Attendee,
    DateMention,
    Denial,
    DroppedItem,
    Evidence,
    KeyFigure,
    Location,
    Risk,
    Stance,
    Support,
    Topic,
)
from .support import (
    ArticleText,
    Judgement,
    Party,
    attributed,
    fold,
    is_description,
    judge_attendance,
    judge_date,
    judge_denial,
    judge_figure,
    judge_label,
    judge_place,
)

__all__ = ["Cited", "cite", "split_denials"]

_MAX_PER_SIDE = 2  # sentences kept as an attendee's evidence for each side
_ORDER = {"supported": 0, "weak": 1, "contradicts": 2, "none": 3}
_TOLD = re.compile(
    r"\b(?:told|in a statement to)\s+((?:(?:the|a|an)\s+)?[\w.&'-]+(?:\s+[A-Z][\w.&'-]*){0,3})"
)
_STATEMENT = re.compile(r"\bin a (?:written |press )?statement\b", re.I)
_DATELINE_WORDS = 8  # a "sentence" this short that says nothing of an event is a dateline
_PROSE = re.compile(r"[^\W\d_]{3,}\s+[^\W\d_]{3,}\s+[^\W\d_]{3,}\s+[^\W\d_]{3,}")
_IN_INSTRUCTIONS = "its only support is text addressed to an AI model"
_T = TypeVar("_T", Location, Topic, Risk, KeyFigure)
Judge = Callable[[ArticleText, int], Judgement]


@dataclass
class Cited:
    """Report items with the sentences that back them, and what was dropped."""

    locations: list[Location] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    attendees: list[Attendee] = field(default_factory=list)
    denials: list[Denial] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)
    key_figures: list[KeyFigure] = field(default_factory=list)
    dropped: list[DroppedItem] = field(default_factory=list)


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


class _Citer:
    """One article's sentences (those that may be evidence, and all of them) and the drops."""

    def __init__(self, source_id: str, text: str, excluded: Sequence[tuple[int, int]]) -> None:
        self.source_id = source_id
        self.article = ArticleText(text, excluded)
        self.everything = ArticleText(text) if excluded else None
        self.dropped: list[DroppedItem] = []

    def judged(self, judge: Judge) -> list[tuple[int, Judgement]]:
        """Every sentence's judgement, best verdict first (the strongest first among equals),
        then in article order."""
        pairs = [(i, judge(self.article, i)) for i in range(len(self.article.sentences))]
        return sorted(pairs, key=lambda p: (_ORDER[p[1].verdict], -p[1].strength, p[0]))

    def drop(self, field_name: str, value: str, judge: Judge, reason: str) -> None:
        """Record a dropped item; say so when only an instruction passage would back it."""
        everything = self.everything
        if everything is not None and any(
            judge(everything, i).verdict == "supported" for i in range(len(everything.sentences))
        ):
            reason = _IN_INSTRUCTIONS
        self.dropped.append(DroppedItem(field=field_name, value=value, reason=reason))

    def evidence(self, i: int, judgement: Judgement) -> Evidence:
        s = self.article.sentences[i]
        support = Support(verdict=judgement.verdict, checked=judgement.checked, side=judgement.side)
        return Evidence(
            source_id=self.source_id,
            quote=s.text,
            start=s.start,
            end=s.end,
            alignment="exact",
            support=support,
        )


def _stance(said: Stance, attended: bool, denied: bool, first_attending: str) -> Stance:
    """What the evidence allows: both sides disputed, only denials denied; otherwise the model's
    asserted/reported/uncertain, or, where it said denied or disputed without a denial, what
    the attending sentence's attribution says."""
    if attended and denied:
        return "disputed"
    if denied:
        return "denied"
    if said in ("asserted", "reported", "uncertain"):
        return said
    return "reported" if attributed(first_attending) else "asserted"


def _stated(value: str | None, evidence: Sequence[Evidence]) -> str | None:
    """A role or affiliation only if it is a name or title the party's sentences state."""
    if not value or is_description(value):
        return None
    words = set(re.findall(r"\w+", fold(value)))
    said = set(re.findall(r"\w+", fold(" ".join(e.quote for e in evidence))))
    return value if words and len(words & said) * 2 >= len(words) else None


def _attendees(
    c: _Citer, attendees: Sequence[Attendee], places: set[str], parties: list[Party]
) -> list[Attendee]:
    kept: list[Attendee] = []
    by_name = {p.name: p for p in parties}
    seen: set[str] = set()
    for attendee in attendees:
        key = _key(attendee.name)
        party = by_name[attendee.name]

        def judge(article: ArticleText, i: int, party: Party = party) -> Judgement:
            return judge_attendance(article, i, party, parties)

        if key in seen:
            continue
        seen.add(key)
        if is_description(attendee.name):
            c.drop("attendees", attendee.name, judge, "a description of a party, not a name")
            continue
        if key in places:
            c.drop("attendees", attendee.name, judge, "a place of the meetings, not a party")
            continue
        judged = c.judged(judge)
        attended = [(i, j) for i, j in judged if j.verdict == "supported" and j.side == "attended"]
        denied = [(i, j) for i, j in judged if j.verdict == "supported" and j.side == "denied"]
        if not attended and not denied:
            weak = any(j.verdict == "weak" for _, j in judged)
            reason = "named, but never as taking part" if weak else "no sentence names it"
            c.drop("attendees", attendee.name, judge, reason)
            continue
        evidence = [c.evidence(i, j) for i, j in attended[:_MAX_PER_SIDE]]
        evidence += [c.evidence(i, j) for i, j in denied[:_MAX_PER_SIDE]]
        first = c.article.sentences[attended[0][0]].text if attended else ""
        kept.append(
            attendee.model_copy(
                update={
                    "stance": _stance(attendee.stance, bool(attended), bool(denied), first),
                    "evidence": evidence,
                    "affiliation": _stated(attendee.affiliation, evidence),
                    "role": _stated(attendee.role, evidence),
                }
            )
        )
    return _untitled(c, kept)


def _untitled(c: _Citer, attendees: list[Attendee]) -> list[Attendee]:
    """One attendee per party: "Union Defence Minister Rajnath Singh" beside "Rajnath Singh" is
    the same person with a title, which becomes the role if none is given."""
    keys = {_key(a.name): a for a in attendees}
    kept: list[Attendee] = []
    for attendee in attendees:
        key = _key(attendee.name)
        short = next(
            (k for k in keys if len(k.split()) >= 2 and key.endswith(" " + k)
             and keys[k].kind == attendee.kind),
            None,
        )  # fmt: skip
        if short is None:
            kept.append(attendee)
            continue
        same = keys[short]
        words = attendee.name.split()
        title = " ".join(words[: len(words) - len(same.name.split())]).strip(" ,")
        if same.role is None and _key(title) not in ("", "the", "a", "an"):
            keys[short] = same.model_copy(update={"role": title})
        reason = f"the same party as {same.name}, with a title"
        c.dropped.append(DroppedItem(field="attendees", value=attendee.name, reason=reason))
    return [keys[_key(a.name)] for a in kept]


def _to_whom(sentence: str) -> str | None:
    told = _TOLD.search(sentence)
    if told:
        return f"told {told.group(1)}"
    return "in a statement" if _STATEMENT.search(sentence) else None


def _denials(c: _Citer, denials: Sequence[Denial], parties: list[Party]) -> list[Denial]:
    """The model's denials that a sentence backs, then the ones it missed."""
    by_name = {p.name: p for p in parties}
    kept: list[Denial] = []
    for denial in denials:
        party = by_name[denial.by]

        def judge(article: ArticleText, i: int, party: Party = party) -> Judgement:
            return judge_denial(article, i, party, parties)

        judged = c.judged(judge)
        i, best = judged[0] if judged else (0, Judgement("none", "the article has no sentence"))
        if best.verdict != "supported":
            silent = next((j.checked for _, j in judged if j.verdict == "contradicts"), None)
            c.drop("denials", denial.by, judge, silent or f"no sentence has {denial.by!r} deny")
            continue
        sentence = c.article.sentences[i].text
        to_whom = denial.to_whom or _to_whom(sentence)
        kept.append(
            denial.model_copy(update={"evidence": [c.evidence(i, best)], "to_whom": to_whom})
        )
    denying = {_key(d.by) for d in kept}
    for party in parties:
        if _key(party.name) in denying:
            continue
        for i in range(len(c.article.sentences)):
            judgement = judge_denial(c.article, i, party, parties, as_subject=True)
            if judgement.verdict == "supported":
                sentence = c.article.sentences[i].text
                kept.append(
                    Denial(
                        by=party.name,
                        claim=sentence if len(sentence) <= 160 else sentence[:157] + "...",
                        to_whom=_to_whom(sentence),
                        evidence=[c.evidence(i, judgement)],
                    )
                )
                break
    return kept


def split_denials(denials: list[Denial]) -> list[Denial]:
    """One denial per party: "A and B denied ..." becomes a denial by A and one by B."""
    result: list[Denial] = []
    for denial in denials:
        parts = [p for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", denial.by) if p.strip()]
        parts = [re.sub(r"^(?:the)\s+", "", p.strip(), flags=re.I) for p in parts]
        if len(parts) > 1 and all(p[:1].isupper() for p in parts):
            result.extend(denial.model_copy(update={"by": p}) for p in parts)
        else:
            result.append(denial)
    return result


# What may follow a date and belong to it: "October 29" of "October 29 and 30", "4" of "4-5".
_DATE_TAIL = re.compile(
    r"\s*(?:-|\u2013|to|and|&|y|et|und|и|bis|au|al)\s*\d{1,2}(?:st|nd|rd|th)?(?!\d)"
    r"(?:,?\s+\d{4})?"
)


def _widened(written: str, sentence: str) -> str:
    """The date as the sentence writes it in full, when the model wrote only its start."""
    span = locate(written, sentence)
    if span is None or span.alignment == "fuzzy":
        return written
    tail = _DATE_TAIL.match(sentence, span.end)
    return sentence[span.start : tail.end()] if tail else written


def _is_dateline(sentence: str) -> bool:
    return len(sentence.split()) <= _DATELINE_WORDS and _PROSE.search(sentence) is None


def _written_as(c: _Citer, text: str, published: date | None) -> str | None:
    """The article's own words for a date the model wrote in another form ("2023-10-10",
    "January 19, 2023"): the first date phrase of an event's sentence that gives the very same
    days, or None. A date no phrase of the article gives stays unwritten."""
    wanted = normalise_date(text, published)
    if wanted.earliest is None:
        return None
    for sentence in c.article.sentences:
        if _is_dateline(sentence.text):
            continue
        future = HEDGE.search(fold(sentence.text)) is not None
        for start, end, interval in written_dates(sentence.text, published, future=future):
            if (interval.earliest, interval.latest) == (wanted.earliest, wanted.latest):
                return sentence.text[start:end]
    return None


def _date_sentences(
    c: _Citer, written: str
) -> tuple[Judge, list[tuple[int, Judgement]], list[tuple[int, Judgement]]]:
    """The judge of a date as written, the sentences that write it, and those of them that are
    not datelines."""

    def judge(article: ArticleText, i: int) -> Judgement:
        return judge_date(article.sentences[i].text, written)

    found = [(i, j) for i, j in c.judged(judge) if j.verdict == "supported"]
    events = [(i, j) for i, j in found if not _is_dateline(c.article.sentences[i].text)]
    return judge, found, events


def _dates(c: _Citer, dates: Sequence[DateMention], published: date | None) -> list[DateMention]:
    kept: list[DateMention] = []
    seen: set[str] = set()
    for mention in dates:
        key = _key(mention.text) + "|" + _key(mention.of)
        if key in seen:
            continue
        seen.add(key)

        judge, found, events = _date_sentences(c, mention.text)
        written = None if found else _written_as(c, mention.text, published)
        if written is not None:  # the model wrote the date in its own form: use the article's
            mention = mention.model_copy(update={"text": written})
            judge, found, events = _date_sentences(c, written)
        if not events:
            reason = (
                "written only in a dateline or byline, not as an event's date"
                if found
                else "the article never writes this date"
            )
            c.drop("dates", mention.text, judge, reason)
            continue
        sentence = c.article.sentences[events[0][0]].text
        future = HEDGE.search(fold(sentence)) is not None
        mention = mention.model_copy(update={"text": _widened(mention.text, sentence)})
        interval = normalise_date(mention.text, published, future=future)
        latest = interval.latest
        if published and not future and latest and latest > published:
            latest = max(published, interval.earliest or published)  # what happened, happened
        kept.append(
            mention.model_copy(
                update={
                    "earliest": interval.earliest,
                    "latest": latest,
                    "precision": interval.precision,
                    "evidence": [c.evidence(*events[0])],
                }
            )
        )
    return kept


def _simple(
    c: _Citer,
    field_name: str,
    items: Sequence[_T],
    name: Callable[[_T], str],
    check: Callable[[str, _T], Judgement],
    *,
    keep_weak: bool,
) -> list[_T]:
    """Items backed by their best sentence (weakly backed ones too, if `keep_weak`)."""
    kept: list[_T] = []
    seen: set[str] = set()

    def judge_for(item: _T) -> Judge:
        return lambda article, i: check(article.sentences[i].text, item)

    for item in items:
        if _key(name(item)) in seen:
            continue
        seen.add(_key(name(item)))
        judge = judge_for(item)
        judged = c.judged(judge)
        i, best = judged[0] if judged else (0, Judgement("none", "the article has no sentence"))
        if best.verdict == "supported" or (keep_weak and best.verdict == "weak"):
            kept.append(item.model_copy(update={"evidence": [c.evidence(i, best)]}))
        else:
            c.drop(field_name, name(item), judge, f"no sentence supports it ({best.checked})")
    return kept


def cite(
    source_id: str,
    text: str,
    *,
    published: date | None = None,
    locations: Sequence[Location] = (),
    dates: Sequence[DateMention] = (),
    attendees: Sequence[Attendee] = (),
    denials: Sequence[Denial] = (),
    topics: Sequence[Topic] = (),
    risks: Sequence[Risk] = (),
    key_figures: Sequence[KeyFigure] = (),
    excluded: Sequence[tuple[int, int]] = (),
) -> Cited:
    """Back every item with the article's sentences, or drop it with the reason.

    Items come without evidence (the model writes none); `excluded` spans (text addressed to a
    model) are never evidence.
    """
    c = _Citer(source_id, text, excluded)
    denials = split_denials(list(denials))
    places = _simple(
        c, "locations", locations, lambda x: x.name, lambda s, x: judge_place(s, x.name),
        keep_weak=False,
    )  # fmt: skip
    persons = {a.name: a.kind == "person" for a in attendees}
    for denial in denials:
        persons.setdefault(denial.by, False)
    parties = [Party.of(name, person=person, text=text) for name, person in persons.items()]
    kept = _attendees(c, attendees, {_key(p.name) for p in places}, parties)
    named = {a.name for a in kept} | {d.by for d in denials}
    return Cited(
        locations=places,
        dates=_dates(c, dates, published),
        attendees=kept,
        denials=_denials(c, denials, [p for p in parties if p.name in named]),
        topics=_simple(
            c, "topics", topics, lambda x: x.label,
            lambda s, x: judge_label(s, x.label, x.detail), keep_weak=True,
        ),
        risks=_simple(
            c, "risks", risks, lambda x: x.label,
            lambda s, x: judge_label(s, x.label, x.detail), keep_weak=True,
        ),
        key_figures=_simple(
            c, "key_figures", key_figures, lambda x: x.value,
            lambda s, x: judge_figure(s, x.value), keep_weak=True,
        ),
        dropped=c.dropped,
    )  # fmt: skip
