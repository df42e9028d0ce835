"""Where a run writes: an output folder held by one run at a time and checked writable, by a
real write, before any model call is made; and `run.json` kept true while the run goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from ..errors import InputError
from ..output import OutputError, write_json_atomic
from .record import RunSummary, tally

__all__ = ["JOURNAL_INTERVAL", "Journal", "check_writable", "exclusive"]

JOURNAL_INTERVAL = 1.0  # seconds: run.json is rewritten at most this often while a run goes


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


class _Timer(Protocol):
    def cancel(self) -> None: ...


def _call_later(delay: float, callback: Callable[[], None]) -> _Timer:
    return asyncio.get_running_loop().call_later(delay, callback)


class Journal:
    """`run.json` rewritten, atomically, as articles end: at most once per `interval`, and a
    change within it written when the interval is up, so a run killed at any moment (kill -9
    included) leaves a record that lists what it finished.

    A write that fails (a full disk) is skipped: the run's last write says so. `clock` and
    `later` (a `loop.call_later`) are there for tests.
    """

    def __init__(
        self,
        path: Path,
        summary: RunSummary,
        *,
        interval: float = JOURNAL_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        later: Callable[[float, Callable[[], None]], _Timer] = _call_later,
    ) -> None:
        self._path, self._summary = path, summary
        self._interval, self._clock, self._later = interval, clock, later
        self._next = -math.inf  # when the next write may be made
        self._timer: _Timer | None = None

    def changed(self) -> None:
        """An article ended: write now, or when the interval since the last write is up."""
        now = self._clock()
        if now >= self._next:
            self._write(now)
        elif self._timer is None:
            self._timer = self._later(self._next - now, self._due)

    def _due(self) -> None:
        self._timer = None
        self._write(self._clock())

    def _write(self, now: float) -> None:
        self._next = now + self._interval
        tally(self._summary)
        with contextlib.suppress(OutputError):
            write_json_atomic(self._path, self._summary)

    def close(self) -> None:
        """No more writes: the run writes its final record itself."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
