"""Many articles: extract each file to `<out>/<stem>.json`; one bad article never stops the rest."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .backends import embedded_server
from .config import Config, resolve_config
from .errors import InputError, SummariseError
from .extraction import summarise
from .loading import load_article
from .models import Article, DefenceMeetingReport
from .output import write_json_atomic


@dataclass(frozen=True)
class FileResult:
    """What happened to one input file."""

    path: Path
    output: Path | None = None
    report: DefenceMeetingReport | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether a report was written."""
        return self.report is not None


@contextlib.contextmanager
def _live(config: Config) -> Iterator[Config]:
    if config.embedded:
        with embedded_server(config) as live:
            yield live
    else:
        yield config


def _load_all(paths: Sequence[Path]) -> tuple[list[tuple[Path, Article]], list[FileResult]]:
    loaded: list[tuple[Path, Article]] = []
    failed: list[FileResult] = []
    stems: dict[str, Path] = {}
    for path in paths:
        if path.stem in stems:
            failed.append(FileResult(path, error=f"same file stem as {stems[path.stem]}"))
            continue
        stems[path.stem] = path
        try:
            loaded.append((path, load_article(path)))
        except InputError as exc:
            failed.append(FileResult(path, error=str(exc)))
    return loaded, failed


def extract_files(
    paths: Sequence[Path],
    out_dir: Path,
    *,
    config: Config | None = None,
    on_result: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Write one report per article file to `out_dir/<stem>.json`; return every file's result.

    Unreadable files and failed extractions are recorded, not raised; the embedded server, when
    needed, is started once for the whole batch.
    """
    config = config or resolve_config()
    loaded, results = _load_all(paths)
    for result in results:
        if on_result:
            on_result(result)
    if not loaded:
        return results
    with _live(config) as live:
        for path, article in loaded:
            started = time.perf_counter()
            try:
                report = summarise(article, config=live)
                output = out_dir / f"{path.stem}.json"
                write_json_atomic(output, report)
                result = FileResult(
                    path, output, report, seconds=round(time.perf_counter() - started, 3)
                )
            except SummariseError as exc:
                result = FileResult(
                    path, error=str(exc), seconds=round(time.perf_counter() - started, 3)
                )
            results.append(result)
            if on_result:
                on_result(result)
    return results
