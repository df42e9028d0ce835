"""The pool of claims: every item of every input once, as a claim of its source.

Per-article reports and merged reports go in alike (`summarise.fields` says where a merged report
keeps each field's claims), so merging merged reports again loses nothing.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TypeVar

from pydantic import BaseModel

from ..errors import InputError
from ..fields import NOTE_FIELDS, REPORT_FIELDS
from ..models.merged import MergedReport, SourceExtraction, SourceSummary
from ..models.report import DefenceMeetingReport, Source

__all__ = ["ClaimPool"]

_Item = TypeVar("_Item", bound=BaseModel)


class ClaimPool:
    """Every item of every input once, whatever the order or repetition of the inputs."""

    def __init__(self) -> None:
        self.sources: dict[str, Source] = {}
        self._items: dict[type[BaseModel], dict[str, BaseModel]] = defaultdict(dict)

    def add_source(self, source: Source) -> None:
        """Add a source; InputError when another source already has its id."""
        known = self.sources.setdefault(source.id, source)
        if known != source:
            raise InputError(f"two different sources have the id {source.id!r}")

    def add(self, item: BaseModel) -> None:
        """Add an item unless an equal one is already there."""
        self._items[type(item)].setdefault(item.model_dump_json(), item)

    def get(self, kind: type[_Item]) -> list[_Item]:
        """The items of one type, sorted by source id, then content."""
        items = self._items[kind]
        order = sorted(items, key=lambda k: (str(getattr(items[k], "source_id", "")), k))
        return [item for k in order if isinstance(item := items[k], kind)]

    def add_report(self, report: DefenceMeetingReport) -> None:
        """Add a per-article report: its source, summary, extraction and every field's items."""
        sid = report.source.id
        self.add_source(report.source)
        self.add(SourceSummary(source_id=sid, summary=report.summary))
        self.add(SourceExtraction(source_id=sid, extraction=report.extraction))
        for field in REPORT_FIELDS:
            for item in field.items(report):
                self.add(field.claim_of(item, sid))
        for note in NOTE_FIELDS:
            for claim in note.claims_of(report):
                self.add(claim)

    def add_merged(self, merged: MergedReport) -> None:
        """Add a merged report's sources and every item it keeps, as its inputs gave them."""
        for source in merged.sources:
            self.add_source(source)
        items: list[BaseModel] = [*merged.summaries, *merged.extractions]
        for field in REPORT_FIELDS:
            items += field.claims_in(merged)
        for note in NOTE_FIELDS:
            items += note.claims_in(merged)
        for item in items:
            self.add(item)
