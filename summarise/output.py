"""Writing results: atomic JSON files and the JSON Schema exports in `schemas/`."""

from __future__ import annotations

import functools
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .models import DefenceMeetingReport, MergedReport

__all__ = [
    "SCHEMA_MODELS",
    "export_schemas",
    "json_schemas",
    "write_json_atomic",
    "write_text_atomic",
]

_UMASK_LOCK = threading.Lock()

SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "defence-meeting-report": DefenceMeetingReport,
    "merged-report": MergedReport,
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


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the whole new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual mode
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
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
