"""Small helpers every part of the merge shares: sources and evidence of items, shown texts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Protocol

from ..models.report import Evidence

__all__ = ["Sourced", "evidence_of", "first", "most_written", "source_ids"]


class Sourced(Protocol):
    """An item that comes from one source and has evidence (every claim type)."""

    @property
    def source_id(self) -> str: ...

    @property
    def evidence(self) -> list[Evidence]: ...


def source_ids(items: Iterable[Sourced]) -> list[str]:
    """The sources of the items, sorted, each once."""
    return sorted({item.source_id for item in items})


def evidence_of(items: Iterable[Sourced]) -> list[Evidence]:
    """The items' evidence in order, each quote once: the same span of the same source, cited
    for two items (an attendee and its denial), is one piece of evidence."""
    unique: dict[tuple[str, int | None, int | None, str], Evidence] = {}
    for item in items:
        for e in item.evidence:
            unique.setdefault((e.source_id, e.start, e.end, e.quote), e)
    return list(unique.values())


def most_written(texts: Sequence[str], *, longest: bool) -> str:
    """The text written most often; ties go to the longest (or shortest), then alphabetical."""
    counts = Counter(texts)
    return min(counts, key=lambda t: (-counts[t], -len(t) if longest else len(t), t))


def first(pair: tuple[str, object]) -> str:
    """The first of a pair: sorts (text shown, items) drafts by the text shown."""
    return pair[0]
