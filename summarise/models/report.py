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
    "READ_SCHEMA_VERSIONS",
    "SCHEMA_VERSION",
    "Alignment",
    "Article",
    "Attendee",
    "AttendeeKind",
    "DateMention",
    "DatePrecision",
    "DefenceMeetingReport",
    "Denial",
    "DroppedItem",
    "Evidence",
    "ExtractionInfo",
    "KeyFigure",
    "Location",
    "MarkedSpan",
    "PassInfo",
    "ReportItem",
    "ReportWarning",
    "Risk",
    "RiskCategory",
    "Side",
    "Source",
    "Stance",
    "Support",
    "TokenUsage",
    "Topic",
    "Verdict",
]

SCHEMA_VERSION = "2"
# Report files of these versions are read (version 1 lacks support verdicts, dropped items and
# warnings: they read as empty).
READ_SCHEMA_VERSIONS = ("1", "2")

Alignment = Literal["exact", "normalised", "fuzzy", "not_found"]
# disputed: the article reports the party taking part and also reports it denying it.
Stance = Literal["asserted", "reported", "denied", "uncertain", "disputed"]
Verdict = Literal["supported", "weak", "contradicts", "none"]
Side = Literal["attended", "denied"]
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
    hidden: list[str] = Field(
        default_factory=list,
        description="Text the page hid from readers (hidden elements, comments), left out of "
        "`text`: never shown to the model, never evidence; a report warns when it addresses one.",
    )

    @classmethod
    def from_text(cls, text: str, **metadata: object) -> Article:
        """Wrap raw text, deriving the id from the text's hash when none is given."""
        meta = dict(metadata)
        meta.setdefault("id", "text-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12])
        return cls.model_validate({"text": text, **meta})


class Support(StrictModel):
    """Whether the sentence an evidence comes from backs its item, as checked in code."""

    verdict: Verdict = Field(
        description="supported: the sentence says what the item says; weak: it touches the "
        "item without saying it; contradicts: it says the opposite (a no-comment for a denial); "
        "none: it does not bear on the item."
    )
    checked: str = Field(description="What was checked, e.g. the name and the cue word found.")
    side: Side | None = Field(
        default=None,
        description="For an attendee's evidence: whether it says the party took part or denies it.",
    )


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
    support: Support | None = Field(
        default=None, description="Whether the sentence backs the item (None: not checked)."
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


class MarkedSpan(StrictModel):
    """A passage of the stored text the toolkit set apart, e.g. text addressed to an AI model."""

    kind: Literal["instruction"] = Field(
        description="instruction: the passage addresses a model or assistant instead of "
        "reporting news; it is never evidence and was not shown to the model."
    )
    start: int = Field(description="Character offset, inclusive.")
    end: int = Field(description="Character offset, exclusive.")
    reason: str = Field(description="Why it was set apart.")


class Source(StrictModel):
    """The article a report was made from, with the exact text offsets refer to."""

    id: str
    title: str | None = None
    url: str | None = None
    published: date | None = None
    sha256: str = Field(description="SHA-256 of `text` encoded as UTF-8.")
    text: str
    marked: list[MarkedSpan] = Field(
        default_factory=list, description="Passages set apart, e.g. instructions to a model."
    )

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
    """A place where the meetings took place."""

    name: str
    evidence: list[Evidence] = Field(default_factory=list)


class DateMention(StrictModel):
    """A date as written, and the interval it allows, anchored to the publication date."""

    text: str = Field(description="The date as the article writes it, e.g. 'late October'.")
    of: str = Field(description="What the date is of, e.g. 'the meetings in Moscow'.")
    earliest: date | None = None
    latest: date | None = None
    precision: DatePrecision = "unknown"
    main_event: bool | None = Field(
        default=None, description="Whether it dates the event the article is mainly about."
    )
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
    """A subject of the talks, or of the cooperation they serve."""

    label: str
    detail: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class Risk(StrictModel):
    """A risk, concern, obstacle or cost the article mentions, and who bears it."""

    label: str
    detail: str | None = None
    category: RiskCategory = "other"
    borne_by: str | None = Field(default=None, description="Who bears the risk.")
    evidence: list[Evidence] = Field(default_factory=list)


class KeyFigure(StrictModel):
    """A number worth keeping, as the article writes it."""

    value: str = Field(description="The figure as written, e.g. '36%'.")
    what: str = Field(description="What the figure measures.")
    evidence: list[Evidence] = Field(default_factory=list)


class TokenUsage(StrictModel):
    """Tokens the model server counted: read (prompt) and written (completion)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
        )


class PassInfo(StrictModel):
    """One pass over the article (or one chunk of it): what it cost and how long it took."""

    name: str = Field(description="The pass's prompt, e.g. 'extract' or 'extract-themes'.")
    seconds: float = 0.0
    calls: int = Field(default=1, description="Model calls, re-asks and retries included.")
    usage: TokenUsage = Field(default_factory=TokenUsage)
    prompt_ms: float | None = Field(
        default=None, description="Prompt evaluation time, when the server reports it."
    )
    generation_ms: float | None = Field(
        default=None, description="Generation time, when the server reports it."
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
    passes: list[PassInfo] = Field(default_factory=list, description="Each pass, in order.")
    repairs: list[str] = Field(
        default_factory=list, description="What was mended in the model's JSON, if anything."
    )
    missing: list[str] = Field(
        default_factory=list,
        description="Passes that did not finish (the article's deadline): a partial report.",
    )


class DroppedItem(StrictModel):
    """An item the model wrote that the article does not support, kept here with the reason."""

    field: str = Field(description="The report list it would have been in, e.g. 'attendees'.")
    value: str = Field(description="The item as the model wrote it, e.g. the name.")
    reason: str = Field(description="Why it was dropped.")
    evidence: list[Evidence] = Field(
        default_factory=list, description="The passage it rested on, if it was set apart."
    )


class ReportWarning(StrictModel):
    """Something a reviewer should know before trusting the report."""

    kind: Literal["instruction", "hidden_text", "partial", "repaired"]
    message: str
    start: int | None = Field(default=None, description="Where in the text, if it has a place.")
    end: int | None = None


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
    dropped: list[DroppedItem] = Field(
        default_factory=list, description="Items the model wrote that the article does not back."
    )
    warnings: list[ReportWarning] = Field(default_factory=list)
    extraction: ExtractionInfo

    def items(self) -> list[ReportItem]:
        """Every item of every list field (`summarise.fields`), in field order."""
        from ..fields import REPORT_FIELDS  # the registry reads this module's types

        return [item for field in REPORT_FIELDS for item in field.items(self)]

    def evidence(self) -> list[Evidence]:
        """Every evidence item in the report, in field order."""
        return [ev for item in self.items() for ev in item.evidence]


ReportItem = Location | DateMention | Attendee | Denial | Topic | Risk | KeyFigure
