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
    "BatchApiSettings": "batch",
    "Chunk": "chunking",
    "Config": "config",
    "ConfigError": "errors",
    "DateMention": "models",
    "DefenceMeetingReport": "models",
    "Denial": "models",
    "EventGroup": "models",
    "EventIndex": "models",
    "EventOverrides": "models",
    "EventReport": "models",
    "Evidence": "models",
    "ExtractionError": "errors",
    "ExtractionInfo": "models",
    "InputError": "errors",
    "KeyFigure": "models",
    "Location": "models",
    "MergedReport": "merging",
    "Outcome": "batch",
    "RaySettings": "batch",
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
    "event_index": "events",
    "extract_files": "batch",
    "ground": "grounding",
    "group_events": "events",
    "load_aliases": "entities",
    "load_article": "loading",
    "load_for_review": "review",
    "load_overrides": "events",
    "load_reports": "merging",
    "locate": "grounding",
    "merge": "merging",
    "merge_events": "events",
    "register_backend": "backends",
    "render_events_html": "review",
    "render_html": "review",
    "render_markdown": "review",
    "render_terminal": "review",
    "resolve_config": "config",
    "run_folder": "batch",
    "split_text": "chunking",
    "summarise": "extraction",
    "summarise_many": "batch",
    "write_events": "batch",
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
    from .backends import (
        Backend as Backend,
        backend_for as backend_for,
        embedded_server as embedded_server,
        register_backend as register_backend,
    )
    from .batch import (
        ArticleEntry as ArticleEntry,
        BatchApiSettings as BatchApiSettings,
        Outcome as Outcome,
        RaySettings as RaySettings,
        RunProgress as RunProgress,
        RunSummary as RunSummary,
        asummarise_many as asummarise_many,
        extract_files as extract_files,
        run_folder as run_folder,
        summarise_many as summarise_many,
        write_events as write_events,
    )
    from .chunking import Chunk as Chunk, chunk_text as chunk_text, split_text as split_text
    from .config import Config as Config, resolve_config as resolve_config
    from .entities import AliasTable as AliasTable, load_aliases as load_aliases
    from .errors import (
        BackendError as BackendError,
        ConfigError as ConfigError,
        ExtractionError as ExtractionError,
        InputError as InputError,
        SetupError as SetupError,
        SummariseError as SummariseError,
    )
    from .evaluation import evaluate as evaluate
    from .events import (
        event_index as event_index,
        group_events as group_events,
        load_overrides as load_overrides,
        merge_events as merge_events,
    )
    from .extraction import asummarise as asummarise, summarise as summarise
    from .grounding import ground as ground, locate as locate
    from .loading import ArticleInput as ArticleInput, load_article as load_article
    from .merging import (
        MergedReport as MergedReport,
        load_reports as load_reports,
        merge as merge,
        verify_provenance as verify_provenance,
    )
    from .models import (
        Article as Article,
        Attendee as Attendee,
        DateMention as DateMention,
        DefenceMeetingReport as DefenceMeetingReport,
        Denial as Denial,
        EventGroup as EventGroup,
        EventIndex as EventIndex,
        EventOverrides as EventOverrides,
        EventReport as EventReport,
        Evidence as Evidence,
        ExtractionInfo as ExtractionInfo,
        KeyFigure as KeyFigure,
        Location as Location,
        Risk as Risk,
        Source as Source,
        TokenUsage as TokenUsage,
        Topic as Topic,
    )
    from .review import (
        load_for_review as load_for_review,
        render_events_html as render_events_html,
        render_html as render_html,
        render_markdown as render_markdown,
        render_terminal as render_terminal,
    )
