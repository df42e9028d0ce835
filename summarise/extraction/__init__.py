"""Extraction: one article in, one grounded DefenceMeetingReport out, through instructor.

`drafts` holds what the model fills and the prompt version (light: a cached run needs only
that); `calls` the model calls with their retries; `assemble` the report; `pipeline` the
order of it all. `summarise`/`asummarise` load the LLM stack on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .drafts import PROMPT_NAME, FactsDraft, ThemesDraft, prompt_version

__all__ = ["PROMPT_NAME", "FactsDraft", "ThemesDraft", "asummarise", "prompt_version", "summarise"]

if TYPE_CHECKING:
    from .pipeline import asummarise, summarise


def __getattr__(name: str) -> Any:
    """`summarise` and `asummarise`, imported (with instructor and openai) on first use."""
    if name in ("summarise", "asummarise"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
