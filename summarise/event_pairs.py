"""Which pairs of a folder's articles score enough to join one event, block by block.

The folder's articles are read in one order (`blocking_order`); each block key (a party in a
week, see `summarise.event_keys.block_keys`) gives its candidate pairs (`block_pairs`), and each
pair is scored (`score_pair`). A block is the unit of work: `scored_pairs` scores them here, a
distributed run spreads `block_scores` over its workers, and `rank_pairs` makes either one list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date

from .entities import block_pairs, blocks
from .event_keys import JOIN_SCORE, Folder, PairScore, block_keys, score_pair

__all__ = [
    "PairScorer",
    "ScoredPair",
    "block_scores",
    "blocking_order",
    "rank_pairs",
    "scored_pairs",
]

ScoredPair = tuple[int, int, PairScore]  # two articles (indexes, i < j) and their score
PairScorer = Callable[[Folder], list[ScoredPair]]


def blocking_order(folder: Folder) -> list[int]:
    """The articles (indexes) in the order blocks are read in: by span, then publication."""
    articles = folder.articles
    return sorted(
        range(len(articles)),
        key=lambda i: (
            articles[i].span or (date.max, date.max),
            articles[i].published or date.max,
            i,
        ),
    )


def block_scores(folder: Folder, order: Sequence[int], members: Sequence[int]) -> list[ScoredPair]:
    """The pairs of one block (`members`: ascending positions in `order`) that score enough to
    join: the unit of work a distributed run spreads over its workers."""
    pairs = []
    for x, y in block_pairs(members):
        i, j = sorted((order[x], order[y]))
        pair = score_pair(folder.articles[i], folder.articles[j], folder)
        if pair.score >= JOIN_SCORE and not pair.apart:
            pairs.append((i, j, pair))
    return pairs


def rank_pairs(pairs: Iterable[ScoredPair]) -> list[ScoredPair]:
    """Scored pairs once each (a pair can share several blocks), best first (ties by index)."""
    unique = {(i, j): (i, j, pair) for i, j, pair in pairs}
    return sorted(unique.values(), key=lambda p: (-p[2].score, p[0], p[1]))


def scored_pairs(folder: Folder) -> list[ScoredPair]:
    """Candidate pairs that score enough to join, best first (ties by index)."""
    order = blocking_order(folder)
    found = blocks([block_keys(folder.articles[i]) for i in order])
    return rank_pairs(p for members in found.values() for p in block_scores(folder, order, members))
