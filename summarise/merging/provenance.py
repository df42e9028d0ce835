"""Provenance checks: every quote of a merged report re-reads from its embedded source.

Used by the CLI after a merge and by the review page, which flags quotes that do not re-read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from pydantic import BaseModel

from ..models.merged import MergedReport
from ..models.report import Evidence

__all__ = ["verify_provenance"]


def verify_provenance(merged: MergedReport) -> list[str]:
    """Problems with the merged report's evidence; empty when every aligned quote re-reads.

    Checks that each source's sha256 matches its text, that every evidence item names an
    embedded source, and that `source.text[start:end] == quote` for every aligned evidence.
    """
    problems: list[str] = []
    texts: dict[str, str] = {}
    for source in merged.sources:
        if source.id in texts:
            problems.append(f"sources/{source.id}: the id appears twice")
        texts[source.id] = source.text
        if hashlib.sha256(source.text.encode("utf-8")).hexdigest() != source.sha256:
            problems.append(f"sources/{source.id}: sha256 does not match the text")
    for path, evidence in _walk(merged, ""):
        text = texts.get(evidence.source_id)
        if text is None:
            problems.append(f"{path}: no embedded source {evidence.source_id!r}")
        elif evidence.aligned and evidence.start is not None and evidence.end is not None:
            found = text[evidence.start : evidence.end]
            if evidence.end > len(text) or found != evidence.quote:
                problems.append(
                    f"{path}: {evidence.source_id}[{evidence.start}:{evidence.end}] reads "
                    f"{found!r}, not {evidence.quote!r}"
                )
    return problems


def _walk(node: object, path: str) -> Iterator[tuple[str, Evidence]]:
    if isinstance(node, Evidence):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _walk(getattr(node, name), f"{path}/{name}" if path else name)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            label = getattr(item, "id", None) or getattr(item, "entity_id", None) or index
            yield from _walk(item, f"{path}[{label}]")
