"""Union-find with cannot-link constraints, and blocking: which pairs of items to compare.

Shared by entity resolution and the merge's grouping of dates, labels and figures, so that the
work grows with the number of distinct items, not its square.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

__all__ = ["MAX_BLOCK", "NEIGHBOURS", "DisjointSets", "block_pairs", "blocks", "candidate_pairs"]

# Blocks larger than this are not compared all-pairs but by sorted neighbourhood.
MAX_BLOCK = 64
NEIGHBOURS = 8


class DisjointSets:
    """Union-find over 0..n-1 with cannot-link constraints between members."""

    def __init__(self, size: int) -> None:
        self._parent = list(range(size))
        self._forbidden: dict[int, set[int]] = defaultdict(set)

    def find(self, item: int) -> int:
        """The representative of the item's set."""
        root = item
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[item] != root:
            self._parent[item], item = root, self._parent[item]
        return root

    def forbid(self, a: int, b: int) -> None:
        """Never join the sets of a and b (unless they are already joined)."""
        if self.find(a) != self.find(b):
            self._forbidden[a].add(b)
            self._forbidden[b].add(a)

    def allowed(self, a: int, b: int) -> bool:
        """Whether joining a's and b's sets breaks no cannot-link."""
        ra, rb = self.find(a), self.find(b)
        return ra == rb or not any(self.find(x) == rb for x in self._forbidden.get(ra, ()))

    def union(self, a: int, b: int) -> bool:
        """Join the sets of a and b if allowed; return whether they are now one set."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not self.allowed(a, b):
            return False
        small, large = sorted((ra, rb), key=lambda r: len(self._forbidden.get(r, ())))
        self._parent[small] = large
        if small in self._forbidden:
            self._forbidden[large] |= self._forbidden.pop(small)
        return True

    def groups(self) -> list[list[int]]:
        """The sets, each sorted, in order of their smallest member."""
        members: dict[int, list[int]] = defaultdict(list)
        for item in range(len(self._parent)):
            members[self.find(item)].append(item)
        return sorted(members.values())


def blocks(block_keys: Sequence[Iterable[str]]) -> dict[str, list[int]]:
    """The items (indexes, ascending) that share each block key."""
    found: dict[str, list[int]] = defaultdict(list)
    for index, keys in enumerate(block_keys):
        for key in set(keys):
            found[key].append(index)
    return found


def block_pairs(
    members: Sequence[int], *, max_block: int = MAX_BLOCK, window: int = NEIGHBOURS
) -> Iterator[tuple[int, int]]:
    """The pairs one block gives (members ascending): all of them in a small block, else each
    member with its next `window` members (sorted neighbourhood)."""
    reach = len(members) if len(members) <= max_block else window + 1
    for position, i in enumerate(members):
        for j in members[position + 1 : position + reach]:
            yield i, j


def candidate_pairs(
    block_keys: Sequence[Iterable[str]], *, max_block: int = MAX_BLOCK, window: int = NEIGHBOURS
) -> list[tuple[int, int]]:
    """Pairs (i < j) of items sharing a block key, without comparing all pairs.

    Small blocks give all their pairs; a block larger than `max_block` gives each item with its
    next `window` items in index order (sorted neighbourhood: callers sort items by key), so the
    number of pairs stays linear in the number of items.
    """
    pairs: set[tuple[int, int]] = set()
    for members in blocks(block_keys).values():
        pairs.update(block_pairs(members, max_block=max_block, window=window))
    return sorted(pairs)
