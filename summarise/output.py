"""Writing results: atomic JSON files and the JSON Schema exports in `schemas/`."""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel

from .errors import SummariseError
from .models import DefenceMeetingReport, EventIndex, EventOverrides, EventReport, MergedReport

__all__ = [
    "SCHEMA_MODELS",
    "OutputError",
    "export_schemas",
    "json_schemas",
    "write_bytes_atomic",
    "write_json_atomic",
    "write_text_atomic",
]

_UMASK_LOCK = threading.Lock()

SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "defence-meeting-report": DefenceMeetingReport,
    "merged-report": MergedReport,
    "event-report": EventReport,
    "event-index": EventIndex,
    "event-overrides": EventOverrides,
}


@functools.cache
def _umask() -> int:
    """The process umask, read once, on the first write rather than at import.

    Linux tells it in /proc; elsewhere the only way to read it is to set it and put it back,
    which the lock keeps two of our threads from doing at once.
    """
    try:
        for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:
        mask = os.umask(0)
        os.umask(mask)
    return mask


class OutputError(SummariseError, OSError):
    """A file could not be written: a full disk, a read-only or missing folder, no permission.

    An `OSError` too (with its `errno`), so code that handled the writer's `OSError`s still
    does; its message says which file and what to do.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


_WHAT_TO_DO = {
    errno.ENOSPC: "free some space and run again",
    errno.EDQUOT: "free some space (the disk quota is used up) and run again",
    errno.EROFS: "the file system is read-only: choose another output folder",
    errno.EACCES: "no permission: choose another output folder or make this one writable",
    errno.EPERM: "no permission: choose another output folder or make this one writable",
    errno.ENAMETOOLONG: "the name is too long for this file system",
}


def _output_error(path: Path, exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc)
    hint = _WHAT_TO_DO.get(exc.errno or 0)
    error = OutputError(f"Cannot write {path}: {reason}" + (f"; {hint}." if hint else "."))
    error.errno = exc.errno
    return error


def _fill(path: Path, handle: IO[str], text: str) -> None:
    """Write `text` through `handle` (the temporary file for `path`) and flush it to disk."""
    handle.write(text)
    handle.flush()
    os.fsync(handle.fileno())


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the whole new one, never half.

    Raises OutputError (an OSError) when it cannot be written, e.g. for lack of space; the
    old file is then kept as it was and no temporary file is left behind.
    """

    def fill(handle: IO[Any]) -> None:
        _fill(path, handle, text)

    _write_atomic(path, fill, binary=False)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically, as `write_text_atomic` writes text."""

    def fill(handle: IO[Any]) -> None:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())

    _write_atomic(path, fill, binary=True)


def _write_atomic(path: Path, fill: Callable[[IO[Any]], None], *, binary: bool) -> None:
    """A temporary file beside `path`, filled by `fill`, renamed into place (OutputError)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _output_error(path, exc) from exc
    try:
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual mode
            fill(handle)
        Path(tmp).replace(path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _output_error(path, exc) from exc
        raise


def write_json_atomic(path: Path, data: BaseModel | dict[str, Any]) -> None:
    """Write a model or a dict as indented UTF-8 JSON, atomically."""
    if isinstance(data, BaseModel):
        text = data.model_dump_json(indent=2)
    else:
        text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    write_text_atomic(path, text + "\n")


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of each public model, by file stem."""
    return {name: model.model_json_schema() for name, model in SCHEMA_MODELS.items()}


def export_schemas(directory: Path) -> list[Path]:
    """Write `<name>.schema.json` for every public model; return the paths written."""
    written = []
    for name, schema in json_schemas().items():
        path = directory / f"{name}.schema.json"
        write_json_atomic(path, schema)
        written.append(path)
    return written
