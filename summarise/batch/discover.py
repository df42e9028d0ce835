"""What a run reads under its input folder, and the names its reports get.

Nothing outside the input folder is read unless asked (`follow_links`): a symbolic link that
leads out of it is listed as skipped, with its reason, like a file that is not an article. The
output folder is never read, even when it lies inside the input folder or a link leads into
it, and a file reached twice (by a link and by its own name, or as two hard links) is read
once. Report names keep to characters that are safe in any file system and on any terminal,
and stay the same from one run to the next.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..loading import SUPPORTED_SUFFIXES
from .record import SkippedFile

__all__ = ["Found", "discover", "report_names", "safe_name", "storable"]

# Bytes of a report name before its hash: with ".json" and the atomic writer's temporary
# prefix and suffix, the file name stays far below the usual limit of 255 bytes.
_NAME_BYTES = 180
_RESERVED = frozenset('<>:"/\\|?*')  # not allowed in names on some file systems
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class Found:
    """An article file: its path under the input folder and the file it leads to."""

    path: Path
    real: Path


def storable(text: str) -> str:
    """`text` as it can be written to JSON and shown: the bytes of a file name that are not
    UTF-8 (held as lone surrogates) written `\\xNN`."""

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group(0))
        return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"

    return _SURROGATE.sub(escape, text)


def _rel(path: Path, directory: Path) -> str:
    return storable(path.relative_to(directory).as_posix())


def _within(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def _resolve(path: Path) -> Path | None:
    """Where `path` leads, links followed; None for a loop of links."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def _file_id(path: Path) -> tuple[int, int] | None:
    """The file `path` leads to, as (device, inode); None if there is none (a broken link)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _not_an_article(name: str, path: Path) -> str | None:
    if name.startswith("."):
        return "hidden file"
    if name.upper().startswith("README"):
        return "README: documentation"
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return f"not an article ({', '.join(SUPPORTED_SUFFIXES)})"
    return None


@dataclass
class _Walk:
    directory: Path
    root: Path  # the input folder, resolved
    outputs: Path  # the output folder, resolved
    follow_links: bool
    skipped: list[SkippedFile]
    walked: set[Path]

    def folder_kept(self, path: Path) -> bool:
        """Whether to walk a sub-folder; a link to a folder that is not walked is listed."""
        if path.name.startswith("."):
            return False
        real = _resolve(path)
        link = path.is_symlink()
        reason = None
        if real is None:
            reason = "broken symbolic link (a loop)"
        elif _within(real, self.outputs):
            return False  # the output folder: never read
        elif link and _within(real, self.root):
            reason = "link to a folder inside the input folder: its files are read there"
        elif link and not self.follow_links:
            reason = (
                f"link to a folder outside the input folder ({storable(str(real))}); "
                "--follow-links reads it"
            )
        elif real in self.walked:
            reason = "link to a folder already read"
        if reason is not None:
            if link:
                rel = _rel(path, self.directory) + "/"
                self.skipped.append(SkippedFile(path=rel, reason=reason))
            return False
        assert real is not None
        self.walked.add(real)
        return True

    def refusal(self, path: Path) -> str | None:
        """Why an article file is not read, if it is not: where it leads."""
        real = _resolve(path)
        if real is None or (path.is_symlink() and _file_id(path) is None):
            return "broken symbolic link"
        if _within(real, self.outputs):
            return f"leads into the output folder ({storable(str(self.outputs))})"
        if not self.follow_links and not _within(real, self.root):
            return (
                f"link to a file outside the input folder ({storable(str(real))}); "
                "--follow-links reads it"
            )
        return None


def discover(
    directory: Path, out: Path, *, follow_links: bool = False
) -> tuple[list[Found], list[SkippedFile]]:
    """The article files under `directory`, in a stable order; and the files not read, with
    why.

    Hidden folders and `out` are not entered; README files are documentation. Symbolic links
    are read only when they lead inside `directory`, or anywhere but `out` with
    `follow_links`; links to folders are followed only then, and only out of `directory`
    (inside, the folder is read where it is). A file reached more than once is read by its
    own name if it has one under `directory`, else by its first path.
    """
    walk = _Walk(
        directory=directory,
        root=directory.resolve(),
        outputs=out.resolve(),
        follow_links=follow_links,
        skipped=[],
        walked={directory.resolve()},
    )
    candidates: list[tuple[Found, tuple[int, int] | None]] = []
    for top, dirs, files in os.walk(directory, followlinks=follow_links):
        here = Path(top)
        dirs[:] = [name for name in sorted(dirs) if walk.folder_kept(here / name)]
        for name in sorted(files):
            path = here / name
            reason = _not_an_article(name, path) or walk.refusal(path)
            if reason is not None:
                walk.skipped.append(SkippedFile(path=_rel(path, directory), reason=reason))
                continue
            real = _resolve(path) or path.absolute()
            candidates.append((Found(path, real), _file_id(path)))
    return _once(candidates, walk), walk.skipped


def _once(candidates: list[tuple[Found, tuple[int, int] | None]], walk: _Walk) -> list[Found]:
    """Each file once: by its own name where it has one, else by the first path to it."""

    def direct(found: Found) -> bool:  # reached without a link
        return found.real == walk.root / found.path.relative_to(walk.directory)

    readers: dict[tuple[int, int], Found] = {}
    for found, file_id in candidates:
        if file_id is None:  # vanished since it was listed: its reading will say so
            continue
        if file_id not in readers or (direct(found) and not direct(readers[file_id])):
            readers[file_id] = found
    kept = []
    for found, file_id in candidates:
        reader = readers.get(file_id) if file_id is not None else None
        if reader is None or reader is found:
            kept.append(found)
            continue
        reason = f"same file as {_rel(reader.path, walk.directory)}: read once"
        walk.skipped.append(SkippedFile(path=_rel(found.path, walk.directory), reason=reason))
    return kept


def _safe_char(char: str) -> bool:
    if char in _RESERVED:
        return False
    category = unicodedata.category(char)
    # control, format (bidi overrides, zero-width), surrogate, private and unassigned
    # characters, line and paragraph separators, and every space but the plain one
    return not (
        category[0] == "C" or category in ("Zl", "Zp") or (category == "Zs" and char != " ")
    )


def _digest(rel: Path) -> str:
    return hashlib.sha256(os.fsencode(rel.as_posix())).hexdigest()[:8]


def _fit(parts: Sequence[str], rel: Path) -> str:
    """`parts` joined by "__", of safe characters only; marked with a hash of `rel` when a
    character had to be replaced or the name shortened, so two files never meet."""
    raw = "__".join(parts)
    safe = "__".join("".join(c if _safe_char(c) else "_" for c in part) for part in parts)
    if safe.startswith("."):
        safe = "_" + safe[1:]
    if safe == raw and len(safe.encode()) <= _NAME_BYTES:
        return safe
    shortened = safe.encode()[:_NAME_BYTES].decode("utf-8", "ignore")
    return f"{shortened}-{_digest(rel)}"


def safe_name(stem: str) -> str:
    """A report name for a file stem: the stem itself when it is safe, else a safe form of it
    with a hash of the stem."""
    return _fit([stem], Path(stem))


def report_names(paths: Sequence[Path], directory: Path) -> list[str]:
    """A unique, stable, safe name per file: its relative path without the suffix, "/"
    written "__".

    Files that would share a name keep their suffix, then get a hash of their path; a name
    with characters that are not safe (control characters, separators, reserved ones) has
    them replaced by "_" and a hash of the path added.
    """
    rels = [p.relative_to(directory) for p in paths]
    bases = [_fit(r.with_suffix("").parts, r) for r in rels]
    clashes = Counter(bases)
    used: set[str] = set()
    names = []
    for rel, base in zip(rels, bases, strict=True):
        name = base if clashes[base] == 1 else _fit(rel.parts, rel)
        if name in used:
            name += "-" + _digest(rel)
        used.add(name)
        names.append(name)
    return names
