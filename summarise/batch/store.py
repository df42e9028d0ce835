"""Where a run keeps its per-article reports: one JSON file each (`json`, the default), or rows
of part files (`jsonl`, `parquet`) written a few hundred at a time, so that millions of
articles do not make millions of files.

Every store reuses a report exactly when its cache key matches: the backend, model, mode,
prompt version and schema version it was made with, and its source (the article's text and
metadata). A report's text is the same in every format, byte for byte. A part is written
atomically every `PART_ROWS` reports or `PART_SECONDS` seconds, and when the run ends or is
stopped, so a killed run loses at most the reports not yet in a part; a part that cannot be
read is set aside (`.corrupt`) with a warning and its articles are extracted again. A store
also reuses what another format left in the same folder, copying it into its own.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple, Protocol

from pydantic import ValidationError

from ..errors import ConfigError, InputError
from ..models import DefenceMeetingReport, Source
from ..output import write_bytes_atomic, write_text_atomic
from ..report_parts import (
    PART_FORMATS,
    PartFormat,
    PartRow,
    encode_part,
    part_files,
    part_name,
    part_number,
    read_part,
)

__all__ = [
    "PART_ROWS",
    "PART_SECONDS",
    "REPORT_FORMATS",
    "STORE_WARNING",
    "Hit",
    "JsonFiles",
    "Parts",
    "ReportFormat",
    "ReportStore",
    "cache_key",
    "check_format",
    "open_store",
    "report_key",
    "report_text",
]

ReportFormat = Literal["json", "jsonl", "parquet"]
REPORT_FORMATS: tuple[ReportFormat, ...] = ("json", "jsonl", "parquet")
PART_ROWS = 500  # reports per part
PART_SECONDS = 5.0  # the longest a finished report waits to be written to a part
STORE_WARNING = "report part "  # how the store's warnings begin (they are about this run only)


class Hit(NamedTuple):
    """A stored report that can be reused: the report, its JSON text and where it is."""

    report: DefenceMeetingReport
    text: str
    location: str


class ReportStore(Protocol):
    """Reports by name: find one made from the same inputs, store new ones."""

    warnings: list[str]

    def find(self, name: str, key: str) -> Hit | None:
        """The report stored as `name` if it has cache key `key`."""

    def put(self, name: str, key: str, text: str) -> str:
        """Store a report's JSON text; return where it is (relative to the run's output).
        Raises OutputError when it cannot be written."""

    def fingerprint(self, name: str) -> bytes:
        """What the stored report of `name` is, for the merge key (OSError if none)."""

    def close(self) -> None:
        """Write what is not written yet (OutputError if it cannot be)."""


def _digest(*parts: str) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def cache_key(provenance: tuple[str, ...], source: Source) -> str:
    """The cache key of a report made with `provenance` (backend, model, mode, prompt version,
    schema version) from `source`: two reports have the same key when one can stand for the
    other."""
    bare = source.model_copy(update={"marked": []})  # set apart by extraction, not the input
    return _digest(*provenance, bare.model_dump_json())


def report_key(report: DefenceMeetingReport) -> str:
    """The cache key of a report, from what it records it was made with and from."""
    x = report.extraction
    made_with = (x.backend, x.model, x.mode, x.prompt_version, x.schema_version)
    return cache_key(made_with, report.source)


def report_text(report: DefenceMeetingReport) -> str:
    """A report's JSON text, as every format stores it (what `write_json_atomic` writes)."""
    return report.model_dump_json(indent=2) + "\n"


def _parsed(text: str | bytes) -> DefenceMeetingReport | None:
    try:
        return DefenceMeetingReport.model_validate_json(text)
    except ValidationError:
        return None


class JsonFiles:
    """One `<name>.json` file per report in `folder` (paths recorded relative to `root`)."""

    def __init__(self, root: Path, folder: Path) -> None:
        self.root, self.folder = root, folder
        self.warnings: list[str] = []

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def find(self, name: str, key: str) -> Hit | None:
        path = self._path(name)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        report = _parsed(data)
        if report is None or report_key(report) != key:
            return None
        text = data.decode("utf-8", "replace")  # valid UTF-8: it parsed as JSON
        return Hit(report, text, path.relative_to(self.root).as_posix())

    def put(self, name: str, key: str, text: str) -> str:
        path = self._path(name)
        write_text_atomic(path, text)
        return path.relative_to(self.root).as_posix()

    def fingerprint(self, name: str) -> bytes:
        return self._path(name).read_bytes()

    def close(self) -> None:
        pass


@dataclass
class _Row:
    key: str
    text: str | None  # dropped once the report is taken, to keep memory to one copy
    digest: bytes
    location: str


class Parts:
    """Reports as rows of `part-<number>.<format>` files in `folder`, written a part at a time.

    All parts are read when the store opens; a later part's row for a name wins. A part that
    cannot be read is renamed `<part>.corrupt` and named in `warnings`. `rows` and `seconds`
    decide when a part is written: when it has that many rows, or when its first row has
    waited that long (a timer thread); `close` writes the rest.
    """

    def __init__(self, root: Path, folder: Path, format: PartFormat, *,
                 rows: int | None = None, seconds: float | None = None) -> None:  # fmt: skip
        self.root, self.folder, self.format = root, folder, format
        self.warnings: list[str] = []
        self._rows = rows if rows is not None else PART_ROWS
        self._seconds = seconds if seconds is not None else PART_SECONDS
        self._index: dict[str, _Row] = {}
        self._pending: list[PartRow] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        numbers = [0]
        for path in part_files(folder, format):
            numbers.append(part_number(path) or 0)
            self._load(path)
        self._next = max(numbers) + 1

    def _location(self, number: int) -> str:
        return (self.folder / part_name(number, self.format)).relative_to(self.root).as_posix()

    def _load(self, path: Path) -> None:
        try:
            rows = read_part(path)
        except InputError as exc:
            aside = path.with_name(path.name + ".corrupt")
            try:
                path.replace(aside)
                what = f"set aside as {aside.name}"
            except OSError:
                what = "ignored"
            self.warnings.append(f"{STORE_WARNING}{exc} ({what}; its articles are extracted again)")
            return
        location = path.relative_to(self.root).as_posix()
        for row in rows:
            digest = hashlib.sha256(row.report.encode()).digest()
            self._index[row.name] = _Row(row.key, row.report, digest, location)

    def find(self, name: str, key: str) -> Hit | None:
        row = self._index.get(name)
        if row is None or row.key != key or row.text is None:
            return None
        report = _parsed(row.text)
        if report is None or report_key(report) != key:
            return None
        text, row.text = row.text, None
        return Hit(report, text, row.location)

    def put(self, name: str, key: str, text: str) -> str:
        with self._lock:
            location = self._location(self._next)
            self._pending.append(PartRow(name, key, text))
            digest = hashlib.sha256(text.encode()).digest()
            self._index[name] = _Row(key, None, digest, location)
            if len(self._pending) >= self._rows:
                self._flush()
            elif self._timer is None:
                self._timer = threading.Timer(self._seconds, self._due)
                self._timer.daemon = True
                self._timer.start()
            return location

    def _due(self) -> None:
        with self._lock, contextlib.suppress(OSError):  # a full disk: the next write says so
            self._timer = None
            self._flush()

    def _flush(self) -> None:
        """Write the pending rows as the next part (the lock held)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        path = self.folder / part_name(self._next, self.format)
        write_bytes_atomic(path, encode_part(self._pending, self.format))
        self._pending = []
        self._next += 1

    def fingerprint(self, name: str) -> bytes:
        row = self._index.get(name)
        if row is None:
            raise FileNotFoundError(name)
        return row.digest

    def close(self) -> None:
        with self._lock:
            self._flush()


class _Reusing:
    """A store that also reuses what stores of other formats hold, copying it into its own."""

    def __init__(self, own: ReportStore, others: list[ReportStore]) -> None:
        self.own, self.others = own, others
        self.warnings = [w for store in (own, *others) for w in store.warnings]

    def find(self, name: str, key: str) -> Hit | None:
        hit = self.own.find(name, key)
        if hit is not None:
            return hit
        for other in self.others:
            hit = other.find(name, key)
            if hit is not None:
                try:
                    location = self.own.put(name, key, hit.text)
                except OSError:  # it will be extracted, and its write fail as it would
                    return None
                return hit._replace(location=location)
        return None

    def put(self, name: str, key: str, text: str) -> str:
        return self.own.put(name, key, text)

    def fingerprint(self, name: str) -> bytes:
        return self.own.fingerprint(name)

    def close(self) -> None:
        self.own.close()


def check_format(format: str) -> None:
    """ConfigError for a format that is not one of `REPORT_FORMATS`; SetupError for Parquet
    without pyarrow: both before a run starts."""
    if format not in REPORT_FORMATS:
        raise ConfigError(f"report format must be one of {', '.join(REPORT_FORMATS)}: {format!r}")
    if format == "parquet":
        encode_part([], "parquet")  # imports pyarrow, or says which extra to install


def _formats_present(folder: Path) -> list[ReportFormat]:
    present: list[ReportFormat] = []
    if any(path.is_file() for path in folder.glob("*.json")):
        present.append("json")
    present += [f for f in PART_FORMATS if part_files(folder, f)]
    return present


def open_store(format: ReportFormat, root: Path, folder: Path) -> ReportStore:
    """The store of `format` in `folder` (locations relative to `root`), reusing what the
    other formats left there too."""

    def store(kind: ReportFormat) -> ReportStore:
        return JsonFiles(root, folder) if kind == "json" else Parts(root, folder, kind)

    own = store(format)
    others = [store(kind) for kind in _formats_present(folder) if kind != format]
    return _Reusing(own, others) if others else own
