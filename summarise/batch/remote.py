"""Input from any file system pyarrow opens (`s3://`, `gs://`, `file://`...): the articles are
copied into a local mirror inside the output folder, then run like a local folder.

Only article files are copied (the suffixes the loader reads, at most the size it reads), each
atomically, a few at a time; a file whose size and modification time are those of its copy is
not copied again, and copies of files no longer in the source are removed. So every check of
a local run (encoding, binary, HTML, empty) applies unchanged, and reports are named as for
the same folder read locally. A name that would lead out of the mirror (`..`, an absolute or
empty part) is never copied: it is listed as skipped with that reason. Credentials in the URI
never reach the record or a message (`config.redact_url`). Needs pyarrow (the `ray` extra).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..config import redact, redact_url
from ..errors import ConfigError, InputError, SetupError
from ..loading import MAX_ARTICLE_BYTES
from ..output import OutputError, write_bytes_atomic
from .discover import _not_an_article, storable
from .record import SkippedFile

__all__ = [
    "COPY_THREADS",
    "MIRROR_FOLDER",
    "RemoteFolder",
    "Staged",
    "check_outside",
    "is_uri",
    "open_folder",
    "stage",
]

MIRROR_FOLDER = "input"  # in the output folder: where a URI's articles are copied
COPY_THREADS = 8  # files copied at once: object stores answer slowly but in parallel
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
# Writes into the mirror that fail for every file alike: the run cannot go on.
_FATAL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})
_AUTH = re.compile(
    r"access ?denied|forbidden|credential|unauthori[sz]ed|invalidaccesskey|signature|"
    r"permission|\b40[13]\b",
    re.IGNORECASE,
)


def is_uri(directory: str | Path) -> bool:
    """Whether the run's input is a URI (`scheme://...`) rather than a local path."""
    return isinstance(directory, str) and _URI.match(directory) is not None


@dataclass(frozen=True)
class RemoteFolder:
    """A folder of articles on a pyarrow file system: where it is, and how it is shown."""

    shown: str  # the URI, credentials hidden: what the record and messages say
    filesystem: Any  # a pyarrow.fs.FileSystem (or anything with its two read methods)
    base: str  # the folder's path on that file system
    local: Path | None = None  # the folder on this machine, for a local file system
    secrets: tuple[str, ...] = field(default=(), repr=False)  # the URI's, hidden in messages


@dataclass
class Staged:
    """What staging did: the mirror, the files not copied (with why) and the counts."""

    folder: Path
    skipped: list[SkippedFile] = field(default_factory=list)
    copied: list[str] = field(default_factory=list)  # relative paths copied this time
    unchanged: int = 0
    removed: int = 0


def _pyarrow_fs() -> Any:
    try:
        import pyarrow.fs
    except ImportError as exc:
        raise SetupError(
            "Reading articles from a URI needs pyarrow: pip install 'summarise[ray]' (or pip "
            "install -e '.[ray]' in a checkout), or give a local folder."
        ) from exc
    return pyarrow.fs


def _secrets(uri: str) -> tuple[str, ...]:
    """The credentials a URI carries: its user, password and query-string values."""
    try:
        parts = urlsplit(uri)
        found = [parts.username or "", parts.password or ""]
    except ValueError:
        return (uri,)
    found += [value for _, value in parse_qsl(parts.query, keep_blank_values=True)]
    return tuple(sorted(filter(None, found), key=len, reverse=True))


def _detail(exc: Exception, secrets: tuple[str, ...]) -> str:
    """What a store's error says, with every credential of the URI hidden."""
    text = redact(str(exc))
    for secret in secrets:
        text = text.replace(secret, "***")
    return text.strip() or type(exc).__name__


def _unreachable(shown: str, exc: Exception, secrets: tuple[str, ...]) -> InputError | ConfigError:
    """A clear error for a file system that cannot be reached or listed."""
    detail = _detail(exc, secrets)
    if isinstance(exc, FileNotFoundError):
        return InputError(f"{shown}: no such folder or bucket ({detail})")
    if isinstance(exc, PermissionError) or _AUTH.search(detail):
        return ConfigError(
            f"{shown}: access refused ({detail}); check the credentials for this store "
            "(e.g. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, GOOGLE_APPLICATION_CREDENTIALS)"
        )
    return InputError(f"{shown}: cannot be read ({detail})")


def open_folder(uri: str) -> RemoteFolder:
    """The folder at `uri`; InputError for a URI pyarrow cannot open or a folder that is not
    there, ConfigError when the store refuses the credentials, SetupError without pyarrow."""
    pafs = _pyarrow_fs()
    shown, secrets = redact_url(uri), _secrets(uri)
    try:
        filesystem, base = pafs.FileSystem.from_uri(uri)
    except OSError as exc:
        raise _unreachable(shown, exc, secrets) from None
    except Exception as exc:  # ArrowInvalid (a ValueError), ArrowNotImplementedError...
        detail = _detail(exc, secrets)
        raise InputError(
            f"{shown}: not a folder URI pyarrow can open ({detail}); give a local folder or a "
            "URI such as s3://bucket/news/, gs://bucket/news/ or file:///abs/path"
        ) from None
    try:
        info = filesystem.get_file_info(base)
    except Exception as exc:
        raise _unreachable(shown, exc, secrets) from None
    if info.type == pafs.FileType.NotFound:
        raise InputError(f"{shown}: no such folder or bucket")
    if info.type != pafs.FileType.Directory:
        raise InputError(f"{shown} is not a folder")
    local = Path(base) if isinstance(filesystem, pafs.LocalFileSystem) else None
    return RemoteFolder(shown, filesystem, base, local, secrets)


def check_outside(local: Path, out: Path) -> None:
    """Refuse a URI's local folder inside the output folder, which holds the copy of it."""
    if local.resolve().is_relative_to(out.resolve()):
        raise InputError(
            f"The input folder {local} is inside the output folder {out}, where the copy of "
            "the input is made. Choose another output folder."
        )


def _escapes(rel: str) -> bool:
    """Whether a relative name could lead out of the mirror, or is not a plain name."""
    parts = rel.split("/")
    return rel.startswith("/") or "\x00" in rel or any(p in ("", ".", "..") for p in parts)


@dataclass
class _Listing:
    wanted: dict[str, Any] = field(default_factory=dict)  # relative path: pyarrow FileInfo
    skipped: list[SkippedFile] = field(default_factory=list)

    def skip(self, rel: str, reason: str) -> None:
        self.skipped.append(SkippedFile(path=storable(rel), reason=reason))


def _list(folder: RemoteFolder, out: Path) -> _Listing:
    """The article files under the folder, by relative path; the other files with why."""
    pafs = _pyarrow_fs()
    try:
        infos = folder.filesystem.get_file_info(pafs.FileSelector(folder.base, recursive=True))
    except Exception as exc:
        raise _unreachable(folder.shown, exc, folder.secrets) from None
    prefix = folder.base.rstrip("/") + "/"
    root = folder.local.resolve() if folder.local is not None else None
    listing = _Listing()
    for info in infos:
        if info.type != pafs.FileType.File:
            continue
        rel = info.path[len(prefix) :] if info.path.startswith(prefix) else info.path
        if not info.path.startswith(prefix) or _escapes(rel):
            listing.skip(rel, "its name would lead out of the input folder ('..', an absolute "
                              "or empty part): not read")  # fmt: skip
            continue
        parts = PurePosixPath(rel).parts
        if any(part.startswith(".") for part in parts[:-1]):
            continue  # in a hidden folder: not read, as a local run does not enter it
        if root is not None:
            real = Path(info.path).resolve()
            if real == out or real.is_relative_to(out):
                continue  # the output folder: never read
            if real != root.joinpath(*parts):
                listing.skip(rel, "symbolic link: not read from a URI (give the folder as a "
                                  "path to have links checked and read)")  # fmt: skip
                continue
        reason = _not_an_article(parts[-1], Path(parts[-1]))
        if reason is None and info.size is not None and info.size > MAX_ARTICLE_BYTES:
            reason = (
                f"{info.size / 2**20:.1f} MB; articles are limited to "
                f"{MAX_ARTICLE_BYTES / 2**20:.0f} MB: not copied"
            )
        if reason is not None:
            listing.skip(rel, reason)
            continue
        listing.wanted[rel] = info
    return listing


def _unchanged(target: Path, info: Any) -> bool:
    """Whether the copy at `target` has the source's size and modification time."""
    try:
        stat = target.lstat()
    except OSError:
        return False
    mtime = info.mtime_ns
    return (
        target.is_file()
        and not target.is_symlink()
        and mtime is not None
        and (stat.st_size, stat.st_mtime_ns) == (info.size, mtime)
    )


def _prune(mirror: Path, wanted: Iterable[str]) -> int:
    """Remove from the mirror what is not a wanted file (copies of files no longer in the
    source, temporary files of a killed run, links); return how many files went."""
    keep = {mirror.joinpath(*PurePosixPath(rel).parts) for rel in wanted}
    removed = 0
    for top, dirs, files in os.walk(mirror, topdown=False):
        here = Path(top)
        for name in [*files, *(d for d in dirs if (here / d).is_symlink())]:
            path = here / name
            if path not in keep:
                path.unlink()
                removed += 1
        if here != mirror:
            with contextlib.suppress(OSError):  # not empty: it holds wanted files
                here.rmdir()
    return removed


def _copy(folder: RemoteFolder, info: Any, target: Path) -> str | None:
    """Copy one file into the mirror, atomically; why it could not be, if it could not."""
    try:
        with folder.filesystem.open_input_stream(info.path) as stream:
            data = stream.read(MAX_ARTICLE_BYTES + 1)
    except Exception as exc:  # the store's own errors: this file's, not the run's
        return f"cannot be read: {_detail(exc, folder.secrets)}"
    if len(data) > MAX_ARTICLE_BYTES:
        return f"larger than {MAX_ARTICLE_BYTES / 2**20:.0f} MB, the limit for articles"
    try:
        write_bytes_atomic(target, data)
        if info.mtime_ns is not None:
            os.utime(target, ns=(info.mtime_ns, info.mtime_ns))
    except OSError as exc:
        if exc.errno in _FATAL:
            raise
        return f"cannot be copied: {exc.strerror or exc}"
    return None


def stage(folder: RemoteFolder, mirror: Path, *, out: Path, threads: int = COPY_THREADS) -> Staged:
    """Make `mirror` a copy of the folder's article files; return what was done.

    `out` (the run's output folder) is never read when the folder holds it. Raises
    InputError / ConfigError when the folder cannot be listed, OutputError when the mirror
    cannot be written at all (a full disk).
    """
    listing = _list(folder, out.resolve())
    staged = Staged(mirror, listing.skipped)
    try:
        mirror.mkdir(parents=True, exist_ok=True)
        staged.removed = _prune(mirror, listing.wanted)
    except OSError as exc:
        raise OutputError(f"Cannot prepare the copy of the input in {mirror}: {exc}") from exc
    todo = []
    for rel, info in sorted(listing.wanted.items()):
        target = mirror.joinpath(*PurePosixPath(rel).parts)
        if _unchanged(target, info):
            staged.unchanged += 1
        else:
            todo.append((rel, info, target))
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        failures = list(pool.map(lambda job: _copy(folder, job[1], job[2]), todo))
    for (rel, _, target), failure in zip(todo, failures, strict=True):
        if failure is None:
            staged.copied.append(rel)
            continue
        with contextlib.suppress(OSError):
            target.unlink()  # never read an old copy of a file that could not be copied
        staged.skipped.append(SkippedFile(path=storable(rel), reason=failure))
    staged.skipped.sort(key=lambda skipped: skipped.path)
    return staged
