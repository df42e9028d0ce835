"""How two distinct entities relate: a part of a whole, or a person affiliated with one.

Kept apart from the resolution so that the merged-report models can name a link's basis
without importing the resolver.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Link", "LinkBasis", "LinkRelation"]

LinkRelation = Literal["part_of", "affiliated_with"]
LinkBasis = Literal["affiliation", "group_name", "alias_file"]


@dataclass(frozen=True)
class Link:
    """`part` is part of, or a person affiliated with, `whole`; never the same entity."""

    part: str
    whole: str
    relation: LinkRelation
    basis: tuple[LinkBasis, ...]
