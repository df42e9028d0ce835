"""Hosted batch APIs: a run's model calls sent as batches, one batch per round of the pipeline.

The extraction is not rewritten. Its client's transport (`parking`) parks each chat
completion with a `Batcher` instead of sending it; once every article in flight is waiting on
a parked request (or `max_requests` are parked, or the first has waited `max_wait` seconds),
the parked requests go up as one JSONL file (`files.create(purpose="batch")`), become one
batch (`batches.create`), which is polled until it ends; each request is then answered with
its line of the output or error file (matched by `custom_id`). A line that is an error, or
missing, is answered as an HTTP error, so the extraction's retries, re-asks and error
records apply as to a live call, and a retry joins the next round. A batch that fails,
expires, is cancelled or outlasts `timeout` stops the run (`BatchFailed`); the reports
finished are kept and a new run sends only the rest. Batches still running when the run stops
are cancelled. Nothing here imports the LLM stack until a run needs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, cast

from ..backends import backend_for
from ..config import Config, redact
from ..errors import BackendError, ConfigError
from .record import BatchEntry

if TYPE_CHECKING:
    import openai
    from openai.types import Batch

__all__ = ["BatchApiSettings", "BatchFailed", "Batcher"]

_log = logging.getLogger("summarise.batch_api")
_ENDPOINT: Final = "/v1/chat/completions"
_ENDED = frozenset({"completed", "failed", "expired", "cancelled"})
_BACKOFF = 1.5  # each poll waits this much longer than the one before, up to the maximum
_CANCEL_WAIT = 10.0  # seconds given to cancelling the batches still running as the run stops
_NO_DEADLINE = 1e9  # seconds: an article's own deadline, lifted (its batches are bounded)
_JSON = "application/json"

Answer = tuple[int, bytes, str]  # what a parked request is answered: status, body, type


@dataclass(frozen=True)
class BatchApiSettings:
    """How a run uses a batch API: how often it polls, how long a request may wait for the
    others and a batch for its results, how big a batch may be, how many articles are in
    flight at once (their requests make up each batch)."""

    poll_interval: float = 30.0  # seconds before the first poll; each next waits x1.5 ...
    max_poll_interval: float = 300.0  # ... up to this
    max_wait: float = 60.0  # seconds the first parked request waits for the others
    timeout: float = 90_000.0  # seconds a batch may take: the 24 h window and an hour
    max_requests: int = 50_000  # requests per batch (OpenAI's limit)
    max_bytes: int = 190_000_000  # bytes of a batch's input file (OpenAI's limit: 200 MB)
    completion_window: str = "24h"
    max_in_flight: int = 10_000  # articles in flight when the run gives no concurrency

    def __post_init__(self) -> None:
        for name in ("poll_interval", "max_poll_interval", "max_wait", "timeout"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"batch API {name} must be above 0 s, got {getattr(self, name)}")
        for name in ("max_requests", "max_bytes", "max_in_flight"):
            if getattr(self, name) < 1:
                raise ConfigError(f"batch API {name} must be at least 1, got {getattr(self, name)}")


class BatchFailed(BackendError):
    """A whole batch failed, expired, was cancelled or outlasted its timeout, or the batch
    API could not be used: the run stops, with the reports finished kept."""


@dataclass(eq=False)
class _Parked:
    """A chat completion waiting for its batch: its line of the input file, its answer."""

    id: str
    line: bytes
    answer: asyncio.Future[Answer]
    counted: bool = field(default=True)  # still counted as waiting


def _error_body(message: str, code: str | None = None) -> bytes:
    return json.dumps({"error": {"message": message, "code": code}}).encode()


def _parse_line(raw: bytes, batch_id: str) -> tuple[str, Answer] | None:
    """A result line's request id and answer (an error line as HTTP 500); None if unreadable."""
    try:
        line = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(line, dict) or not isinstance(line.get("custom_id"), str):
        return None
    response = line.get("response")
    if isinstance(response, dict) and isinstance(response.get("status_code"), int):
        body = response.get("body")
        if isinstance(body, str):  # not JSON: shown to the extraction as the bad body it is
            return line["custom_id"], (response["status_code"], body.encode(), "text/plain")
        return line["custom_id"], (response["status_code"], json.dumps(body).encode(), _JSON)
    error = line["error"] if isinstance(line.get("error"), dict) else {}
    code = str(error.get("code") or "error")
    message = f"batch {batch_id} line: {code}: {error.get('message') or 'no response'}"
    return line["custom_id"], (500, _error_body(message, code), _JSON)


class Batcher:
    """Gathers the parked chat completions of the articles in flight into batches, runs each
    batch to its end and answers its requests from the results."""

    def __init__(
        self,
        settings: BatchApiSettings,
        *,
        on_batch: Callable[[BatchEntry], None] | None = None,
        on_failure: Callable[[BatchFailed], None] | None = None,
    ) -> None:
        self._settings = settings
        self._on_batch = on_batch or (lambda entry: None)
        self._on_failure = on_failure or (lambda exc: None)
        self._clients: tuple[openai.AsyncOpenAI, openai.AsyncOpenAI, openai.AsyncOpenAI] | None
        self._clients = None  # the batch API's (with retries), its base, the extraction's
        self._config = Config()
        self._pending: list[_Parked] = []
        self._pending_bytes = 0
        self._parked: set[_Parked] = set()  # pending or in a batch, not yet answered
        self._waiting = 0  # parked requests not yet answered
        self._active = 0  # articles in flight
        self._ids = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()
        self._sending: set[asyncio.Future[tuple[Batch, BatchEntry]]] = set()
        self._live: dict[str, BatchEntry] = {}  # batches created and not ended
        self._timer: asyncio.TimerHandle | None = None
        self._check_due = False
        self.failure: BatchFailed | None = None

    def connect(self, config: Config) -> tuple[openai.AsyncOpenAI, Config]:
        """Open the clients for the endpoint: the one the extraction calls through (its chat
        completions parked here), and the configuration to extract with (an article's own
        deadline lifted: its batches are bounded by `timeout`)."""
        from .parking import Parking

        backend = backend_for(config)
        base = backend.async_client(config)
        chat = backend.async_client(config, transport=Parking(self))
        self._clients = base.with_options(max_retries=config.max_retries), base, chat
        self._config = config
        return chat, config.model_copy(update={"article_timeout": _NO_DEADLINE})

    @property
    def _api(self) -> openai.AsyncOpenAI:
        """The client for the files and batches endpoints (openai's own retries on)."""
        if self._clients is None:
            raise BatchFailed("The batch API's client is not open (connect first).")
        return self._clients[0]

    # --- the extraction's side: articles in flight and their requests -------------------------

    @contextlib.asynccontextmanager
    async def article(self) -> AsyncIterator[None]:
        """An article in flight: each batch waits for its request (or its end)."""
        self._active += 1
        try:
            yield
        finally:
            self._active -= 1
            self._schedule()

    async def ask(self, body: bytes) -> Answer:
        """Park one chat completion (its JSON body) until its batch answers it."""
        if self.failure is not None:
            raise self.failure
        line = {"custom_id": f"request-{next(self._ids)}", "method": "POST", "url": _ENDPOINT,
                "body": json.loads(body)}  # fmt: skip
        parked = _Parked(line["custom_id"], json.dumps(line).encode() + b"\n",
                         asyncio.get_running_loop().create_future())  # fmt: skip
        self._pending.append(parked)
        self._pending_bytes += len(parked.line)
        self._parked.add(parked)
        self._waiting += 1
        self._schedule()
        try:
            return await parked.answer
        finally:
            if not parked.answer.done() or parked.answer.cancelled():  # given up on
                if parked in self._pending:
                    self._pending.remove(parked)
                    self._pending_bytes -= len(parked.line)
                self._release(parked)
                self._schedule()

    def _release(self, parked: _Parked) -> None:
        self._parked.discard(parked)
        if parked.counted:
            parked.counted = False
            self._waiting -= 1

    def _settle(self, parked: _Parked, answer: Answer) -> None:
        self._release(parked)
        if not parked.answer.done():
            parked.answer.set_result(answer)

    # --- when a batch is sent -----------------------------------------------------------------

    def _schedule(self) -> None:
        """Decide soon, once the tasks ready to run have run: an article just started or just
        answered has then reached its next request, or its end."""
        if not self._check_due:
            self._check_due = True
            asyncio.get_running_loop().call_soon(self._check)

    def _check(self, *, due: bool = False) -> None:
        self._check_due = False
        if self.failure is not None:
            return
        while self._pending and (due or self._full() or self._waiting >= self._active):
            self._submit()
            due = False
        if self._pending and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._settings.max_wait, self._due)
        elif not self._pending and self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _due(self) -> None:
        self._timer = None
        self._check(due=True)

    def _full(self) -> bool:
        settings = self._settings
        return (len(self._pending) >= settings.max_requests
                or self._pending_bytes >= settings.max_bytes)  # fmt: skip

    def _submit(self) -> None:
        """Send the oldest pending requests that fit in one batch."""
        taken, size = 0, 0
        for parked in self._pending:
            if taken and (taken >= self._settings.max_requests
                          or size + len(parked.line) > self._settings.max_bytes):  # fmt: skip
                break
            taken, size = taken + 1, size + len(parked.line)
        batch, self._pending = self._pending[:taken], self._pending[taken:]
        self._pending_bytes -= size
        task = asyncio.get_running_loop().create_task(self._run(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- one batch, from upload to answers ----------------------------------------------------

    async def _send(self, parked: list[_Parked]) -> tuple[Batch, BatchEntry]:
        """Upload the requests and create their batch; record it as running."""
        upload = await self._api.files.create(
            file=("summarise-batch.jsonl", b"".join(p.line for p in parked), "application/jsonl"),
            purpose="batch",
        )
        batch = await self._api.batches.create(
            input_file_id=upload.id, endpoint=_ENDPOINT,
            completion_window=cast(Any, self._settings.completion_window),
        )  # fmt: skip
        entry = BatchEntry(id=batch.id, status=batch.status, requests=len(parked),
                           submitted=datetime.now(UTC))  # fmt: skip
        self._live[batch.id] = entry
        _log.info("Batch %s sent: %d request(s); waiting for it", batch.id, len(parked))
        self._on_batch(entry)
        return batch, entry

    def _sent(self, sending: asyncio.Future[tuple[Batch, BatchEntry]]) -> None:
        self._sending.discard(sending)
        if not sending.cancelled():
            sending.exception()  # seen: `_run` reports it, or the run has stopped anyway

    async def _run(self, parked: list[_Parked]) -> None:
        entry: BatchEntry | None = None
        # a batch being created is let finish even when the run stops, so that it is known,
        # and cancelled, rather than left running unseen
        sending = asyncio.ensure_future(self._send(parked))
        self._sending.add(sending)
        sending.add_done_callback(self._sent)
        try:
            batch, sent = await asyncio.shield(sending)
            entry = sent
            batch = await self._wait(batch, sent)
            answers = await self._results(batch)
        except asyncio.CancelledError:
            raise
        except BatchFailed as exc:
            self._fail(exc, entry)
            return
        except Exception as exc:  # the files or batches API failed after openai's retries
            self._fail(self._api_failure(exc, entry), entry)
            return
        assert entry is not None
        self._live.pop(batch.id, None)
        entry.status, entry.ended = batch.status, datetime.now(UTC)
        missing = [p for p in parked if p.id not in answers]
        _log.info("Batch %s completed: %d answer(s), %d missing", batch.id,
                  len(parked) - len(missing), len(missing))  # fmt: skip
        self._on_batch(entry)
        lost = (502, _error_body(f"batch {batch.id} returned no result for this request"), _JSON)
        for p in parked:
            self._settle(p, answers.get(p.id, lost))
        self._schedule()

    async def _wait(self, batch: Batch, entry: BatchEntry) -> Batch:
        """Poll until the batch ends, waiting longer each time; raise unless it completed."""
        settings = self._settings
        delay, deadline = settings.poll_interval, time.monotonic() + settings.timeout
        while batch.status not in _ENDED:
            left = deadline - time.monotonic()
            if left <= 0:
                with contextlib.suppress(Exception):
                    await self._api.batches.cancel(batch.id)
                raise BatchFailed(
                    f"Batch {batch.id} did not end within {settings.timeout:g} s (status "
                    f"{batch.status}), so it was cancelled; raise the batch timeout if the "
                    "batch API is only slow."
                )
            await asyncio.sleep(min(delay, left))
            delay = min(delay * _BACKOFF, settings.max_poll_interval)
            try:
                batch = await self._api.batches.retrieve(batch.id)
            except Exception as exc:
                if not backend_for(self._config).is_transient(exc):
                    raise
                _log.warning("Polling batch %s failed (%s); polling again", batch.id, exc)
                continue
            if batch.status != entry.status:
                entry.status = batch.status
                _log.info("Batch %s is %s", batch.id, batch.status)
                self._on_batch(entry)
        if batch.status != "completed":
            raise BatchFailed(self._ended_badly(batch))
        return batch

    def _ended_badly(self, batch: Batch) -> str:
        errors = (batch.errors.data or []) if batch.errors else []
        said = "; ".join(f"{e.code or 'error'}: {e.message or ''}".strip() for e in errors)
        how = {
            "expired": f"expired: its completion window ({self._settings.completion_window}) "
            "ran out before it was done",
            "cancelled": "was cancelled before it was done",
        }.get(batch.status, "failed")
        return f"Batch {batch.id} {how}" + (f" ({said})" if said else "") + "."

    async def _results(self, batch: Batch) -> dict[str, Answer]:
        """Every request's answer, from the output file and the error file."""
        answers: dict[str, Answer] = {}
        for file_id in (batch.output_file_id, batch.error_file_id):
            if not file_id:
                continue
            content = await self._api.files.content(file_id)
            for raw in content.content.splitlines():
                parsed = _parse_line(raw, batch.id)
                if parsed is not None:
                    answers[parsed[0]] = parsed[1]
        return answers

    def _api_failure(self, exc: Exception, entry: BatchEntry | None) -> BatchFailed:
        doing = f"wait for batch {entry.id}" if entry else "send a batch"
        known = backend_for(self._config).failure(exc, self._config, self._config.max_retries + 1)
        detail = str(known) if known is not None else f"{type(exc).__name__}: {exc}"
        message = f"Could not {doing} through the batch API: {detail}"
        return BatchFailed(redact(message, self._config))

    def _fail(self, exc: BatchFailed, entry: BatchEntry | None) -> None:
        """The run cannot go on: say so once, and answer every parked request with it."""
        if entry is not None:
            self._live.pop(entry.id, None)
            entry.ended, entry.error = datetime.now(UTC), str(exc)
            self._on_batch(entry)
        _log.warning("%s", exc)
        if self.failure is not None:
            return
        self.failure = exc
        self._pending.clear()
        self._pending_bytes = 0
        for parked in list(self._parked):
            self._release(parked)
            if not parked.answer.done():
                parked.answer.set_exception(exc)
                parked.answer.exception()  # retrieved: the run reports it, not asyncio
        self._on_failure(exc)

    async def aclose(self) -> None:
        """Stop polling; cancel the batches still running (their work would be redone); close
        the clients."""
        if self._timer is not None:
            self._timer.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._sending:  # batches being created: known once created, then cancelled
            _, late = await asyncio.wait(self._sending, timeout=_CANCEL_WAIT)
            for sending in late:
                sending.cancel()
        for batch_id, entry in list(self._live.items()):
            try:
                cancelled = await asyncio.wait_for(self._api.batches.cancel(batch_id), _CANCEL_WAIT)
            except Exception as exc:
                _log.warning("Batch %s could not be cancelled: %s", batch_id, exc)
                continue
            entry.status, entry.ended = cancelled.status, datetime.now(UTC)
            entry.error = "cancelled: the run stopped before it ended"
            _log.info("Batch %s cancelled: the run stopped", batch_id)
            self._on_batch(entry)
        self._live.clear()
        if self._clients is not None:
            for client in self._clients[1:]:
                await client.close()
