"""Where a run writes: an output folder held by one run at a time and checked writable, by a
real write, before any model call is made.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ..output import OutputError

__all__ = ["check_writable", "exclusive"]


def _unwritable(folder: Path, exc: OSError) -> OutputError:
    error = OutputError(
        f"Cannot write to the output folder {folder}: {exc.strerror or exc}. Choose another "
        "output folder (--out) or make this one writable."
    )
    error.errno = exc.errno
    return error


def _probe(folder: Path) -> None:
    """Write, sync and remove a small file in `folder`.

    A real write, not a permission check: root passes every permission check, but a
    read-only mount, a full disk or a folder that is a file fail it as a report would.
    """
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".probe-", suffix=".tmp")
        try:
            os.write(fd, b"probe\n")
            os.fsync(fd)
        finally:
            os.close(fd)
            Path(name).unlink()
    except OSError as exc:
        raise _unwritable(folder, exc) from exc


def check_writable(folder: Path) -> None:
    """Raise OutputError, naming `folder`, if files cannot be written there; folders made
    for the check are removed again, so a run that writes nothing leaves nothing behind."""
    made: list[Path] = []
    try:
        for parent in [*reversed(folder.parents), folder]:
            if not parent.is_dir():
                parent.mkdir()
                made.append(parent)
        _probe(folder)
    except OutputError:
        raise
    except OSError as exc:  # a folder could not be made: a file in the way, no permission
        raise _unwritable(folder, exc) from exc
    finally:
        for parent in reversed(made):
            with contextlib.suppress(OSError):
                parent.rmdir()


@contextlib.contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """Hold `out/.lock` for the run: two runs never write the same output folder. `out` and
    `out/reports` are made and checked writable first (OutputError naming the folder)."""
    try:
        (out / "reports").mkdir(parents=True, exist_ok=True)
        handle = (out / ".lock").open("w")
    except OSError as exc:
        raise _unwritable(out, exc) from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(f"{out} is in use by another run") from None
        for stale in [*out.glob(".*.tmp"), *(out / "reports").glob(".*.tmp")]:
            stale.unlink(missing_ok=True)  # left by a killed run: never renamed into place
        _probe(out)
        _probe(out / "reports")
        yield
