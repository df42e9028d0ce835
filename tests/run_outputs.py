"""What two runs wrote, to compare: reports and merges without their wall-clock seconds (the
only thing two runs of the same answers differ in)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["report_files", "without_timings"]


def without_timings(value: Any) -> Any:
    """A report's (or a merge's) JSON without its `seconds` fields."""
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


def report_files(out: Path) -> dict[str, Any]:
    """A run's `reports/<name>.json` files by name, without their timings."""
    return {p.name: without_timings(json.loads(p.read_bytes()))
            for p in sorted((out / "reports").glob("*.json"))}  # fmt: skip
