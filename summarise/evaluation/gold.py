"""The gold annotations: what a correct report of one article contains (`gold/README.md`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..dates import Interval
from ..errors import InputError
from ..models import AttendeeKind

__all__ = [
    "Gold",
    "GoldAttendee",
    "GoldDate",
    "GoldDenial",
    "GoldKeywordItem",
    "GoldStance",
    "load_gold",
]

GoldStance = Literal["asserted", "reported", "denied", "uncertain", "disputed"]


class _GoldModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoldAttendee(_GoldModel):
    name: str
    aliases: list[str] = Field(default_factory=list)
    kind: AttendeeKind
    stances: list[GoldStance] = Field(
        min_length=1, description="Every stance that counts as right."
    )

    @property
    def names(self) -> list[str]:
        """The name and its aliases."""
        return [self.name, *self.aliases]


class GoldDenial(_GoldModel):
    by: str
    aliases: list[str] = Field(default_factory=list)
    claim_keywords: list[str] = Field(min_length=1)

    @property
    def names(self) -> list[str]:
        """The denier's name and its aliases."""
        return [self.by, *self.aliases]


class GoldDate(_GoldModel):
    of: str
    text: str
    earliest: date
    latest: date

    @model_validator(mode="after")
    def _ordered(self) -> GoldDate:
        if self.earliest > self.latest:
            raise ValueError(f"date {self.text!r}: earliest is after latest")
        return self

    @property
    def interval(self) -> Interval:
        """The days the gold date allows."""
        return Interval(self.earliest, self.latest)


class GoldKeywordItem(_GoldModel):
    """A gold topic or risk."""

    label: str
    keywords: list[str] = Field(min_length=1)


class Gold(_GoldModel):
    """What a correct report of one article contains (`gold/README.md`)."""

    article: str = Field(description="The article's file name; its stem is the report's id.")
    published_before: date | None = None
    published_after: date | None = None
    attendees: list[GoldAttendee] = Field(default_factory=list)
    optional_attendees: list[str] = Field(default_factory=list)
    not_attendees: list[str] = Field(default_factory=list)
    denials: list[GoldDenial] = Field(default_factory=list)
    not_deniers: list[str] = Field(default_factory=list)
    dates: list[GoldDate] = Field(default_factory=list)
    topics: list[GoldKeywordItem] = Field(default_factory=list)
    risks: list[GoldKeywordItem] = Field(default_factory=list)

    @property
    def stem(self) -> str:
        """The article's file stem: the id of its report and the name of its report file."""
        return Path(self.article).stem


def load_gold(path: Path) -> Gold:
    """Read one gold file; raise `InputError` when it is missing or invalid."""
    try:
        return Gold.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read gold file {path}: {exc.strerror or exc}") from exc
    except ValidationError as exc:
        raise InputError(f"invalid gold file {path}: {exc}") from exc
