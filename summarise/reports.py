"""Read report files: per-article reports and merged reports, with errors naming file and field.

The one loader behind `summarise.merging.load_reports` (per-article reports to merge) and
`summarise.review.load_for_review` (either kind, to show).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from .errors import InputError, describe_validation_error
from .models.events import EVENTS_SCHEMA_VERSION, EventIndex, EventReport
from .models.merged import READ_MERGE_SCHEMA_VERSIONS, MergedReport
from .models.report import READ_SCHEMA_VERSIONS, DefenceMeetingReport
from .report_parts import PART_FORMATS, is_part_file, part_files, read_part

__all__ = ["is_merged_report", "load_reports", "read_events", "read_report", "read_report_json"]

_M = TypeVar("_M", MergedReport, DefenceMeetingReport, EventReport, EventIndex)


def read_report_json(path: Path) -> object:
    """The JSON in a report file; InputError when it cannot be read or is not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the report: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON: {exc}") from exc


def is_merged_report(data: object) -> bool:
    """Whether parsed JSON is shaped like a merged report rather than a per-article one."""
    return isinstance(data, dict) and "schema_version" in data and "entities" in data


def load_reports(paths: Iterable[str | Path]) -> list[DefenceMeetingReport]:
    """Read per-article reports: JSON files, report parts (`part-<n>.jsonl` or `.parquet`, as
    `run --format` writes them) and folders of either (a run's `reports/`); raise InputError
    naming the file when one is unusable (unreadable, not JSON, a merged report, or invalid:
    the first problems are listed).

    Parts and folders hold one report per name: a later part's row replaces an earlier one,
    and a part's row replaces a folder's `<name>.json` (left by a run in another format).
    """
    reports = []
    named: dict[str, DefenceMeetingReport] = {}
    for path in map(Path, paths):
        if path.is_dir():
            for each in sorted(path.glob("*.json")):
                named[each.stem] = _report_file(each)
            for format in PART_FORMATS:
                for part in part_files(path, format):
                    named.update(_part_reports(part))
        elif is_part_file(path):
            named.update(_part_reports(path))
        else:
            reports.append(_report_file(path))
    return reports + list(named.values())


def _report_file(path: Path) -> DefenceMeetingReport:
    data = read_report_json(path)
    if is_merged_report(data):
        raise InputError(f"{path} is a merged report, not a per-article report")
    return _article_report(path, data)


def _part_reports(part: Path) -> dict[str, DefenceMeetingReport]:
    reports = {}
    for row in read_part(part):
        where = f"{part} (report {row.name!r})"
        try:
            data = json.loads(row.report)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON: {exc}") from exc
        reports[row.name] = _article_report(where, data)
    return reports


def _versions(versions: tuple[str, ...]) -> str:
    return ", ".join(versions)


def _article_report(path: Path | str, data: object) -> DefenceMeetingReport:
    """A per-article report of a schema version this toolkit reads."""
    extraction = data.get("extraction") if isinstance(data, dict) else None
    version = extraction.get("schema_version", "1") if isinstance(extraction, dict) else None
    if version is not None and version not in READ_SCHEMA_VERSIONS:
        raise InputError(
            f"{path}: report schema version {version!r}; this version of summarise reads "
            f"versions {_versions(READ_SCHEMA_VERSIONS)} (re-extract the article, or upgrade)"
        )
    return _validated(path, DefenceMeetingReport, data, "report")


def _event_format(path: Path, data: dict[str, object], what: str) -> None:
    if data.get("schema_version") != EVENTS_SCHEMA_VERSION:
        raise InputError(
            f"{path}: {what} format {data.get('schema_version')!r}; this version of summarise "
            f"reads format {EVENTS_SCHEMA_VERSION}"
        )


def read_report(path: Path) -> MergedReport | DefenceMeetingReport | EventReport:
    """Read a merged report, an event's report (`events/<id>.json`) or a per-article report.

    Raises InputError naming the file when it cannot be read, is none of these, or is of a
    format version this toolkit does not read.
    """
    data = read_report_json(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a report or a merged report (a JSON object)")
    if "event" in data and "report" in data:
        _event_format(path, data, "event report")
        inner = data["report"]
        if (
            isinstance(inner, dict)
            and inner.get("schema_version") not in READ_MERGE_SCHEMA_VERSIONS
        ):
            raise InputError(
                f"{path}: merged report format {inner.get('schema_version')!r}; this version of "
                f"summarise reads formats {_versions(READ_MERGE_SCHEMA_VERSIONS)}"
            )
        return _validated(path, EventReport, data, "event report")
    if is_merged_report(data):
        if data["schema_version"] not in READ_MERGE_SCHEMA_VERSIONS:
            raise InputError(
                f"{path}: merged report format {data['schema_version']!r}; this version of "
                f"summarise reads formats {_versions(READ_MERGE_SCHEMA_VERSIONS)}"
            )
        return _validated(path, MergedReport, data, "merged report")
    return _article_report(path, data)


def _validated(path: Path | str, model: type[_M], data: object, what: str) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = describe_validation_error(exc, root="report")
        raise InputError(f"{path}: not a valid {what}: {problems}") from exc


def read_events(path: Path) -> list[EventReport]:
    """The events of a run: `path` is its output folder or its `events.json`.

    Each event's report is read from `events/<id>.json` beside the index, in the index's
    order. Raises InputError naming the file that is missing, unreadable or invalid.
    """
    index_path = path / "events.json" if path.is_dir() else path
    data = read_report_json(index_path)
    if not isinstance(data, dict) or "events" not in data:
        raise InputError(f"{index_path}: not an index of events (events.json)")
    _event_format(index_path, data, "events index")
    index = _validated(index_path, EventIndex, data, "events index")
    events = []
    for line in index.events:
        event = read_report(index_path.parent / "events" / f"{line.id}.json")
        if not isinstance(event, EventReport):
            raise InputError(f"{index_path.parent / 'events' / line.id}.json: not an event report")
        events.append(event)
    return events
