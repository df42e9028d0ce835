"""The scores an evaluation gives: counts and ratios per field, per article and in total."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, computed_field

from ..models import TokenUsage
from .supported import SupportScore

__all__ = [
    "ArticleScore",
    "EvalResult",
    "FieldScore",
    "Finding",
    "GroundingScore",
    "Outcome",
    "Scores",
    "StanceScore",
]

Outcome = Literal["matched", "missed", "false_positive", "ignored", "wrong_stance", "misread"]


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


class FieldScore(BaseModel):
    """One field's counts; `fp` is None where only recall is scored (topics, risks)."""

    tp: int = 0
    fp: int | None = 0
    fn: int = 0
    ignored: int = Field(
        default=0, description="Predicted items neither right nor wrong (duplicates, optional)."
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def predicted(self) -> int:
        """Predicted items scored: tp + fp + ignored."""
        return self.tp + (self.fp or 0) + self.ignored

    @computed_field  # type: ignore[prop-decorator]
    @property
    def precision(self) -> float | None:
        return None if self.fp is None else _ratio(self.tp, self.tp + self.fp)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def f1(self) -> float | None:
        return None if self.fp is None else _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def __add__(self, other: FieldScore) -> FieldScore:
        fp = None if self.fp is None or other.fp is None else self.fp + other.fp
        return FieldScore(
            tp=self.tp + other.tp,
            fp=fp,
            fn=self.fn + other.fn,
            ignored=self.ignored + other.ignored,
        )


class StanceScore(BaseModel):
    """Stances right among matched attendees."""

    correct: int = 0
    total: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def accuracy(self) -> float | None:
        return _ratio(self.correct, self.total)

    def __add__(self, other: StanceScore) -> StanceScore:
        return StanceScore(correct=self.correct + other.correct, total=self.total + other.total)


class GroundingScore(BaseModel):
    """Predicted items with aligned evidence, and aligned spans that do not re-read exactly."""

    items: int = 0
    aligned_items: int = 0
    aligned_spans: int = 0
    misread_spans: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def share(self) -> float | None:
        """Share of predicted items with at least one aligned evidence."""
        return _ratio(self.aligned_items, self.items)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def spans_exact(self) -> bool:
        """Whether every aligned span re-reads exactly from the source text."""
        return self.misread_spans == 0

    def __add__(self, other: GroundingScore) -> GroundingScore:
        return GroundingScore(
            items=self.items + other.items,
            aligned_items=self.aligned_items + other.aligned_items,
            aligned_spans=self.aligned_spans + other.aligned_spans,
            misread_spans=self.misread_spans + other.misread_spans,
        )


class Scores(BaseModel):
    """Every score of one article, or summed over articles (micro-averaged ratios)."""

    attendees: FieldScore = Field(default_factory=FieldScore)
    denials: FieldScore = Field(default_factory=FieldScore)
    dates: FieldScore = Field(default_factory=FieldScore)
    topics: FieldScore = Field(default_factory=lambda: FieldScore(fp=None))
    risks: FieldScore = Field(default_factory=lambda: FieldScore(fp=None))
    stance: StanceScore = Field(default_factory=StanceScore)
    grounding: GroundingScore = Field(default_factory=GroundingScore)
    invented_attendees: int = Field(
        default=0, description="Attendee false positives: not_attendees names and unknown names."
    )
    not_attendee_hits: int = Field(
        default=0, description="Of the invented attendees, those matching a not_attendees name."
    )
    support: SupportScore = Field(
        default_factory=SupportScore, description="How the evidence supports its items."
    )
    seconds: float = 0.0
    usage: TokenUsage = Field(default_factory=TokenUsage)

    def __add__(self, other: Scores) -> Scores:
        return Scores(
            attendees=self.attendees + other.attendees,
            denials=self.denials + other.denials,
            dates=self.dates + other.dates,
            topics=self.topics + other.topics,
            risks=self.risks + other.risks,
            stance=self.stance + other.stance,
            grounding=self.grounding + other.grounding,
            invented_attendees=self.invented_attendees + other.invented_attendees,
            not_attendee_hits=self.not_attendee_hits + other.not_attendee_hits,
            support=self.support + other.support,
            seconds=self.seconds + other.seconds,
            usage=self.usage + other.usage,
        )


class Finding(BaseModel):
    """One scoring decision, for reading why a score is what it is."""

    field: str
    outcome: Outcome
    predicted: str | None = None
    gold: str | None = None
    reason: str | None = None


class ArticleScore(BaseModel):
    """The scores of one article's report against its gold."""

    article: str = Field(description="The article's stem (the report's source id).")
    found: bool = Field(default=True, description="Whether a report was there to score.")
    scores: Scores
    findings: list[Finding] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class EvalResult(BaseModel):
    """Scores of every article with gold, and their total."""

    gold_dir: str
    reports_dir: str
    articles: list[ArticleScore]
    total: Scores
