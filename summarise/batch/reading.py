"""Reading a run's inputs: load each article, reuse its report if nothing it was made from
changed, and record the articles that cannot be read, so only the rest reach the model."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..backends import settled
from ..config import Config, redact
from ..errors import InputError, SummariseError
from ..extraction import prompt_version
from ..loading import load_article
from ..models import SCHEMA_VERSION, Article, DefenceMeetingReport, Source
from .discover import Found, storable
from .record import ArticleEntry, RunSummary
from .store import ReportStore, cache_key

__all__ = ["Job", "provenance_of", "read_articles", "record_failure"]


def provenance_of(config: Config) -> tuple[str, str, str, str, str]:
    """What a cached report must have been made with: backend, model, mode, prompt, schema."""
    config = settled(config)
    return (
        config.backend or "",
        config.model or "",
        config.mode or "",
        prompt_version(),
        SCHEMA_VERSION,
    )


def record_failure(entry: ArticleEntry, exc: Exception, config: Config | None = None) -> None:
    """Record an article's failure; an unexpected error keeps its type in the message.

    Credentials (in any URL, and the configuration's key) never reach the record.
    """
    entry.status = "failed"
    message = str(exc) if isinstance(exc, SummariseError) else f"{type(exc).__name__}: {exc}"
    entry.error = storable(redact(message, config))
    entry.error_type = type(exc).__name__
    entry.attempts = exc.attempts if isinstance(exc, SummariseError) else 0
    if isinstance(exc, SummariseError) and exc.usage is not None:
        entry.usage = exc.usage


@dataclass
class Job:
    """An article of the run still to extract."""

    entry: ArticleEntry
    article: Article


def _unchanged(found: Found) -> None:
    """Raise InputError if a file found under the input folder now leads somewhere else (a
    link made or changed since): what was checked is what is read."""
    now = found.path.resolve()
    if now != found.real:
        raise InputError(
            f"{found.path} changed since the run started: it now leads to {now}; not read"
        )


def read_articles(
    files: Sequence[Found | Path],
    summary: RunSummary,
    store: ReportStore,
    provenance: tuple[str, ...],
    ended: Callable[[ArticleEntry], None],
) -> tuple[list[Job], dict[str, DefenceMeetingReport]]:
    """Load every article; settle the cached and unreadable ones; return the rest to extract.

    A report in `store` is reused when it was made from this very article (text and
    metadata) with this backend, model, mode, prompt and schema (`provenance`). A `Found`
    file is read only if it still leads where it did when it was found.
    """
    jobs: list[Job] = []
    reports: dict[str, DefenceMeetingReport] = {}
    ids: dict[str, str] = {}
    for file, entry in zip(files, summary.articles, strict=True):
        started = time.perf_counter()
        path = file.path if isinstance(file, Found) else file
        try:
            if isinstance(file, Found):
                _unchanged(file)
            article = load_article(path)
            if article.id == path.stem:  # no id of its own: the run's unique name
                article = article.model_copy(update={"id": entry.name})
            if article.id in ids:
                raise InputError(
                    f"{path}: article id {article.id!r} is also used by {ids[article.id]}"
                )
            ids[article.id] = entry.path
        except Exception as exc:  # a bad file is this article's failure only
            record_failure(entry, exc)
            entry.seconds = round(time.perf_counter() - started, 3)
            ended(entry)
            continue
        hit = store.find(entry.name, cache_key(provenance, Source.of(article)))
        if hit is None:
            jobs.append(Job(entry, article))
            continue
        entry.status, entry.report = "cached", hit.location
        reports[entry.name] = hit.report
        ended(entry)
    return jobs, reports
