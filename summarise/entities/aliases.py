"""The analyst's alias table and its file: names forced together, kept apart, or related.

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
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import InputError, describe_validation_error
from .names import alias_keys

__all__ = ["AliasTable", "load_aliases"]


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
                for key in alias_keys(name):
                    group_of.setdefault(key, number)
        for kind, pairs in (("different", self.different), ("part_of", self.part_of)):
            for a, b in pairs:
                if alias_keys(a) & alias_keys(b):
                    raise ValueError(f"{a!r} and {b!r} normalise alike: they cannot be apart")
                shared = {group_of.get(k) for k in alias_keys(a)} & {
                    group_of.get(k) for k in alias_keys(b)
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
