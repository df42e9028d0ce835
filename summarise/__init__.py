"""summarise: grounded, structured reports of news articles, merged with provenance.

The public API is importable from here; names are loaded on first use, so that importing the
core (models, loading, grounding, dates, merging, review) never loads the LLM stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name -> the module that defines it.
_EXPORTS = {
    "Article": "models",
    "ArticleEntry": "batch",
    "ArticleInput": "loading",
    "AliasTable": "entities",
    "Attendee": "models",
    "Backend": "backends",
    "BackendError": "errors",
    "Chunk": "chunking",
    "Config": "config",
    "ConfigError": "errors",
    "DateMention": "models",
    "DefenceMeetingReport": "models",
    "Denial": "models",
    "Evidence": "models",
    "ExtractionError": "errors",
    "ExtractionInfo": "models",
    "InputError": "errors",
    "KeyFigure": "models",
    "Location": "models",
    "MergedReport": "merging",
    "Outcome": "batch",
    "Risk": "models",
    "RunProgress": "batch",
    "RunSummary": "batch",
    "SetupError": "errors",
    "Source": "models",
    "SummariseError": "errors",
    "TokenUsage": "models",
    "Topic": "models",
    "asummarise": "extraction",
    "asummarise_many": "batch",
    "backend_for": "backends",
    "chunk_text": "chunking",
    "embedded_server": "backends",
    "evaluate": "evaluation",
    "extract_files": "batch",
    "ground": "grounding",
    "load_aliases": "entities",
    "load_article": "loading",
    "load_for_review": "review",
    "load_reports": "merging",
    "locate": "grounding",
    "merge": "merging",
    "register_backend": "backends",
    "render_html": "review",
    "render_markdown": "review",
    "render_terminal": "review",
    "resolve_config": "config",
    "run_folder": "batch",
    "split_text": "chunking",
    "summarise": "extraction",
    "summarise_many": "batch",
    "verify_provenance": "merging",
}

__all__ = sorted(["__version__", *_EXPORTS])


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'summarise' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:
    from .backends import Backend, backend_for, embedded_server, register_backend
    from .batch import (
        ArticleEntry,
        Outcome,
        RunProgress,
        RunSummary,
        asummarise_many,
        extract_files,
        run_folder,
        summarise_many,
    )
    from .chunking import Chunk, chunk_text, split_text
    from .config import Config, resolve_config
    from .entities import AliasTable, load_aliases
    from .errors import (
        BackendError,
        ConfigError,
        ExtractionError,
        InputError,
        SetupError,
        SummariseError,
    )
    from .evaluation import evaluate
    from .extraction import asummarise, summarise
    from .grounding import ground, locate
    from .loading import ArticleInput, load_article
    from .merging import MergedReport, load_reports, merge, verify_provenance
    from .models import (
        Article,
        Attendee,
        DateMention,
        DefenceMeetingReport,
        Denial,
        Evidence,
        ExtractionInfo,
        KeyFigure,
        Location,
        Risk,
        Source,
        TokenUsage,
        Topic,
    )
    from .review import load_for_review, render_html, render_markdown, render_terminal
