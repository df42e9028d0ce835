"""Checks in code on what a small model extracted: invented attendees, joint denials, stances.

Pure functions of the report items and the article text; no model involved.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from rapidfuzz import fuzz

from .grounding import sentences
from .models import (
    Article,
    Attendee,
    DateMention,
    Denial,
    Evidence,
    KeyFigure,
    Location,
    Risk,
    Topic,
)

# The patterns of the first extraction (to be replaced by `summarise.support`).
# A denial's claim that speaks of attending (the denier then becomes a `denied` attendee).
_ATTENDANCE_WORDS = re.compile(
    r"meet|attend|travel|visit|trip|took part|particip|present|represent|link|moscow|russia", re.I
)
# Words that name no one on their own, ignored when matching a name's distinctive words.
_GENERIC_NAME_WORDS = frozenset(
    ("the", "a", "an", "of", "and", "for", "group", "ltd", "limited", "inc", "co", "company",
     "companies", "corp", "defence", "defense", "industries", "industry")
)  # fmt: skip
# "X represents 500 companies, including A and B": A and B are members, not participants.
_MEMBERSHIP = re.compile(
    r"\b(?:represent\w*|members?|compris\w*)\b.*?\b(?:including|such as|like|among them)\b",
    re.I,
)
_DENIAL_CUE = re.compile(
    r"\b(?:den(?:y|ies|ied|ial)|incorrect|untrue|false|not true|never|reject\w*)\b", re.I
)
_ATTRIBUTION = re.compile(
    r"\b(?:sources?|reports?|reported|said|says|according|told|familiar|suggest\w*)\b", re.I
)
# Words that tie a sentence to taking part in meetings; an attendee must be named in such a
# sentence (pages often carry unrelated headlines whose people a small model lists too).
_TAKING_PART = re.compile(
    r"\b(?:meet\w*|met|attend\w*|travel\w*|visit\w*|trip|took part|take part|particip\w*|"
    r"present|represent\w*|delegat\w*|talks|discuss\w*|led by|headed by|heading|"
    r"accompan\w*|sidelines)\b",
    re.I,
)

__all__ = [
    "check_attendees",
    "dedupe",
    "name_key",
    "reconcile_stances",
    "same_name",
    "sentence_evidence",
    "split_denials",
]

_T = TypeVar("_T", Location, DateMention, Attendee, Denial, Topic, Risk, KeyFigure)


def name_key(name: str) -> str:
    """A name case-folded, punctuation as spaces (but "&"), without articles."""
    words = re.sub(r"[^\w&]+", " ", name.casefold()).split()
    return " ".join(w for w in words if w not in {"the", "a", "an"})


def same_name(a: str, b: str) -> bool:
    """Whether two written names are one party: equal keys, or near-equal word sets."""
    a, b = name_key(a), name_key(b)
    return a == b or (min(len(a), len(b)) >= 4 and fuzz.token_set_ratio(a, b) >= 90)


def dedupe(items: list[_T], key: Callable[[_T], str]) -> list[_T]:
    """Join items with the same key, keeping the first and every item's evidence."""
    kept: dict[str, _T] = {}
    for item in items:
        k = key(item)
        if k in kept:
            first: _T = kept[k]
            seen = {(e.start, e.end, e.quote) for e in first.evidence}
            extra: list[Evidence] = [
                e for e in item.evidence if (e.start, e.end, e.quote) not in seen
            ]
            kept[k] = first.model_copy(update={"evidence": [*first.evidence, *extra]})
        else:
            kept[k] = item
    return list(kept.values())


def _name_at(name: str, sentence: str) -> int:
    """Where `sentence` names `name` (whole name, acronym or all its distinctive words), or -1."""
    folded = sentence.casefold()
    words = re.findall(r"\w+", folded)
    key = name_key(name)
    if not key:
        return -1
    whole = re.search(rf"\b{re.escape(key)}\b", " ".join(words))
    if whole:
        return folded.find(key.split()[0])
    tokens = [t for t in key.split() if t not in _GENERIC_NAME_WORDS]
    if tokens and all(t in words for t in tokens):
        return folded.find(tokens[0])
    return -1


def _as_member(name: str, sentence: str) -> bool:
    """Whether the sentence names `name` only as a member of a body ("..., including X")."""
    match = _MEMBERSHIP.search(sentence)
    return match is not None and _name_at(name, sentence) >= match.end() - 12


def sentence_evidence(article: Article, span: tuple[int, int]) -> Evidence:
    """Exact evidence for one span (a sentence) of the article."""
    start, end = span
    return Evidence(
        source_id=article.id, quote=article.text[start:end], start=start, end=end, alignment="exact"
    )


def check_attendees(attendees: list[Attendee], article: Article) -> list[Attendee]:
    """Drop attendees that no sentence of the article names as taking part.

    A sentence counts when it names the attendee (not only as a member of a body: "..., which
    represents 500 companies including X") and speaks of meetings, visits or talks. An
    attendee whose evidence is no such sentence gets the first sentence that is. These are the
    small model's usual inventions: a body's member companies, people from unrelated headlines
    on the same page, a name copied next to an unrelated quote.
    """

    def names(name: str, text: str) -> bool:
        return (
            _name_at(name, text) >= 0
            and not _as_member(name, text)
            and _TAKING_PART.search(text) is not None
        )

    spans = sentences(article.text)
    kept = []
    for attendee in attendees:
        naming = [e for e in attendee.evidence if e.aligned and names(attendee.name, e.quote)]
        if naming:
            kept.append(attendee.model_copy(update={"evidence": naming}))
            continue
        elsewhere = [span for span in spans if names(attendee.name, article.text[slice(*span)])]
        if elsewhere:
            evidence = [sentence_evidence(article, elsewhere[0])]
            kept.append(attendee.model_copy(update={"evidence": evidence}))
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


def reconcile_stances(attendees: list[Attendee], denials: list[Denial]) -> list[Attendee]:
    """Make stances agree with denials.

    A party that denies attending is `denied`; one the model marked `denied` although no denial
    is by it (a delegation's leader, say) is `reported` or `asserted` as its evidence says.
    """
    result = []
    for a in attendees:
        if a.stance == "denied" and not any(same_name(a.name, d.by) for d in denials):
            texts = [e.quote for e in a.evidence if e.aligned]
            if not any(_DENIAL_CUE.search(t) for t in texts):
                attributed = any(_ATTRIBUTION.search(t) for t in texts)
                a = a.model_copy(update={"stance": "reported" if attributed else "asserted"})
        result.append(a)
    for denial in denials:
        matches = [i for i, a in enumerate(result) if same_name(a.name, denial.by)]
        for i in matches:
            a = result[i]
            extra = [e for e in denial.evidence if e not in a.evidence]
            result[i] = a.model_copy(update={"stance": "denied", "evidence": a.evidence + extra})
        if not matches and _ATTENDANCE_WORDS.search(denial.claim):
            result.append(
                Attendee(
                    name=denial.by, kind="organisation", stance="denied", evidence=denial.evidence
                )
            )
    return result
