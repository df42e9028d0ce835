"""The embedded backend: llama.cpp's server started on a free loopback port for the toolkit.

llama-cpp-python's server builds a grammar from `{"type": "json_object", "schema": ...}` but
rejects OpenAI's `json_schema` type, so requests go through a transport that rewrites it
(`transport`).
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from .. import modelstore
from ..config import EMBEDDED_MODEL_ALIAS, Config, Mode
from ..errors import BackendError, SetupError
from .base import OpenAICompatible

if TYPE_CHECKING:
    import httpx2

__all__ = ["Embedded", "embedded_server"]

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the server's process: get SIGKILL when the toolkit's process dies (Linux only).

    Without it, a killed batch run would leave an orphan server using every core.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _server_command(config: Config, model: Path, port: int) -> list[str]:
    threads = config.threads or os.cpu_count() or 1
    return [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model),
        "--model_alias", EMBEDDED_MODEL_ALIAS,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", str(config.context_tokens),
        "--n_threads", str(threads),
        "--n_threads_batch", str(threads),
        "--verbose", "false",
    ]  # fmt: skip


def _has_llama_cpp() -> bool:
    """Whether the `local` extra (llama-cpp-python) is installed."""
    return importlib.util.find_spec("llama_cpp") is not None


def _embedded_model(config: Config) -> Path:
    if not _has_llama_cpp():
        raise SetupError(
            "The embedded backend needs llama-cpp-python: pip install 'summarise[local]' "
            "(or configure an endpoint with --base-url / SUMMARISE_BASE_URL)."
        )
    model = config.model_path or modelstore.model_path()
    if not model.is_file():
        hint = "summarise model pull" if config.model_path is None else "check --model-path"
        raise SetupError(f"No model file at {model}: run `{hint}` first.")
    return model


def _wait_until_ready(proc: subprocess.Popen[bytes], url: str, log: Path, timeout: float) -> None:
    import httpx2

    deadline = time.monotonic() + timeout
    with httpx2.Client(timeout=2.0) as http:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
                raise BackendError(f"The embedded server exited ({proc.returncode}):\n{tail}")
            with contextlib.suppress(httpx2.HTTPError):
                if http.get(url + "/models").status_code == 200:
                    return
            time.sleep(0.25)
    raise BackendError(f"The embedded server did not answer within {timeout:.0f} s (log: {log}).")


@contextlib.contextmanager
def embedded_server(config: Config, *, startup_timeout: float = 300.0) -> Iterator[Config]:
    """Start llama.cpp's server on a free loopback port; yield a Config that points at it.

    The server is stopped when the block exits, however it exits.
    """
    model = _embedded_model(config)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    log_fd, log_name = tempfile.mkstemp(prefix="summarise-server-", suffix=".log")
    log = Path(log_name)
    proc = subprocess.Popen(
        _server_command(config, model, port),
        stdout=log_fd,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        # The death signal follows the spawning *thread*, and a pre-exec function is only safe
        # from the main thread: elsewhere the server outlives a killed process (batch runs
        # start it on the main thread for that reason).
        preexec_fn=_die_with_parent
        if threading.current_thread() is threading.main_thread()
        else None,
    )
    os.close(log_fd)
    try:
        _wait_until_ready(proc, base_url, log, startup_timeout)
        yield config.model_copy(
            update={
                "base_url": base_url,
                "mode": config.mode or Embedded.default_mode,
                "model": EMBEDDED_MODEL_ALIAS,
                "backend": Embedded.name,
            }
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.unlink(missing_ok=True)


class Embedded(OpenAICompatible):
    """llama.cpp's server on this machine, started and stopped by the toolkit."""

    name: ClassVar[str] = "embedded"
    default_mode: ClassVar[Mode] = "json_schema"
    # llama-cpp-python's server answers one request at a time
    default_concurrency: ClassVar[int] = 1
    # on 2 cores an article takes one to two minutes; four times that is a runaway
    default_article_timeout: ClassVar[float] = 480.0

    def accepts(self, base_url: str) -> bool:
        """Only by name: an endpoint URL is never the embedded server."""
        return False

    def default_model(self, config: Config) -> str:
        """The alias the server is started with."""
        return EMBEDDED_MODEL_ALIAS

    @contextlib.contextmanager
    def serve(self, config: Config) -> Iterator[Config]:
        """Start the server unless the config already points at a running one."""
        if config.base_url is not None:
            yield config
            return
        with embedded_server(config) as live:
            yield live

    def _transport(self) -> httpx2.BaseTransport:
        from .transport import LlamaCppTransport

        return LlamaCppTransport()

    def _async_transport(self) -> httpx2.AsyncBaseTransport:
        from .transport import AsyncLlamaCppTransport

        return AsyncLlamaCppTransport()
