"""A fake OpenAI-compatible chat server on loopback that injects faults on chosen requests.

Not a model: a successful answer is a valid extraction draft for the article in the prompt,
naming what the test articles say (a party named "Alpha Defence" if the text has one, Moscow,
late October, spare parts...). Each article is recognised by a tag `ART-<key>` in its
text; `script[key]` lists what its 1st, 2nd, ... requests get (then "ok"). It serves a batch
API too (files, batches: `tests/batchstore.py`), each line answered as a chat request. Runs in
a thread (`with FaultServer(...) as server:`) or as a process for benchmarks::

    python tests/faultserver.py --latency 0.5 --max-parallel 16   # prints the base URL
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal, Self
from urllib.parse import urlsplit

from .batchstore import BatchFate, BatchStore, FakeBatch, Reply

Fault = Literal[
    "ok",  # a valid completion
    "429",  # rate limited, Retry-After: 0
    "500",  # server error
    "hang",  # no answer for `hang` seconds (longer than the client timeout), then close
    "truncated",  # HTTP body cut short of its Content-Length, connection closed
    "halfbody",  # 200, half a JSON body without Content-Length, connection closed (no error)
    "drop",  # connection closed without an answer
    "html200",  # 200 with an HTML error page for a body (a proxy's), not a chat completion
    "malformed",  # 200 with content that is not JSON (instructor re-asks)
    "cutoff",  # 200, finish_reason "length", half a JSON (no re-ask: max_tokens is the cause)
    "schema",  # 200 with JSON that lacks a required field (instructor re-asks once)
]
# Faults of the connection rather than of the answer: a batch loses such a request (no line).
_LOST: frozenset[Fault] = frozenset({"hang", "truncated", "halfbody", "drop"})

# Every pattern is linear in the text, whatever it holds (a chunk without any whitespace, or
# thousands of delimiters): the server works in threads under the GIL, and one slow match
# would stall every answer in flight beside it, which the client would see as timeouts.
TAG = re.compile(r"\bART-([A-Za-z0-9_-]++)")
_JSON = "application/json"
_OPEN, _CLOSE = "<<<ARTICLE", "\nARTICLE>>>"


def article_in(prompt: str) -> str:
    """The article between the prompt's first `<<<ARTICLE` line and its last `ARTICLE>>>`
    line (else all of the prompt)."""
    start = prompt.find(_OPEN)
    end = prompt.rfind(_CLOSE)
    if start < 0:
        return prompt
    start = prompt.find("\n", start) + 1  # the opening line may say when it was published
    if start <= 0 or end < start:
        return prompt
    return prompt[start:end]


def draft_for(text: str) -> dict[str, Any]:
    """A draft valid for both passes (the facts and the themes fields together)."""
    party = "Alpha Defence" if "Alpha Defence" in text else "Example Defence Ltd"
    return {
        "summary": text.strip()[:200],
        "locations": [{"name": "Moscow"}],
        "dates": [{"text": "late October", "of": "the meetings", "main": True}],
        "attendees": [
            {"name": party, "kind": "organisation", "role": None, "affiliation": None,
             "stance": "reported"}
        ],
        "denials": [],
        "key_figures": [],
        "topics": [{"label": label, "detail": "talks"}
                   for label in ["spare parts", "joint production", "fighter jets"]],
        "risks": [{"label": label, "detail": "d", "category": "other", "borne_by": None}
                  for label in ["supply of components", "joint production costs"]],
    }  # fmt: skip


def completion(content: str, *, finish_reason: str = "stop", prompt_chars: int = 0) -> bytes:
    """A chat completion body holding `content`, with a plausible token usage."""
    prompt_tokens, completion_tokens = prompt_chars // 4 + 1, len(content) // 4 + 1
    return json.dumps(
        {
            "id": "chatcmpl-fault",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": "fault-server",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": finish_reason,
                    "message": {"role": "assistant", "content": content},
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
    ).encode()


class FaultServer:
    """The server: per-article fault scripts, a fixed latency, an optional parallelism cap.

    `requests[key]` counts the requests for each article and `answered[key]` its valid answers
    ("ok" and "schema"); `peak` is the most requests seen in flight at once. Batches end on
    their `batch_polls`-th poll, the n-th as `batch_script[n]` says (then "completed");
    `batches` lists them, `keys` the credentials requests came with (bearer, or user:password).
    """

    def __init__(
        self,
        script: Mapping[str, Sequence[Fault]] | None = None,
        *,
        latency: float = 0.0,
        hang: float = 2.0,
        max_parallel: int | None = None,
        port: int = 0,
        batch_polls: int = 2,
        batch_script: Sequence[BatchFate] = (),
    ) -> None:
        self.script = {k: list(v) for k, v in (script or {}).items()}
        self.latency = latency
        self.hang = hang
        self.requests: Counter[str] = Counter()
        self.answered: Counter[str] = Counter()
        self.faults: defaultdict[str, list[Fault]] = defaultdict(list)
        self.in_flight = 0
        self.peak = 0
        self.keys: set[str] = set()
        self.store = BatchStore(self.batch_line, polls=batch_polls, fates=batch_script)
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_parallel) if max_parallel else None
        self._server = _Server(("127.0.0.1", port), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def batches(self) -> list[FakeBatch]:
        """The batches created, in order."""
        return self.store.batches

    @property
    def url(self) -> str:
        """The base URL to configure, ending in /v1."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _next_fault(self, key: str) -> Fault:
        with self._lock:
            n = self.requests[key]
            self.requests[key] += 1
            planned = self.script.get(key, [])
            fault: Fault = planned[n] if n < len(planned) else "ok"
            self.faults[key].append(fault)
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            return fault

    def _done(self, key: str, answered: bool) -> None:
        with self._lock:
            self.in_flight -= 1
            self.answered[key] += answered

    def _work(self) -> None:
        """The fixed latency, with at most `max_parallel` requests being worked on."""
        if self._slots is None:
            time.sleep(self.latency)
            return
        with self._slots:
            time.sleep(self.latency)

    def _take(self, body: dict[str, Any]) -> tuple[str, Fault, str, str]:
        """The article a chat request is for, its next fault, the article and the prompt."""
        prompt = next(
            (m["content"] for m in body.get("messages", []) if m.get("role") == "user"), ""
        )
        text = article_in(prompt)
        tag = TAG.search(text)
        key = tag.group(1) if tag else "untagged"
        return key, self._next_fault(key), text, prompt

    @staticmethod
    def _reply(fault: Fault, text: str, prompt: str) -> tuple[Reply, dict[str, str]] | None:
        """What a fault that is an answer answers (status, body, content type; headers)."""
        if fault in ("ok", "schema"):
            draft = draft_for(text)
            if fault == "schema":
                del draft["summary"], draft["topics"]
            return (200, completion(json.dumps(draft), prompt_chars=len(prompt)), _JSON), {}
        if fault == "429":
            return (429, b'{"error": {"message": "slow down"}}', _JSON), {"Retry-After": "0"}
        if fault == "500":
            return (500, b'{"error": {"message": "internal error"}}', _JSON), {}
        if fault == "html200":
            page = b"<html><body><h1>502 Bad Gateway</h1><p>upstream error</p></body></html>"
            return (200, page, "text/html"), {}
        if fault == "malformed":
            return (200, completion("Sure! Here is the report: {summary: ..."), _JSON), {}
        if fault == "cutoff":
            half = json.dumps(draft_for(text))[:40]
            return (200, completion(half, finish_reason="length"), _JSON), {}
        return None

    def batch_line(self, body: dict[str, Any]) -> Reply | None:
        """A batch line's answer, by the chat endpoint's logic; None if it would be lost."""
        key, fault, text, prompt = self._take(body)
        reply = None if fault in _LOST else self._reply(fault, text, prompt)
        self._done(key, fault in ("ok", "schema"))
        return reply[0] if reply is not None else None

    def respond(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        """Answer one chat completion request according to the script."""
        key, fault, text, prompt = self._take(body)
        answered = False
        try:
            if fault == "hang":
                time.sleep(self.hang)
                handler.close_connection = True
                return
            self._work()
            reply = self._reply(fault, text, prompt)
            if reply is not None:
                (status, data, kind), headers = reply
                _send(handler, status, data, headers, content_type=kind)
                answered = fault in ("ok", "schema")
            elif fault == "truncated":
                data = completion(json.dumps(draft_for(text)))
                handler.send_response(200)
                handler.send_header("Content-Type", "application/json")
                handler.send_header("Content-Length", str(len(data)))
                handler.end_headers()
                handler.wfile.write(data[: len(data) // 2])
                handler.close_connection = True
            elif fault == "halfbody":
                data = completion(json.dumps(draft_for(text)))
                handler.send_response(200)
                handler.send_header("Content-Type", "application/json")
                handler.send_header("Connection", "close")
                handler.end_headers()
                handler.wfile.write(data[: len(data) // 2])
                handler.close_connection = True
            elif fault == "drop":
                handler.close_connection = True
        finally:
            self._done(key, answered)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # many clients connect at once: the default backlog of 5 stalls them


def _send(
    handler: BaseHTTPRequestHandler,
    status: int,
    data: bytes,
    headers: Mapping[str, str] | None = None,
    *,
    content_type: str = "application/json",
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(data)


# The batch API's paths, exactly as OpenAI's (the chat endpoint takes any prefix).
_BATCH = re.compile(r"^/v1/batches/([^/]+)(/cancel)?$")
_CONTENT = re.compile(r"^/v1/files/([^/]+)/content$")


def _handler(server: FaultServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _seen(self) -> str:
            scheme, _, credential = self.headers.get("Authorization", "").partition(" ")
            if scheme == "Basic":  # from the URL's user and password
                credential = base64.b64decode(credential).decode(errors="replace")
            if credential:
                with server._lock:
                    server.keys.add(credential)
            return urlsplit(self.path).path

        def _reply(self, reply: Reply) -> None:
            status, data, kind = reply
            _send(self, status, data, content_type=kind)

        def do_POST(self) -> None:
            path = self._seen()
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            batch = _BATCH.search(path)
            if path.endswith("/chat/completions"):
                try:
                    server.respond(self, json.loads(raw or b"{}"))
                except OSError:  # the client gave up (timeout) or was killed
                    self.close_connection = True
            elif path == "/v1/files":
                self._reply(server.store.upload(self.headers.get("Content-Type", ""), raw))
            elif path == "/v1/batches":
                self._reply(server.store.create(json.loads(raw or b"{}")))
            elif batch and batch.group(2):
                self._reply(server.store.cancel(batch.group(1)))
            else:
                _send(self, 404, b'{"error": {"message": "not found"}}')

        def do_GET(self) -> None:
            path = self._seen()
            batch, content = _BATCH.search(path), _CONTENT.search(path)
            if batch and not batch.group(2):
                self._reply(server.store.poll(batch.group(1)))
            elif content:
                self._reply(server.store.content(content.group(1)))
            else:
                _send(self, 404, b'{"error": {"message": "not found"}}')

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def closed_port() -> int:
    """A loopback port nothing listens on: connections to it are refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextmanager
def fault_server(latency: float, limit: int | None) -> Iterator[str]:
    """The fault server in its own process (so that it does not share our GIL); its URL."""
    command = [sys.executable, "-m", "tests.faultserver", "--latency", str(latency)]
    if limit:
        command += ["--max-parallel", str(limit)]
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    """Serve until killed; print the base URL first."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--max-parallel", type=int, default=None)
    args = parser.parse_args()
    server = FaultServer(latency=args.latency, max_parallel=args.max_parallel, port=args.port)
    print(server.url, flush=True)
    with server:
        threading.Event().wait()


if __name__ == "__main__":
    main()
