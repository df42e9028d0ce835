"""The drafts the model fills, one per pass over an article, and the prompt version.

Drafts hold only what the model must decide (names, kinds, stances, date texts, labels): no
quotes, since the toolkit finds the sentence that backs each item itself (`summarise.citing`),
and every generated token costs time. Length caps keep a small model from running away
inside a string; the server turns them, and the lists' sizes, into grammar rules.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, Literal, Self, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..models import AttendeeKind, RiskCategory
from ..prompts import load_prompt
from ..repair import repair_json

__all__ = [
    "PASSES",
    "PROMPT_NAME",
    "Draft",
    "FactsDraft",
    "Pass",
    "ThemesDraft",
    "ValidationState",
    "prompt_version",
]

PROMPT_NAME = "facts+themes"

# The stances a model may give; "disputed" is the toolkit's, from the evidence.
_Stance = Literal["asserted", "reported", "denied", "uncertain"]
_Name = Annotated[str, Field(max_length=100)]
_Short = Annotated[str, Field(max_length=120)]
_Detail = Annotated[str, Field(max_length=100)]


@dataclass
class ValidationState:
    """What one call's validation did, passed as instructor's `context=`: the repairs made to
    the model's JSON."""

    repairs: list[str] = field(default_factory=list)

    def context(self) -> dict[str, Any]:
        """The validation context carrying this state."""
        return {"summarise": self}


def _is_json_error(exc: ValidationError) -> bool:
    return any(error["type"] == "json_invalid" for error in exc.errors())


class Draft(BaseModel):
    """A draft the model fills; its JSON is repaired where that has one meaning."""

    model_config = ConfigDict(extra="ignore")

    @classmethod
    def model_validate_json(
        cls,
        json_data: str | bytes | bytearray,
        *,
        strict: bool | None = None,
        extra: Any = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """Validate the model's JSON, repairing it first where its meaning is unambiguous.

        Raw control characters in strings are escaped and a cut-off answer keeps its complete
        items (lists it never reached are empty); the repairs are recorded in the context's
        `ValidationState`, so the report can say what was done. Other faults raise as usual.
        """
        options: dict[str, Any] = {"strict": strict, "context": context}
        try:
            return super().model_validate_json(json_data, **options)
        except ValidationError as exc:
            text = json_data if isinstance(json_data, str) else bytes(json_data).decode()
            repaired = repair_json(text) if _is_json_error(exc) else None
            if repaired is None:
                raise
        data = json.loads(repaired.text)
        repairs = list(repaired.repairs)
        if isinstance(data, dict):
            absent = [
                name
                for name, info in cls.model_fields.items()
                if name not in data and get_origin(info.annotation) is list
            ]
            if absent and repairs:  # a cut-off answer never reached these lists
                data.update({name: [] for name in absent})
                repairs.append(f"{', '.join(absent)} left empty (the output was cut off)")
        draft = cls.model_validate(data, **options)
        state = context.get("summarise") if isinstance(context, dict) else None
        if isinstance(state, ValidationState):
            state.repairs.extend(repairs)
        return draft


class _Place(Draft):
    name: _Name


class _Date(Draft):
    text: _Name
    of: _Short
    main: bool


class _Attendee(Draft):
    name: _Name
    kind: AttendeeKind
    role: _Short | None
    affiliation: _Short | None
    stance: _Stance


class _Denial(Draft):
    by: _Name
    claim: _Detail


class _Figure(Draft):
    value: _Name
    what: _Short


class FactsDraft(Draft):
    """First pass: the facts of the meetings (who, when, where, who denies, figures)."""

    summary: Annotated[str, Field(max_length=400)]
    locations: list[_Place] = Field(max_length=4)
    dates: list[_Date] = Field(max_length=8)
    # At least one: a small model otherwise answers an article it found hard with empty lists
    # (seen on the French test article); an attendee no sentence backs is dropped anyway.
    attendees: list[_Attendee] = Field(min_length=1, max_length=16)
    denials: list[_Denial] = Field(max_length=8)
    key_figures: list[_Figure] = Field(max_length=6)


class _Topic(Draft):
    label: _Short
    detail: _Detail


class _Risk(Draft):
    label: _Short
    detail: _Detail
    category: RiskCategory
    borne_by: _Short | None


class ThemesDraft(Draft):
    """Second pass, on the same article prefix: what was discussed and what is at risk."""

    # Minimum counts are grammar rules on the embedded server: the small model otherwise stops
    # after one item (measured in docs/benchmarks.md); items no sentence backs are dropped.
    topics: list[_Topic] = Field(min_length=3, max_length=6)
    risks: list[_Risk] = Field(min_length=2, max_length=5)


@dataclass(frozen=True)
class Pass:
    """One call over the article: its prompt, the draft it fills and its generation cap."""

    name: str
    draft: type[Draft]
    max_tokens: int


# Two passes over each article (or chunk): their prompts begin alike (system message, then the
# article), so the server's prefix cache evaluates the article once for both. The caps are
# about twice what the passes wrote on the dev set, so a runaway stops early.
PASSES: tuple[Pass, ...] = (
    Pass("facts", FactsDraft, 900),
    Pass("themes", ThemesDraft, 450),
)


@cache
def prompt_version() -> str:
    """The prompt version recorded in reports: a hash of every pass's prompt and draft."""
    parts = [
        f"{p.name}:{load_prompt(p.name).version}:{p.max_tokens}:"
        f"{json.dumps(p.draft.model_json_schema(), sort_keys=True)}"
        for p in PASSES
    ]
    return hashlib.sha256("+".join(parts).encode()).hexdigest()[:12]
