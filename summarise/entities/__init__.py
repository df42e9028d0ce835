"""Entity resolution: which written names across reports are one party, and how parties relate.

`names` normalises written names, `aliases` reads the analyst's alias table, `blocking` holds
the union-find and the candidate pairs, `links` the relations between distinct entities, and
`resolution` clusters names into entities. Everything callers use is importable from here.
"""

from .aliases import AliasTable, load_aliases
from .blocking import MAX_BLOCK, NEIGHBOURS, DisjointSets, block_pairs, blocks, candidate_pairs
from .links import Link, LinkBasis, LinkRelation
from .resolution import Entity, NameMention, Resolution, resolve

__all__ = [
    "MAX_BLOCK",
    "NEIGHBOURS",
    "AliasTable",
    "DisjointSets",
    "Entity",
    "Link",
    "LinkBasis",
    "LinkRelation",
    "NameMention",
    "Resolution",
    "block_pairs",
    "blocks",
    "candidate_pairs",
    "load_aliases",
    "resolve",
]
