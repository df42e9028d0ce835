"""The fault server's batch API: uploaded files, and batches whose lines are answered by the
chat endpoint's own logic (so an article's scripted faults apply to its lines too).

A batch is `validating` when created, `in_progress` from its first poll and ends on its
`polls`-th poll: `completed` (output and error files written), or `failed` / `expired` as
its scripted fate says. Requests the chat endpoint would not answer at all (a hang, a dropped
connection, a cut body) get no line, as a batch API that lost them would.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from typing import Any, Literal

BatchFate = Literal["completed", "failed", "expired"]
# What the chat logic answers one line: status, body and content type; None for no answer.
LineAnswer = Callable[[dict[str, Any]], tuple[int, bytes, str] | None]
Reply = tuple[int, bytes, str]  # HTTP status, body, content type

_JSON = "application/json"


@dataclass
class FakeBatch:
    """One batch as the fake server holds it; `lines` counts the requests it was sent."""

    id: str
    input_file_id: str
    endpoint: str
    completion_window: str
    fate: BatchFate
    created_at: int = field(default_factory=lambda: int(time.time()))
    status: str = "validating"
    polls: int = 0
    lines: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None
    errors: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The batch object of the OpenAI API."""
        return {
            "id": self.id, "object": "batch", "endpoint": self.endpoint,
            "input_file_id": self.input_file_id, "completion_window": self.completion_window,
            "status": self.status, "created_at": self.created_at,
            "output_file_id": self.output_file_id, "error_file_id": self.error_file_id,
            "errors": {"object": "list", "data": self.errors} if self.errors else None,
            "request_counts": {"total": self.lines, "completed": 0, "failed": 0},
        }  # fmt: skip


def _error(status: int, message: str) -> Reply:
    return status, json.dumps({"error": {"message": message}}).encode(), _JSON


def _form(content_type: str, data: bytes) -> dict[str, tuple[str | None, bytes]]:
    """A multipart/form-data body's fields: name -> (file name, bytes)."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + data)
    fields: dict[str, tuple[str | None, bytes]] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            fields[name] = (part.get_filename(), payload)
    return fields


class BatchStore:
    """Files and batches; thread-safe (the server answers in threads)."""

    def __init__(self, answer: LineAnswer, *, polls: int, fates: Sequence[BatchFate]) -> None:
        self._answer = answer
        self.polls = polls
        self.fates = list(fates)
        self.files: dict[str, tuple[str, bytes]] = {}  # id -> (purpose, content)
        self.batches: list[FakeBatch] = []
        self.cancelled: list[str] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def _file(self, purpose: str, data: bytes) -> str:
        file_id = f"file-{next(self._ids)}"
        self.files[file_id] = (purpose, data)
        return file_id

    def upload(self, content_type: str, data: bytes) -> Reply:
        """POST /v1/files: a multipart upload of a `purpose=batch` JSONL file."""
        fields = _form(content_type, data)
        purpose = fields.get("purpose", (None, b""))[1].decode()
        if "file" not in fields or purpose != "batch":
            return _error(400, "expected a file and purpose=batch")
        name, content = fields["file"]
        with self._lock:
            file_id = self._file(purpose, content)
        body = {"id": file_id, "object": "file", "bytes": len(content), "purpose": purpose,
                "filename": name or "", "created_at": int(time.time()),
                "status": "processed"}  # fmt: skip
        return 200, json.dumps(body).encode(), _JSON

    def create(self, body: dict[str, Any]) -> Reply:
        """POST /v1/batches."""
        with self._lock:
            if body.get("input_file_id") not in self.files:
                return _error(404, f"no file {body.get('input_file_id')!r}")
            n = len(self.batches)
            fate: BatchFate = self.fates[n] if n < len(self.fates) else "completed"
            batch = FakeBatch(f"batch_{next(self._ids)}", body["input_file_id"],
                              str(body.get("endpoint")), str(body.get("completion_window")),
                              fate)  # fmt: skip
            lines = self.files[batch.input_file_id][1].splitlines()
            batch.lines = sum(1 for line in lines if line.strip())
            self.batches.append(batch)
            return 200, json.dumps(batch.as_json()).encode(), _JSON

    def _find(self, batch_id: str) -> FakeBatch | None:
        return next((b for b in self.batches if b.id == batch_id), None)

    def poll(self, batch_id: str) -> Reply:
        """GET /v1/batches/{id}: one step nearer its end."""
        with self._lock:
            batch = self._find(batch_id)
            if batch is None:
                return _error(404, f"no batch {batch_id!r}")
            if batch.status in ("validating", "in_progress"):
                batch.polls += 1
                batch.status = "in_progress"
                if batch.polls >= self.polls:
                    self._end(batch)
            return 200, json.dumps(batch.as_json()).encode(), _JSON

    def _end(self, batch: FakeBatch) -> None:
        if batch.fate == "failed":
            batch.status = "failed"
            batch.errors = [{"code": "token_limit_exceeded",
                             "message": "Enqueued token limit reached for fake."}]  # fmt: skip
            return
        if batch.fate == "expired":
            batch.status = "expired"
            return
        output: list[str] = []
        errors: list[str] = []
        for n, raw in enumerate(self.files[batch.input_file_id][1].splitlines()):
            if not raw.strip():
                continue
            line = json.loads(raw)
            answer = self._answer(line.get("body") or {})
            if answer is None:  # the request was lost
                continue
            status, data, kind = answer
            try:
                body: Any = json.loads(data) if kind == _JSON else data.decode()
            except ValueError:
                body = data.decode()
            result = {"id": f"batch_req_{n}", "custom_id": line.get("custom_id"),
                      "response": {"status_code": status, "request_id": f"req_{n}",
                                   "body": body}, "error": None}  # fmt: skip
            (output if status == 200 else errors).append(json.dumps(result))
        batch.output_file_id = self._file("batch_output", "\n".join(output).encode() + b"\n")
        if errors:
            batch.error_file_id = self._file("batch_output", "\n".join(errors).encode() + b"\n")
        batch.status = "completed"

    def cancel(self, batch_id: str) -> Reply:
        """POST /v1/batches/{id}/cancel."""
        with self._lock:
            batch = self._find(batch_id)
            if batch is None:
                return _error(404, f"no batch {batch_id!r}")
            if batch.status in ("validating", "in_progress"):
                batch.status = "cancelled"
                self.cancelled.append(batch_id)
            return 200, json.dumps(batch.as_json()).encode(), _JSON

    def content(self, file_id: str) -> Reply:
        """GET /v1/files/{id}/content."""
        with self._lock:
            if file_id not in self.files:
                return _error(404, f"no file {file_id!r}")
            return 200, self.files[file_id][1], "application/octet-stream"
