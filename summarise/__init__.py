"""summarise: grounded, structured reports of news articles, merged with provenance."""

__version__ = "0.1.0"

from .backends import embedded_server
from .batch import FileResult, extract_files
from .config import Config, resolve_config
from .errors import (
    BackendError,
    ConfigError,
    ExtractionError,
    InputError,
    SetupError,
    SummariseError,
)
from .extraction import asummarise, summarise
from .grounding import ground, locate
from .loading import load_article
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
    "Risk",
    "SetupError",
    "Source",
    "SummariseError",
    "TokenUsage",
    "Topic",
    "__version__",
    "asummarise",
    "embedded_server",
    "extract_files",
    "ground",
    "load_article",
    "locate",
    "resolve_config",
    "summarise",
]
