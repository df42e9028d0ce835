"""Resolve written names to entities: which names across reports are one party, how parties relate.

Names are normalised (case, punctuation, "&", legal suffixes, titles, noise such as "the" or
"executives from"), compared only within blocks that share a token, a token prefix or an
acronym (so the cost follows the number of distinct names, not its square), matched by
acronym, person-name and rapidfuzz rules, and clustered under cannot-link constraints: a part
("Adani Defence") is never the same entity as its whole ("Adani Group"), only related to it.
A short name or acronym that fits several entities ("Adani" beside "Adani Defence" and
"Adani Group") stays on its own rather than being guessed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import product

from rapidfuzz import fuzz

from ..models.report import AttendeeKind
from ..text import name_slug, name_tokens
from .aliases import AliasTable
from .blocking import DisjointSets, candidate_pairs
from .links import Link, LinkBasis, LinkRelation
from .names import GENERIC, Parsed, alias_keys, initialism, listed_names, parse

__all__ = ["Entity", "NameMention", "Resolution", "resolve"]

_ORG_FUZZY = 90  # rapidfuzz ratio for typos in organisation names
_PERSON_FUZZY = 90  # ... in full person names
_SURNAME_FUZZY = 88  # ... in surnames when the given names agree
_MIN_FUZZY_LEN = 6  # shorter keys only match exactly

_KIND_ORDER: tuple[AttendeeKind, ...] = ("organisation", "delegation", "person")  # tie order


@dataclass(frozen=True)
class NameMention:
    """One written name: an attendee (with its kind), a denier or an affiliation (kind None)."""

    name: str
    kind: AttendeeKind | None = None
    affiliation: str | None = None


@dataclass(frozen=True)
class Entity:
    """A resolved party: a stable id, the name shown, its kind and the normalised keys it has."""

    id: str
    name: str
    kind: AttendeeKind
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Resolution:
    """The entities found and how the written names map onto them."""

    entities: tuple[Entity, ...]
    links: tuple[Link, ...]
    names: dict[tuple[str, bool], tuple[str, ...]]

    def ids(self, name: str, kind: AttendeeKind | None) -> tuple[str, ...]:
        """The entity ids a name written in a report stands for (two for "X and Y")."""
        return self.names[(name, kind == "person")]


@dataclass
class _Node:
    key: str
    tokens: tuple[str, ...]
    initialism: str | None = None
    acronyms: frozenset[str] = frozenset()
    forms: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    affiliations: set[str] = field(default_factory=set)

    @property
    def person(self) -> bool:
        return self.kinds["person"] > self.kinds["organisation"] + self.kinds["delegation"]

    def blocks(self) -> set[str]:
        keys = {"k:" + self.key}
        keys.update("t:" + t for t in self.tokens)
        keys.update("p:" + t[:4] for t in self.tokens if len(t) >= 5)
        keys.update("a:" + a for a in self.acronyms)
        if self.initialism:
            keys.add("a:" + self.initialism)
        return keys


class _Resolver:
    """The state of one resolution: name nodes, their clusters and the links found."""

    def __init__(self, mentions: Iterable[NameMention], aliases: AliasTable) -> None:
        self.aliases = aliases
        counts = Counter(mentions)
        written: Counter[tuple[str, bool]] = Counter()
        kinds: dict[tuple[str, bool], Counter[str]] = defaultdict(Counter)
        for mention, count in counts.items():
            slot = (mention.name, mention.kind == "person")
            written[slot] += count
            if mention.kind:
                kinds[slot][mention.kind] += count
            if mention.affiliation:
                written[(mention.affiliation, False)] += count
        self.parsed = {slot: parse(slot[0], slot[1]) for slot in sorted(written)}
        by_key: dict[str, list[Parsed]] = defaultdict(list)
        for parsed in self.parsed.values():
            by_key[parsed.key].append(parsed)
        known = set(by_key)
        self.slot_keys: dict[tuple[str, bool], tuple[str, ...]] = {}
        extra: dict[str, Parsed] = {}
        for slot, parsed in self.parsed.items():
            parts = [] if slot[1] else [parse(p, False) for p in listed_names(parsed.display)]
            if len(parts) > 1 and all(p.key in known and p.key != parsed.key for p in parts):
                self.slot_keys[slot] = tuple(sorted({p.key for p in parts}))
            else:
                self.slot_keys[slot] = (parsed.key,)
                for alias in parsed.acronym_aliases:
                    extra.setdefault(parse(alias, False).key, parse(alias, False))
        nodes: dict[str, _Node] = {}
        for slot, parsed in self.parsed.items():
            for key in self.slot_keys[slot]:
                node = nodes.get(key) or nodes.setdefault(key, _node(by_key[key]))
                if self.slot_keys[slot] == (parsed.key,):
                    node.forms[parsed.display] += written[slot]
                node.kinds.update(kinds.get(slot, Counter()))
        for key, parsed in extra.items():
            nodes.setdefault(key, _node([parsed])).forms[parsed.display] += 1
        self.keys = sorted(nodes)
        self.nodes = [nodes[k] for k in self.keys]
        self.index = {k: i for i, k in enumerate(self.keys)}
        for mention in counts:
            if mention.affiliation:
                for key in self.slot_keys[(mention.name, mention.kind == "person")]:
                    self.nodes[self.index[key]].affiliations.update(
                        self.slot_keys[(mention.affiliation, False)]
                    )
        self.sets = DisjointSets(len(self.nodes))
        self.links: dict[tuple[int, int], tuple[LinkRelation, set[LinkBasis]]] = {}

    def _alias_nodes(self, name: str) -> list[int]:
        return sorted(self.index[k] for k in alias_keys(name) if k in self.index)

    def apply_aliases(self) -> None:
        for a, b in self.aliases.different:
            for i, j in product(self._alias_nodes(a), self._alias_nodes(b)):
                self.sets.forbid(i, j)
        for group in self.aliases.same:
            members = [i for name in group for i in self._alias_nodes(name)]
            for i in members[1:]:
                self.sets.union(members[0], i)
        for slot, parsed in self.parsed.items():
            if self.slot_keys[slot] == (parsed.key,):
                for alias in parsed.acronym_aliases:
                    self.sets.union(self.index[parsed.key], self.index[parse(alias, False).key])

    def add_hierarchy(self) -> None:
        """The "<X> Group" rule and the alias file's part_of: related, never the same."""
        groups: dict[tuple[str, ...], int] = {}
        for i, node in enumerate(self.nodes):
            if len(node.tokens) > 1 and node.tokens[-1] == "group" and not node.person:
                groups[node.tokens[:-1]] = i
        for i, node in enumerate(self.nodes):
            if node.person or node.tokens[-1] == "group":
                continue
            for length in range(1, len(node.tokens)):
                group = groups.get(node.tokens[:length])
                if group is not None:
                    self._link(i, group, "part_of", "group_name", forbid=True)
        for part, whole in self.aliases.part_of:
            for i, j in product(self._alias_nodes(part), self._alias_nodes(whole)):
                self._link(i, j, "part_of", "alias_file", forbid=True)

    def _link(
        self, part: int, whole: int, relation: LinkRelation, basis: LinkBasis, *, forbid: bool
    ) -> None:
        if forbid:
            self.sets.forbid(part, whole)
        entry = self.links.setdefault((part, whole), (relation, set()))
        entry[1].add(basis)

    def cluster(self, person: bool) -> None:
        """Join this kind's names: scored pairs best first, then short forms and acronyms
        that fit exactly one entity."""
        members = [i for i, node in enumerate(self.nodes) if node.person == person]
        scored: list[tuple[float, int, int]] = []
        short: dict[int, set[int]] = defaultdict(set)
        for a, b in candidate_pairs([self.nodes[i].blocks() for i in members]):
            i, j = members[a], members[b]
            ni, nj = self.nodes[i], self.nodes[j]
            score = _person_score(ni, nj) if person else _org_score(ni, nj)
            if score:
                scored.append((-score, i, j))
            elif _short_form(ni, nj, person) or (not person and _acronym_of(ni, nj)):
                short[i].add(j)
            elif _short_form(nj, ni, person) or (not person and _acronym_of(nj, ni)):
                short[j].add(i)
        employers = self._employers(members) if person else None
        related = {frozenset({self.sets.find(p), self.sets.find(w)}) for p, w in self.links}
        for _, i, j in sorted(scored):
            self._join(i, j, employers, related)
        for i in sorted(short):
            fits = sorted(j for j in short[i] if self.sets.find(j) != self.sets.find(i))
            if len({self.sets.find(j) for j in fits}) == 1:
                self._join(i, fits[0], employers, related)

    def _employers(self, members: list[int]) -> dict[int, set[int]]:
        """Per person set: the organisation clusters its names are affiliated with."""
        employers: dict[int, set[int]] = defaultdict(set)
        for i in members:
            employers[self.sets.find(i)].update(
                self.sets.find(self.index[k]) for k in self.nodes[i].affiliations
            )
        return employers

    def _join(
        self,
        a: int,
        b: int,
        employers: dict[int, set[int]] | None,
        related: set[frozenset[int]],
    ) -> None:
        """Union a and b; people with different, unrelated employers stay apart."""
        ra, rb = self.sets.find(a), self.sets.find(b)
        if employers is not None and ra != rb:
            ea, eb = employers[ra], employers[rb]
            linked = any(frozenset({x, y}) in related for x in ea for y in eb)
            if ea and eb and not ea & eb and not linked:
                return
        if self.sets.union(a, b) and employers is not None and ra != rb:
            merged = employers.pop(ra, set()) | employers.pop(rb, set())
            employers[self.sets.find(a)] = merged

    def affiliation_links(self) -> None:
        for i, node in enumerate(self.nodes):
            for key in sorted(node.affiliations):
                relation: LinkRelation = "affiliated_with" if node.person else "part_of"
                self._link(i, self.index[key], relation, "affiliation", forbid=False)

    def resolve(self) -> Resolution:
        self.apply_aliases()
        self.add_hierarchy()
        self.cluster(person=False)
        self.affiliation_links()
        self.cluster(person=True)
        entities, entity_of = self._entities()
        links: dict[tuple[str, str], tuple[LinkRelation, set[LinkBasis]]] = {}
        for (part, whole), (relation, bases) in sorted(self.links.items()):
            key = (entity_of[self.sets.find(part)], entity_of[self.sets.find(whole)])
            if key[0] != key[1]:
                links.setdefault(key, (relation, set()))[1].update(bases)
        names = {
            slot: tuple(sorted({entity_of[self.sets.find(self.index[k])] for k in keys}))
            for slot, keys in self.slot_keys.items()
        }
        return Resolution(
            entities=entities,
            links=tuple(
                Link(part=p, whole=w, relation=r, basis=tuple(sorted(b)))
                for (p, w), (r, b) in sorted(links.items())
            ),
            names=names,
        )

    def _entities(self) -> tuple[tuple[Entity, ...], dict[int, str]]:
        shown: dict[int, str] = {}
        for group in self.aliases.same:
            for name in group:
                for i in self._alias_nodes(name):
                    shown.setdefault(self.sets.find(i), group[0])
        drafts: list[tuple[str, str, AttendeeKind, tuple[str, ...], int]] = []
        for members in self.sets.groups():
            root = self.sets.find(members[0])
            forms: Counter[str] = Counter()
            kinds: Counter[str] = Counter()
            for i in members:
                forms.update(self.nodes[i].forms)
                kinds.update(self.nodes[i].kinds)
            initialisms = {self.nodes[i].initialism for i in members} - {None}
            kind = max(_KIND_ORDER, key=lambda k: kinds[k])
            name = shown.get(root) or min(
                forms or Counter({self.keys[members[0]]: 1}),
                key=lambda f: (
                    initialism(f) in initialisms,
                    -len(name_tokens(f)) if kind == "person" else 0,
                    -forms[f],
                    len(f),
                    f,
                ),
            )
            drafts.append((name, name_slug(name), kind, tuple(self.keys[i] for i in members), root))
        entities: list[Entity] = []
        entity_of: dict[int, str] = {}
        taken: Counter[str] = Counter()
        for name, slug, kind, keys, root in sorted(drafts):
            taken[slug] += 1
            entity_id = slug if taken[slug] == 1 else f"{slug}-{taken[slug]}"
            entities.append(Entity(id=entity_id, name=name, kind=kind, keys=keys))
            entity_of[root] = entity_id
        return tuple(sorted(entities, key=lambda e: e.id)), entity_of


def _node(parsed: Sequence[Parsed]) -> _Node:
    initialisms = sorted(p.initialism for p in parsed if p.initialism)
    return _Node(
        key=parsed[0].key,
        tokens=parsed[0].tokens,
        initialism=initialisms[0] if initialisms else None,
        acronyms=frozenset().union(*(p.acronyms for p in parsed)),
    )


def _digits(node: _Node) -> set[str]:
    return {t for t in node.tokens if any(c.isdigit() for c in t)}


def _acronym_of(short: _Node, full: _Node) -> bool:
    return short.initialism is not None and short.initialism in full.acronyms


def _org_score(a: _Node, b: _Node) -> float:
    if _digits(a) != _digits(b) or min(len(a.key), len(b.key)) < _MIN_FUZZY_LEN:
        return 0.0
    score = fuzz.ratio(a.key, b.key)
    return score if score >= _ORG_FUZZY else 0.0


def _person_score(a: _Node, b: _Node) -> float:
    if len(a.tokens) < 2 or len(b.tokens) < 2:
        return 0.0
    given_a, given_b = a.tokens[:-1], b.tokens[:-1]
    if min(len(given_a[0]), len(given_b[0])) == 1:
        return 0.0  # initials are ambiguous: handled as short forms
    score = fuzz.ratio(a.key, b.key)
    if given_a[0] == given_b[0] and fuzz.ratio(a.tokens[-1], b.tokens[-1]) >= _SURNAME_FUZZY:
        return max(score, float(_SURNAME_FUZZY))
    same_initials = a.key[0] == b.key[0] and a.tokens[-1][0] == b.tokens[-1][0]
    return score if score >= _PERSON_FUZZY and same_initials else 0.0


def _short_form(short: _Node, full: _Node, person: bool) -> bool:
    """Whether `short` can be an abbreviated way of writing `full` ("Adani" for "Adani Group",
    "A. Rajvanshi" or "Rajvanshi" for "Ashish Rajvanshi")."""
    if person:
        given, full_given = short.tokens[:-1], full.tokens[:-1]
        return (
            short.tokens[-1] == full.tokens[-1]
            and len(given) <= len(full_given)
            and all(len(t) == 1 for t in given)
            and (len(given) < len(full_given) or any(len(t) > 1 for t in full_given))
            and all(g == f[0] for g, f in zip(given, full_given, strict=False))
        )
    if len(short.tokens) >= len(full.tokens):
        return False
    if not set(short.tokens) < set(full.tokens) or short.tokens[0] != full.tokens[0]:
        return False
    return not (len(short.tokens) == 1 and short.tokens[0] in GENERIC)


def resolve(mentions: Iterable[NameMention], aliases: AliasTable | None = None) -> Resolution:
    """Resolve written names to entities; the result does not depend on the mentions' order."""
    return _Resolver(mentions, aliases or AliasTable()).resolve()
