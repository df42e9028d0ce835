"""Report part files: many per-article reports in one JSON Lines or Parquet file, so that a run
over millions of articles writes thousands of files, not millions.

A part is named `part-<number>.jsonl` or `part-<number>.parquet`; each row holds the report's
name in the run, its cache key (what the report was made from) and the report as the very JSON
text a `reports/<name>.json` file would hold. A later part's row for a name replaces an
earlier one. Parquet needs pyarrow (the `ray` extra); JSON Lines only the standard library.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .errors import InputError, SetupError

__all__ = [
    "PART_FORMATS",
    "PartFormat",
    "PartRow",
    "encode_part",
    "is_part_file",
    "part_files",
    "part_name",
    "part_number",
    "read_part",
]

PartFormat = Literal["jsonl", "parquet"]
PART_FORMATS: tuple[PartFormat, ...] = ("jsonl", "parquet")
_PART = re.compile(r"part-(\d{6,})\.(jsonl|parquet)")
_COLUMNS = ("name", "key", "report")


@dataclass(frozen=True)
class PartRow:
    """One report in a part: its name in the run, its cache key and its JSON text."""

    name: str
    key: str
    report: str


def part_name(number: int, format: PartFormat) -> str:
    """The file name of part `number` (from 1) in `format`."""
    return f"part-{number:06d}.{format}"


def part_number(path: Path) -> int | None:
    """The number of a part file, or None when `path` is not named as a part."""
    match = _PART.fullmatch(path.name)
    return int(match.group(1)) if match else None


def is_part_file(path: Path) -> bool:
    """Whether `path` is named as a report part (jsonl or parquet)."""
    return part_number(path) is not None


def part_files(folder: Path, format: PartFormat) -> list[Path]:
    """The parts of `format` in `folder`, in the order they were written."""
    found = []
    for path in folder.glob(f"part-*.{format}"):
        number = part_number(path)
        if number is not None and path.is_file():
            found.append((number, path))
    return [path for _, path in sorted(found)]


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise SetupError(
            "Parquet reports need pyarrow: pip install 'summarise[ray]' (or pip install pyarrow)."
        ) from exc
    return pa, pq


def encode_part(rows: Sequence[PartRow], format: PartFormat) -> bytes:
    """The bytes of a part holding `rows`."""
    if format == "jsonl":
        lines = (
            json.dumps({"name": r.name, "key": r.key, "report": r.report}, ensure_ascii=False)
            for r in rows
        )
        return "".join(f"{line}\n" for line in lines).encode("utf-8")
    pa, pq = _pyarrow()
    table = pa.table(
        {column: [getattr(r, column) for r in rows] for column in _COLUMNS},
        schema=pa.schema([(column, pa.large_string()) for column in _COLUMNS]),
    )
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


def _row(value: object, where: str) -> PartRow:
    if not isinstance(value, dict) or any(not isinstance(value.get(c), str) for c in _COLUMNS):
        raise InputError(f"{where}: not a report row (name, key and report, each a string)")
    return PartRow(value["name"], value["key"], value["report"])


def _jsonl_rows(path: Path) -> list[PartRow]:
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the part: {exc}") from exc
    if text and not text.endswith("\n"):
        raise InputError(f"{path}: truncated (its last line is not complete)")
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: line {number} is not valid JSON: {exc}") from exc
        rows.append(_row(value, f"{path}: line {number}"))
    return rows


def _parquet_rows(path: Path) -> list[PartRow]:
    pa, pq = _pyarrow()
    try:
        table = pq.read_table(path, columns=list(_COLUMNS))
        values: Iterable[object] = table.to_pylist()
    except (OSError, pa.ArrowException, ValueError, KeyError) as exc:
        raise InputError(f"{path}: not a readable Parquet part: {exc}") from exc
    return [_row(value, f"{path}: row {i}") for i, value in enumerate(values, start=1)]


def read_part(path: Path) -> list[PartRow]:
    """The rows of a part file, in order; InputError naming the file when it is unreadable,
    truncated or not a part (SetupError for Parquet without pyarrow)."""
    if path.suffix == ".jsonl":
        return _jsonl_rows(path)
    if path.suffix == ".parquet":
        return _parquet_rows(path)
    raise InputError(f"{path}: not a report part (.jsonl or .parquet)")
