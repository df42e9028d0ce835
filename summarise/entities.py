"""Entity resolution: which written names across reports are one party, and how parties relate.

Names are normalised (case, punctuation, "&", legal suffixes, titles, noise such as "the" or
"executives from"), compared only within blocks that share a token, a token prefix or an
acronym (so the cost follows the number of distinct names, not its square), matched by
acronym, person-name and rapidfuzz rules, and clustered under cannot-link constraints: a part
("Adani Defence") is never the same entity as its whole ("Adani Group"), only related to it.
A short name or acronym that fits several entities ("Adani" beside "Adani Defence" and
"Adani Group") stays on its own rather than being guessed.

Alias file: JSON, or TOML when the file name ends in ``.toml``; every key is optional::

    same = [["Society of Indian Defence Manufacturers", "SIDM"]]  # force one entity;
                                                                  # the first name is shown
    different = [["Adani Defence", "Adani Group"]]                # forbid one entity
    part_of = [["Bharat Forge", "Kalyani Group"]]                 # [part, whole]: related

(JSON: ``{"same": [[...]], "different": [[a, b]], "part_of": [[part, whole]]}``.) Names in
the file match the reports' names after the same normalisation ("Bharat Forge Ltd." matches
"Bharat Forge"). A `different` pair wins over a `same` group that would join the two; a
`same` group wins over the built-in rules.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from rapidfuzz import fuzz

from .errors import InputError, describe_validation_error
from .models.report import AttendeeKind
from .text import name_slug, name_tokens

LinkRelation = Literal["part_of", "affiliated_with"]
LinkBasis = Literal["affiliation", "group_name", "alias_file"]

# Blocks larger than this are not compared all-pairs but by sorted neighbourhood.
MAX_BLOCK = 64
NEIGHBOURS = 8

_ORG_FUZZY = 90  # rapidfuzz ratio for typos in organisation names
_PERSON_FUZZY = 90  # ... in full person names
_SURNAME_FUZZY = 88  # ... in surnames when the given names agree
_MIN_FUZZY_LEN = 6  # shorter keys only match exactly

_STOPWORDS = frozenset({"and", "of", "the", "for", "in", "on", "at", "to"})
_LEGAL_SUFFIXES = frozenset(
    {
        "ltd", "limited", "pvt", "private", "inc", "incorporated", "corp", "corporation",
        "co", "company", "llc", "plc", "gmbh", "ag", "sa", "jsc", "pjsc", "ojsc", "ooo",
        "llp", "lp", "nv", "bv", "pte", "pty", "srl", "spa",
    }
)  # fmt: skip
_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "shri", "sri", "smt"})
_PERSON_TITLES = _HONORIFICS | frozenset(
    {
        "prof", "professor", "sir", "dame", "kumari", "hon", "honourable", "lt", "lieutenant",
        "gen", "general", "maj", "major", "col", "colonel", "brig", "brigadier", "capt",
        "captain", "cdr", "commander", "adm", "admiral", "air", "marshal", "chief", "vice",
        "rear", "president", "prime", "minister", "secretary", "ceo", "chairman",
        "chairperson", "md", "director", "ambassador", "deputy", "defence", "production",
    }
)  # fmt: skip
# Words that name no one on their own: a one-word short form made of one is never matched.
_GENERIC = frozenset(
    {
        "group", "company", "companies", "firm", "firms", "india", "indian", "russia",
        "russian", "defence", "defense", "ministry", "government", "delegation",
        "executives", "officials", "startups", "systems", "industries", "society",
        "national", "international", "corporation", "services", "technologies",
    }
)  # fmt: skip

_KIND_ORDER: tuple[AttendeeKind, ...] = ("organisation", "delegation", "person")  # tie order
_TYPOGRAPHY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_ROLE_WORDS = (
    r"executives?|representatives?|officials?|spokes(?:person|persons|people|man|men|woman|women)"
    r"|delegates?|members?|staff|employees?|officers?|leaders?|heads?|teams?"
)
_NOISE_HEAD = re.compile(
    r"^(?:m/s\.?\s+)?(?:(?:the|a|an|some|several|senior|top|other|two|three)\s+)*"
    rf"(?:(?:{_ROLE_WORDS})\s+(?:from|of|for|at|with|associated\s+with|representing)\s+)?"
    r"(?:the\s+)?",
    re.IGNORECASE,
)
_NOISE_TAIL = re.compile(rf"(?:'s)?\s+(?:{_ROLE_WORDS}|management)\s*$", re.IGNORECASE)
_POSSESSIVE_END = re.compile(r"'s?\s*$")
_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)")
_SPLIT = re.compile(r"\s*(?:,|;|/|&|\band\b)\s*", re.IGNORECASE)


class AliasTable(BaseModel):
    """An analyst's decisions about names: force-same groups, forbid-same pairs, part_of."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    same: list[list[str]] = Field(
        default_factory=list,
        description="Groups of names that are one entity; the first name is the one shown.",
    )
    different: list[tuple[str, str]] = Field(
        default_factory=list, description="Pairs of names that are never one entity."
    )
    part_of: list[tuple[str, str]] = Field(
        default_factory=list,
        description="[part, whole] pairs: related entities (never one entity).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> AliasTable:
        group_of: dict[str, int] = {}
        for number, group in enumerate(self.same):
            if not group:
                raise ValueError("a `same` group needs at least one name")
            for name in group:
                for key in _alias_keys(name):
                    group_of.setdefault(key, number)
        for kind, pairs in (("different", self.different), ("part_of", self.part_of)):
            for a, b in pairs:
                if _alias_keys(a) & _alias_keys(b):
                    raise ValueError(f"{a!r} and {b!r} normalise alike: they cannot be apart")
                shared = {group_of.get(k) for k in _alias_keys(a)} & {
                    group_of.get(k) for k in _alias_keys(b)
                }
                if shared - {None}:
                    raise ValueError(f"{a!r} and {b!r} are both `same` and `{kind}`")
        return self

    def combined(self, *others: AliasTable) -> AliasTable:
        """This table and others as one canonical table (deduplicated, sorted)."""
        tables = (self, *others)
        groups = {tuple(g): None for t in tables for g in t.same}
        return AliasTable(
            same=[list(g) for g in sorted(groups)],
            different=sorted({tuple(sorted(p)) for t in tables for p in t.different}),  # type: ignore[misc]
            part_of=sorted({p for t in tables for p in t.part_of}),
        )


def load_aliases(path: str | Path) -> AliasTable:
    """Read an alias file (JSON, or TOML for ``*.toml``); raise InputError naming the file."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the alias file: {exc}") from exc
    try:
        data: object = tomllib.loads(raw) if path.suffix.lower() == ".toml" else json.loads(raw)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a valid alias file: {exc}") from exc
    try:
        return AliasTable.model_validate(data)
    except ValidationError as exc:
        problems = describe_validation_error(exc, root="file", more=False)
        raise InputError(f"{path}: not a valid alias file: {problems}") from exc


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
class Link:
    """`part` is part of, or a person affiliated with, `whole`; never the same entity."""

    part: str
    whole: str
    relation: LinkRelation
    basis: tuple[LinkBasis, ...]


@dataclass(frozen=True)
class Resolution:
    """The entities found and how the written names map onto them."""

    entities: tuple[Entity, ...]
    links: tuple[Link, ...]
    names: dict[tuple[str, bool], tuple[str, ...]]

    def ids(self, name: str, kind: AttendeeKind | None) -> tuple[str, ...]:
        """The entity ids a name written in a report stands for (two for "X and Y")."""
        return self.names[(name, kind == "person")]


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


def candidate_pairs(
    block_keys: Sequence[Iterable[str]], *, max_block: int = MAX_BLOCK, window: int = NEIGHBOURS
) -> list[tuple[int, int]]:
    """Pairs (i < j) of items sharing a block key, without comparing all pairs.

    Small blocks give all their pairs; a block larger than `max_block` gives each item with its
    next `window` items in index order (sorted neighbourhood: callers sort items by key), so the
    number of pairs stays linear in the number of items.
    """
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, keys in enumerate(block_keys):
        for key in set(keys):
            blocks[key].append(index)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        reach = len(members) if len(members) <= max_block else window + 1
        for position, i in enumerate(members):
            pairs.update((i, j) for j in members[position + 1 : position + reach])
    return sorted(pairs)


@dataclass(frozen=True)
class _Parsed:
    key: str
    tokens: tuple[str, ...]
    display: str
    initialism: str | None
    acronyms: frozenset[str]
    acronym_aliases: tuple[str, ...]


def _clean(name: str) -> str:
    """The name without noise around it ("the", "executives from", "'s spokespeople")."""
    text = " ".join(unicodedata.normalize("NFKC", name).translate(_TYPOGRAPHY).split())
    for _ in range(2):
        text = _NOISE_HEAD.sub("", text, count=1)
        tail = _NOISE_TAIL.search(text)
        if tail and tail.start() > 0 and not set(name_tokens(text[: tail.start()])) <= _GENERIC:
            text = text[: tail.start()]
        text = _POSSESSIVE_END.sub("", text).strip(" ,;:")
    return text


def _initialism(display: str) -> str | None:
    letters = [c for c in display if c.isalnum()]
    if (
        (3 <= len(letters) <= 8 or (len(letters) == 2 and "&" in display))
        and all(c.isupper() or c.isdigit() for c in letters)
        and sum(c.isalpha() for c in letters) >= 2
        and not any(c.isspace() for c in display)
    ):
        return "".join(letters).casefold()
    return None


def _parse(name: str, person: bool) -> _Parsed:
    display = _clean(name)
    aliases: list[str] = []

    def _keep_acronym(match: re.Match[str]) -> str:
        if _initialism(match.group(1).strip()):
            aliases.append(match.group(1).strip())
        return ""

    display = _PARENTHESIS.sub(_keep_acronym, display).strip()
    if person:
        display = display.split(",")[0].strip()
    raw = name_tokens(display)
    titles = _PERSON_TITLES if person else _HONORIFICS
    while len(raw) > 1 and raw[0] in titles:
        raw.pop(0)
    if person:
        display = _strip_titles(display, len(name_tokens(display)) - len(raw))
    while raw and raw[0] == "the":
        raw.pop(0)
    words = [t for t in raw if t not in _STOPWORDS]
    if len(words) > 1 and all(len(t) == 1 for t in words):
        raw = words = ["".join(words)]
    stripped = list(raw)
    while not person and len(stripped) > 1 and stripped[-1] in _LEGAL_SUFFIXES:
        stripped.pop()
    tokens = tuple(t for t in stripped if t not in _STOPWORDS)
    key = " ".join(stripped) or name.casefold().strip() or "(unnamed)"
    acronyms: set[str] = set()
    if not person and len(tokens) > 1:
        acronyms.add("".join(t[0] for t in tokens))
        acronyms.add("".join(t[0] for t in stripped))
        acronyms.add("".join(t[0] for t in words))
    return _Parsed(
        key=key,
        tokens=tokens or (key,),
        display=display or name.strip(),
        initialism=None if person else _initialism(display),
        acronyms=frozenset(a for a in acronyms if len(a) > 1),
        acronym_aliases=tuple(aliases),
    )


def _strip_titles(display: str, count: int) -> str:
    words = display.split()
    dropped = 0
    while dropped < count and words:
        dropped += len(name_tokens(words.pop(0)))
    return " ".join(words)


def _alias_keys(name: str) -> set[str]:
    return {_parse(name, person=False).key, _parse(name, person=True).key}


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
        self.parsed = {slot: _parse(slot[0], slot[1]) for slot in sorted(written)}
        by_key: dict[str, list[_Parsed]] = defaultdict(list)
        for parsed in self.parsed.values():
            by_key[parsed.key].append(parsed)
        known = set(by_key)
        self.slot_keys: dict[tuple[str, bool], tuple[str, ...]] = {}
        extra: dict[str, _Parsed] = {}
        for slot, parsed in self.parsed.items():
            parts = [] if slot[1] else [_parse(p, False) for p in _SPLIT.split(parsed.display)]
            if len(parts) > 1 and all(p.key in known and p.key != parsed.key for p in parts):
                self.slot_keys[slot] = tuple(sorted({p.key for p in parts}))
            else:
                self.slot_keys[slot] = (parsed.key,)
                for alias in parsed.acronym_aliases:
                    extra.setdefault(_parse(alias, False).key, _parse(alias, False))
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
        return sorted(self.index[k] for k in _alias_keys(name) if k in self.index)

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
                    self.sets.union(self.index[parsed.key], self.index[_parse(alias, False).key])

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
                    _initialism(f) in initialisms,
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


def _node(parsed: Sequence[_Parsed]) -> _Node:
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
    return not (len(short.tokens) == 1 and short.tokens[0] in _GENERIC)


def resolve(mentions: Iterable[NameMention], aliases: AliasTable | None = None) -> Resolution:
    """Resolve written names to entities; the result does not depend on the mentions' order."""
    return _Resolver(mentions, aliases or AliasTable()).resolve()
