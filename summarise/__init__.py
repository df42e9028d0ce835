"""summarise: grounded, structured reports of news articles, merged with provenance."""

__version__ = "0.1.0"

from .backends import embedded_server
from .batch import (
    FileResult,
    Outcome,
    RunSummary,
    asummarise_many,
    extract_files,
    run_folder,
    summarise_many,
)
from .config import Config, resolve_config
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
from .loading import load_article
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

__all__ = [
    "Article",
    "Attendee",
    "BackendError",
    "Config",
    "ConfigError",
    "DateMention",
    "DefenceMeetingReport",
    "Denial",
    "Evidence",
    "ExtractionError",
    "ExtractionInfo",
    "FileResult",
    "InputError",
    "KeyFigure",
    "Location",
    "MergedReport",
    "Outcome",
    "Risk",
    "RunSummary",
    "SetupError",
    "Source",
    "SummariseError",
    "TokenUsage",
    "Topic",
    "__version__",
    "asummarise",
    "asummarise_many",
    "embedded_server",
    "evaluate",
    "extract_files",
    "ground",
    "load_article",
    "load_for_review",
    "load_reports",
    "locate",
    "merge",
    "render_html",
    "render_markdown",
    "render_terminal",
    "resolve_config",
    "run_folder",
    "summarise",
    "summarise_many",
    "verify_provenance",
]
