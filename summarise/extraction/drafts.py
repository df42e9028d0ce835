"""The drafts the model fills, one per pass over an article, and the prompt version.

Drafts are compact on purpose (generated tokens are the cost): every item carries one quote
copied from the article, which the toolkit aligns to the text afterwards.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Self, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator

from ..grounding import locate
from ..models import AttendeeKind, RiskCategory
from ..prompts import load_prompt
from ..repair import repair_json

__all__ = [
    "PASSES",
    "PROMPT_NAME",
    "DraftDate",
    "GroundingCheck",
    "QuotedDraft",
    "ReportDraft",
    "ThemesDraft",
    "prompt_version",
]

PROMPT_NAME = "extract+extract-themes"


# The stances a model may give; "disputed" is the toolkit's, from the evidence.
_Stance = Literal["asserted", "reported", "denied", "uncertain"]


class _Draft(BaseModel):
    model_config = ConfigDict(extra="ignore")


# Length caps keep a small model from running away inside a string (the server turns them into
# grammar limits); they are generous for what each field should hold.
_Name = Annotated[str, Field(max_length=100)]
_Short = Annotated[str, Field(max_length=120)]
_Detail = Annotated[str, Field(max_length=160)]
_Quote = Annotated[str, Field(max_length=300)]


class _DraftLocation(_Draft):
    name: _Name
    quote: _Quote


class _DraftDate(_Draft):
    text: _Name
    of: _Short
    quote: _Quote


# A date as the model reads it (public name; the class name is part of the request's schema).
DraftDate = _DraftDate


class _DraftAttendee(_Draft):
    name: _Name
    kind: AttendeeKind
    affiliation: _Short | None
    role: _Short | None
    country: _Name | None
    stance: _Stance
    quote: _Quote


class _DraftDenial(_Draft):
    by: _Name
    claim: _Detail
    to_whom: _Short | None
    quote: _Quote


class _DraftTopic(_Draft):
    label: _Short
    detail: _Detail
    quote: _Quote


class _DraftRisk(_Draft):
    label: _Short
    detail: _Detail
    category: RiskCategory
    borne_by: _Short | None
    quote: _Quote


class _DraftFigure(_Draft):
    value: _Name
    what: _Short
    quote: _Quote


@dataclass
class GroundingCheck:
    """Validation state of one call, passed as instructor's `context=`: the text quotes must
    come from, how many times quotes not found may still be sent back, and the repairs made
    to the model's JSON."""

    text: str
    reasks_left: int = 1
    repairs: list[str] = field(default_factory=list)

    def context(self) -> dict[str, Any]:
        """The validation context carrying this check."""
        return {"grounding": self}


def _is_json_error(exc: ValidationError) -> bool:
    return any(error["type"] == "json_invalid" for error in exc.errors())


class QuotedDraft(_Draft):
    """A draft whose items each carry one quote copied from the article."""

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
        `GroundingCheck`, so the report can say what was done. Other faults raise as usual.
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
        check = (context or {}).get("grounding") if isinstance(context, dict) else None
        if isinstance(check, GroundingCheck):
            check.repairs.extend(repairs)
        return draft

    def quotes(self) -> list[str]:
        """Every item's quote, in field order."""
        return [
            item.quote
            for name in type(self).model_fields
            if isinstance(items := getattr(self, name), list)
            for item in items
        ]

    @model_validator(mode="after")
    def _quotes_in_article(self, info: ValidationInfo) -> QuotedDraft:
        """Send quotes that are not in the article back to the model, once."""
        check = (info.context or {}).get("grounding")
        if not isinstance(check, GroundingCheck):
            return self
        missing = list(dict.fromkeys(q for q in self.quotes() if locate(q, check.text) is None))
        if missing and check.reasks_left > 0:
            check.reasks_left -= 1
            listed = "; ".join(repr(q) for q in missing)
            raise ValueError(
                f"these quotes do not occur in the article: {listed}. Replace each with a "
                "passage copied word for word from the article, or drop the item."
            )
        return self


class ReportDraft(QuotedDraft):
    """First pass: the facts of the meetings (who, when, where, who denies, figures)."""

    summary: Annotated[str, Field(max_length=600)]
    locations: list[_DraftLocation] = Field(max_length=4)
    dates: list[_DraftDate] = Field(max_length=8)
    attendees: list[_DraftAttendee] = Field(max_length=16)
    denials: list[_DraftDenial] = Field(max_length=8)
    key_figures: list[_DraftFigure] = Field(max_length=6)


class ThemesDraft(QuotedDraft):
    """Second pass, on the same article prefix: what was discussed and what is at risk."""

    # The minimum counts are grammar rules on the embedded server: the small model otherwise
    # stops after one item (measured in docs/benchmarks.md). Every item still needs a quote
    # found in the article.
    topics: list[_DraftTopic] = Field(min_length=3, max_length=8)
    risks: list[_DraftRisk] = Field(min_length=2, max_length=6)


# Two passes over each article (or chunk): their prompts begin alike (system message, then the
# article), so the server's prefix cache evaluates the article once for both. Small models find
# more topics and risks when asked for them alone than at the end of one long report.
PASSES: tuple[tuple[str, type[QuotedDraft]], ...] = (
    ("extract", ReportDraft),
    ("extract-themes", ThemesDraft),
)


def prompt_version() -> str:
    """The prompt version recorded in reports: a hash of every pass's prompt file."""
    versions = "+".join(load_prompt(name).version for name, _ in PASSES)
    return hashlib.sha256(versions.encode()).hexdigest()[:12]
