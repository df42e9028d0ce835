"""Copy detection: near-duplicate articles (syndicated wire copy) count as one source.

Word 5-gram shingles, one-permutation MinHash sketches and locality-sensitive hashing find
candidate pairs without comparing every pair; candidates are confirmed by the exact Jaccard.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence

from ..entities import DisjointSets
from ..models.merged import CopyGroup
from ..models.report import Source
from ..text import words

__all__ = ["COPY_THRESHOLD", "Independence", "find_copies"]

COPY_THRESHOLD = 0.7  # Jaccard similarity of word 5-grams above which articles are copies

_SHINGLE = 5
_BANDS, _ROWS = 16, 3  # LSH over one-permutation MinHash: 48 bins, 16 bands of 3
_BINS = _BANDS * _ROWS
_EMPTY_BIN = 1 << 64
_SKETCH_MARGIN = 0.25  # sketch agreement this far below the threshold still gets an exact check


class Independence:
    """Counts sources with near-duplicate copies counted once."""

    def __init__(self, copies: Sequence[CopyGroup]) -> None:
        self._group = {sid: group.source_ids[0] for group in copies for sid in group.source_ids}

    def count(self, source_ids: Iterable[str]) -> int:
        """How many independent sources the given sources are."""
        return len({self._group.get(sid, sid) for sid in source_ids})


def _shingles(text: str) -> set[int]:
    hashes = [zlib.crc32(w.encode("utf-8")) for w in words(text)]
    return {
        hash(tuple(hashes[i : i + _SHINGLE])) & 0xFFFF_FFFF_FFFF_FFFF
        for i in range(len(hashes) - _SHINGLE + 1)
    }


def _sketch(shingles: set[int]) -> tuple[int, ...]:
    """A one-permutation MinHash sketch of the shingles (empty for no shingles).

    Empty bins (short texts) are densified: each takes the value of the next non-empty bin,
    marked with its distance, so that equal sets still give equal sketches.
    """
    if not shingles:
        return ()
    bins = [_EMPTY_BIN] * _BINS
    for value in shingles:
        position, rank = value % _BINS, value // _BINS
        if rank < bins[position]:
            bins[position] = rank
    return tuple(
        next(
            bins[(i + d) % _BINS] + d * _EMPTY_BIN
            for d in range(_BINS)
            if bins[(i + d) % _BINS] != _EMPTY_BIN
        )
        for i in range(_BINS)
    )


def find_copies(sources: Sequence[Source], threshold: float = COPY_THRESHOLD) -> list[CopyGroup]:
    """Groups of near-duplicate articles (Jaccard of word 5-grams >= threshold).

    Candidates are articles sharing a band of their MinHash sketches (locality-sensitive
    hashing) or their text, so the work grows with the number of articles, not its square;
    a candidate whose sketch agrees closely enough is checked with the exact Jaccard.
    """
    ordered = sorted({s.id: s for s in sources}.values(), key=lambda s: s.id)
    sets = DisjointSets(len(ordered))
    joined: list[tuple[int, float]] = []
    by_text: dict[str, int] = {}
    sketches: list[tuple[int, ...]] = []
    buckets: dict[tuple[int, tuple[int, ...]], list[int]] = defaultdict(list)
    for index, source in enumerate(ordered):
        first = by_text.setdefault(source.sha256, index)
        if first != index:
            sets.union(first, index)
            joined.append((index, 1.0))
        sketch = _sketch(_shingles(source.text))
        sketches.append(sketch)
        for band in range(_BANDS if sketch else 0):
            buckets[(band, sketch[band * _ROWS : (band + 1) * _ROWS])].append(index)
    for key in sorted(buckets):
        representatives: list[int] = []
        for index in buckets[key]:
            for other in representatives:
                if sets.find(index) == sets.find(other):
                    break
                agree = sum(x == y for x, y in zip(sketches[index], sketches[other], strict=True))
                if agree / _BINS < threshold - _SKETCH_MARGIN:
                    continue
                similarity = _jaccard(ordered[index].text, ordered[other].text)
                if similarity >= threshold:
                    sets.union(index, other)
                    joined.append((index, similarity))
                    break
            else:
                representatives.append(index)
    lowest: dict[int, float] = {}
    for index, similarity in joined:
        root = sets.find(index)
        lowest[root] = min(similarity, lowest.get(root, 1.0))
    return [
        CopyGroup(
            source_ids=[ordered[i].id for i in group],
            similarity=round(lowest[sets.find(group[0])], 3),
        )
        for group in sets.groups()
        if len(group) > 1
    ]


def _jaccard(a: str, b: str) -> float:
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0
