"""The events' output contract and the reviewer's override file.

`EventGroup` (one event: members, interval, parties, reasons, related events), `EventReport`
(what `events/<id>.json` holds: the event and the merge of its articles) and `EventIndex`
(what `events.json` holds) are exported as JSON Schema; `EventOverrides` is the override file
(JSON, or TOML for ``*.toml``, read by `summarise.events.load_overrides`)::

    split = [["article-a", "article-b"]]      # no two of these share an event
    join = [["article-c", "article-d"]]       # these share one
    [move]
    "article-e" = "event-id-or-article-id"    # this one belongs with that event or article
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from .base import StrictModel
from .merged import MergedReport

__all__ = [
    "EVENTS_SCHEMA_VERSION",
    "EventGroup",
    "EventIndex",
    "EventOverrides",
    "EventReport",
    "EventSummary",
    "GroupingReason",
    "OverrideKind",
    "ReasonKind",
    "RelatedEvent",
]

EVENTS_SCHEMA_VERSION = "1"

ReasonKind = Literal["evidence", "copy", "override"]
OverrideKind = Literal["split", "join", "move"]


class GroupingReason(StrictModel):
    """Why two articles were put in one event (or, for a `split`, kept apart)."""

    articles: list[str] = Field(description="The two articles, sorted.")
    kind: ReasonKind = Field(
        description="evidence: what they report matches; copy: one is a copy of the other; "
        "override: the reviewer's override file says so."
    )
    shared_parties: list[str] = Field(
        default_factory=list, description="Display names of the parties both articles name."
    )
    shared_places: list[str] = Field(default_factory=list, description="Places both name.")
    dates: str | None = Field(
        default=None,
        description="How their event dates compare: 'overlap', 'near', or 'published the same "
        "day' for two undated articles; None when the dates earned nothing.",
    )
    similarity: float | None = Field(
        default=None,
        description="Text similarity: Jaccard of word 5-grams for a copy, of content words "
        "otherwise; None when not computed.",
    )
    score: float | None = Field(default=None, description="The pair's score (evidence only).")
    override: OverrideKind | None = Field(default=None, description="The override applied.")
    note: str = Field(description="The reason in one sentence.")


class RelatedEvent(StrictModel):
    """Another event of the folder linked to this one, e.g. the same parties weeks apart."""

    event_id: str = Field(description="The related event's id.")
    why: str = Field(description="What links them, in one sentence.")


class EventGroup(StrictModel):
    """One event of the folder: its articles, what they report and why they were grouped."""

    id: str = Field(description="Stable slug, from the member published first (see docs).")
    title: str = Field(description="The event's main parties, place and dates.")
    articles: list[str] = Field(description="Source ids of the member articles, sorted.")
    earliest: date | None = Field(description="First day of the event's interval, if dated.")
    latest: date | None = Field(description="Last day of the event's interval, if dated.")
    places: list[str] = Field(description="Places the articles name, most named first.")
    parties: list[str] = Field(description="Main parties' display names, most named first.")
    independent_sources: int = Field(description="Member articles, copies counted once.")
    reasons: list[GroupingReason] = Field(description="Each join (and override) made.")
    related: list[RelatedEvent] = Field(description="Related events of the folder.")


class EventSummary(StrictModel):
    """One line of the events index."""

    id: str = Field(description="The event's id (its report is events/<id>.json).")
    title: str = Field(description="The event's main parties, place and dates.")
    earliest: date | None = Field(description="First day of the event's interval, if dated.")
    latest: date | None = Field(description="Last day of the event's interval, if dated.")
    places: list[str] = Field(description="Places, most named first.")
    parties: list[str] = Field(description="Main parties, most named first.")
    articles: int = Field(description="Number of member articles.")
    independent_sources: int = Field(description="Member articles, copies counted once.")
    related: list[str] = Field(description="Ids of related events.")


class EventIndex(StrictModel):
    """What `events.json` holds: every event of a folder, in one short line each."""

    schema_version: str = Field(default=EVENTS_SCHEMA_VERSION, description="Index format.")
    events: list[EventSummary] = Field(description="The events, earliest first.")


class EventOverrides(StrictModel):
    """A reviewer's corrections to the grouping, read from an override file.

    `split`: lists of articles no two of which may share an event; `join`: lists of articles
    that must share one; `move`: {article: event id or article id} puts the article in that
    event (looked up among the events as grouped without the moved articles), or with that
    article.
    """

    split: list[list[str]] = Field(
        default_factory=list, description="Articles that must not share an event."
    )
    join: list[list[str]] = Field(
        default_factory=list, description="Articles that must share an event."
    )
    move: dict[str, str] = Field(
        default_factory=dict,
        description="Article -> the event (id) or article it belongs with.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> EventOverrides:
        for kind, groups in (("split", self.split), ("join", self.join)):
            for group in groups:
                if len(set(group)) < 2:
                    raise ValueError(f"a `{kind}` entry needs two different articles: {group}")
        apart = {frozenset({a, b}) for g in self.split for a in g for b in g if a != b}
        together = {frozenset({a, b}) for g in self.join for a in g for b in g if a != b}
        together |= {frozenset(p) for p in self.move.items()}
        for pair in sorted(apart & together, key=sorted):
            raise ValueError(f"{' and '.join(sorted(pair))} are both split and joined")
        for article, target in self.move.items():
            if article == target:
                raise ValueError(f"{article!r} is moved to itself")
        return self


class EventReport(StrictModel):
    """One event of a folder: why its articles were grouped, and the merge of their reports."""

    schema_version: str = Field(default=EVENTS_SCHEMA_VERSION, description="Event format.")
    event: EventGroup = Field(description="The event: members, interval, reasons, relations.")
    report: MergedReport = Field(description="The merge of the member articles' reports.")
