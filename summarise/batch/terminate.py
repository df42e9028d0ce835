"""SIGTERM stops a run as Ctrl-C does: what is finished (and being written) is kept, the
record says "interrupted", and the process exits 143.

Installed only on the main thread and only while SIGTERM has its default action, so an
application that handles SIGTERM itself keeps its own handler. A second SIGTERM ends the
process at once, as it would have without the toolkit.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Iterator

__all__ = ["Terminate"]


class Terminate:
    """Cancels a task on SIGTERM; `received` says whether it did."""

    def __init__(self) -> None:
        self.received = False

    @contextlib.contextmanager
    def cancels(self, task: asyncio.Future[None]) -> Iterator[None]:
        """For the block: SIGTERM cancels `task` (from the event loop, at its next step)."""
        if (
            threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
        ):
            yield
            return
        loop = asyncio.get_running_loop()

        def on_sigterm(signum: int, frame: object) -> None:
            self.received = True
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second one ends the process
            loop.call_soon_threadsafe(task.cancel)

        signal.signal(signal.SIGTERM, on_sigterm)
        try:
            yield
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
