"""Lenient reading of a model's JSON: repair what has one meaning before anyone re-asks.

Two faults small models make are repaired here, and each repair is named so a report can say
what was done: raw control characters inside strings (a newline typed into a label) are
escaped, and output cut off mid-way (at `max_tokens`) loses only its unfinished last item of
the innermost list, after which the open brackets are closed. Anything else is left alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

__all__ = ["Repaired", "repair_json"]

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


@dataclass(frozen=True)
class Repaired:
    """Repaired JSON text and what was done to it (empty when nothing was needed)."""

    text: str
    repairs: list[str] = field(default_factory=list)


@dataclass
class _Frame:
    """An open container while scanning: its kind and, inside an object, the current key."""

    kind: str  # "[" or "{"
    key: str | None = None


def _escape_controls(text: str) -> tuple[str, int]:
    """The text with control characters inside strings escaped, and how many there were."""
    out: list[str] = []
    in_string = escaped = False
    count = 0
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            elif char < " ":
                out.append(_ESCAPES.get(char, f"\\u{ord(char):04x}"))
                count += 1
                continue
        elif char == '"':
            in_string = True
        out.append(char)
    return "".join(out), count


def _path(stack: list[_Frame]) -> str:
    keys = [frame.key for frame in stack if frame.kind == "{" and frame.key]
    return ".".join(keys) or "the answer"


def _close_truncated(text: str) -> tuple[str, str] | None:
    """Cut a truncated document after its last complete item of a list and close it.

    Returns the closed text and the name of the list that lost its last item; None when the
    text is not a truncated document or no list holds a complete item to cut after.
    """
    stack: list[_Frame] = []
    in_string = escaped = False
    string_start = 0
    last_string = ""
    # (position to cut at, the stack then): just after "[" or after a "," inside a list
    cut: tuple[int, list[_Frame]] | None = None
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
                last_string = text[string_start + 1 : index]
            continue
        if char == '"':
            in_string, string_start = True, index
        elif char in "[{":
            stack.append(_Frame(char))
            if char == "[":
                cut = (index + 1, [_Frame(f.kind, f.key) for f in stack])
        elif char in "]}":
            if not stack:
                return None
            stack.pop()
        elif char == ":" and stack and stack[-1].kind == "{":
            stack[-1].key = last_string
        elif char == "," and stack and stack[-1].kind == "[":
            cut = (index, [_Frame(f.kind, f.key) for f in stack])
    if not stack and not in_string:
        return None  # complete (or not JSON at all): nothing to close
    if cut is None:
        return None
    position, frames = cut
    closers = "".join("]" if f.kind == "[" else "}" for f in reversed(frames))
    return text[:position].rstrip() + closers, _path(frames)


def _parses(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def repair_json(text: str) -> Repaired | None:
    """`text` made valid JSON by the repairs above, or None if they do not make it valid.

    Valid JSON comes back unchanged with no repairs listed.
    """
    if _parses(text):
        return Repaired(text)
    repairs: list[str] = []
    fixed, controls = _escape_controls(text)
    if controls:
        repairs.append(f"escaped {controls} control character(s) inside strings")
    if not _parses(fixed):
        closed = _close_truncated(fixed)
        if closed is None:
            return None
        fixed, where = closed
        repairs.append(f"dropped the unfinished last item of {where} (the output was cut off)")
        if not _parses(fixed):
            return None
    return Repaired(fixed, repairs)
