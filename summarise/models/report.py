"""The per-article data model: articles, evidence and the report made of one article.

These models are an output contract other tools read (see `schemas/`); field names are stable.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from .base import StrictModel

__all__ = [
    "SCHEMA_VERSION",
    "Alignment",
    "Article",
    "Attendee",
    "AttendeeKind",
    "DateMention",
    "DatePrecision",
    "DefenceMeetingReport",
    "Denial",
    "Evidence",
    "ExtractionInfo",
    "KeyFigure",
    "Location",
    "ReportItem",
    "Risk",
    "RiskCategory",
    "Source",
    "Stance",
    "TokenUsage",
    "Topic",
]

SCHEMA_VERSION = "1"

Alignment = Literal["exact", "normalised", "fuzzy", "not_found"]
Stance = Literal["asserted", "reported", "denied", "uncertain"]
AttendeeKind = Literal["person", "organisation", "delegation"]
DatePrecision = Literal["day", "days", "part_of_month", "month", "year", "unknown"]
RiskCategory = Literal[
    "sanctions", "technology_access", "diplomatic", "financial", "political", "security", "other"
]


class Article(StrictModel):
    """An article to summarise: its exact text plus what is known about it."""

    id: str = Field(description="Stable identifier, e.g. the file stem.")
    text: str
    title: str | None = None
    url: str | None = None
    published: date | None = Field(
        default=None, description="Publication date; anchors dates written without a year."
    )

    @classmethod
    def from_text(cls, text: str, **metadata: object) -> Article:
        """Wrap raw text, deriving the id from the text's hash when none is given."""
        meta = dict(metadata)
        meta.setdefault("id", "text-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12])
        return cls.model_validate({"text": text, **meta})


class Evidence(StrictModel):
    """A verbatim quote from one source, located in that source's stored text.

    For aligned evidence, `Source.text[start:end] == quote` holds; offsets are computed by the
    toolkit, never taken from the model.
    """

    source_id: str
    quote: str = Field(description="The span as it stands in the source (or the model's text).")
    start: int | None = Field(default=None, description="Character offset, inclusive.")
    end: int | None = Field(default=None, description="Character offset, exclusive.")
    alignment: Alignment
    model_quote: str | None = Field(
        default=None, description="What the model quoted, when it differs from the source span."
    )

    @model_validator(mode="after")
    def _offsets_match_alignment(self) -> Evidence:
        if self.alignment == "not_found":
            if self.start is not None or self.end is not None:
                raise ValueError("evidence that is not found has no offsets")
        elif self.start is None or self.end is None or not 0 <= self.start < self.end:
            raise ValueError("aligned evidence needs offsets with 0 <= start < end")
        return self

    @property
    def aligned(self) -> bool:
        """Whether the quote was located in the source."""
        return self.alignment != "not_found"


class Source(StrictModel):
    """The article a report was made from, with the exact text offsets refer to."""

    id: str
    title: str | None = None
    url: str | None = None
    published: date | None = None
    sha256: str = Field(description="SHA-256 of `text` encoded as UTF-8.")
    text: str

    @classmethod
    def of(cls, article: Article) -> Source:
        """The source record for an article."""
        digest = hashlib.sha256(article.text.encode("utf-8")).hexdigest()
        return cls(
            id=article.id,
            title=article.title,
            url=article.url,
            published=article.published,
            sha256=digest,
            text=article.text,
        )


class Location(StrictModel):
    """A place the article links to the meetings, as the article names it."""

    name: str
    evidence: list[Evidence] = Field(default_factory=list)


class DateMention(StrictModel):
    """A date as written, and the interval it allows, anchored to the publication date."""

    text: str = Field(description="The date as the article writes it, e.g. 'late October'.")
    of: str = Field(description="What the date is of, e.g. 'the meetings in Moscow'.")
    earliest: date | None = None
    latest: date | None = None
    precision: DatePrecision = "unknown"
    evidence: list[Evidence] = Field(default_factory=list)


class Attendee(StrictModel):
    """A person, organisation or delegation the article links to the meetings."""

    name: str
    kind: AttendeeKind
    affiliation: str | None = None
    role: str | None = None
    country: str | None = None
    stance: Stance = Field(description="This article's stance toward their attendance.")
    evidence: list[Evidence] = Field(default_factory=list)


class Denial(StrictModel):
    """A party denying a claim, e.g. that its executives attended."""

    by: str
    claim: str
    to_whom: str | None = Field(default=None, description="To whom or how, e.g. 'told Reuters'.")
    evidence: list[Evidence] = Field(default_factory=list)


class Topic(StrictModel):
    """A subject the article says was discussed, e.g. 'spare parts for Russian-origin equipment'."""

    label: str
    detail: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class Risk(StrictModel):
    """A risk the article ties to the meetings (sanctions, lost access to technology...)."""

    label: str
    detail: str | None = None
    category: RiskCategory = "other"
    borne_by: str | None = Field(default=None, description="Who bears the risk.")
    evidence: list[Evidence] = Field(default_factory=list)


class KeyFigure(StrictModel):
    """A number the article gives, as written, and what it measures."""

    value: str = Field(description="The figure as written, e.g. '36%'.")
    what: str = Field(description="What the figure measures.")
    evidence: list[Evidence] = Field(default_factory=list)


class TokenUsage(StrictModel):
    """Tokens the model calls used, summed over every call (re-asks and chunks included)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
        )


class ExtractionInfo(StrictModel):
    """How a report was made: enough to reproduce it and to cache on."""

    backend: str
    model: str
    mode: str
    prompt_name: str
    prompt_version: str = Field(description="SHA-256 prefix of the prompt template file.")
    schema_version: str = SCHEMA_VERSION
    toolkit_version: str
    usage: TokenUsage = Field(default_factory=TokenUsage)
    attempts: int = Field(default=1, description="Model calls made, re-asks included.")
    chunks: int = 1
    seconds: float = 0.0


class DefenceMeetingReport(StrictModel):
    """A grounded report of one article about defence-industry meetings."""

    source: Source
    summary: str
    locations: list[Location] = Field(default_factory=list)
    dates: list[DateMention] = Field(default_factory=list)
    attendees: list[Attendee] = Field(default_factory=list)
    denials: list[Denial] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)
    risks: list[Risk] = Field(default_factory=list)
    key_figures: list[KeyFigure] = Field(default_factory=list)
    extraction: ExtractionInfo

    def items(self) -> list[ReportItem]:
        """Every item of every list field (`summarise.fields`), in field order."""
        from ..fields import REPORT_FIELDS  # the registry reads this module's types

        return [item for field in REPORT_FIELDS for item in field.items(self)]

    def evidence(self) -> list[Evidence]:
        """Every evidence item in the report, in field order."""
        return [ev for item in self.items() for ev in item.evidence]


ReportItem = Location | DateMention | Attendee | Denial | Topic | Risk | KeyFigure
