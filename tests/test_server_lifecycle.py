"""A command that started the embedded server never leaves it behind when it is stopped.

A fake `llama_cpp.server` (on PYTHONPATH for the child only) stands in for llama.cpp: it
answers `/v1/models`, writes its pid, and holds every completion request open, so the command
is mid-extraction when it is signalled.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

_FAKE_SERVER = """
import argparse, http.server, json, os, time

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int)
known, _ = parser.parse_known_args()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"object": "list", "data": [{"id": "m", "object": "model"}]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        open(os.environ["FAKE_BUSY"], "w").close()
        time.sleep(600)

    def log_message(self, *args):
        pass


with open(os.environ["FAKE_PID"], "w") as handle:
    handle.write(str(os.getpid()))
http.server.ThreadingHTTPServer(("127.0.0.1", known.port), Handler).serve_forever()
"""


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie waiting to be reaped does not count)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _wait_for(path: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"{path.name} never appeared")
        time.sleep(0.05)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and death signals")
@pytest.mark.parametrize("command", ["extract", "run"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_stopped_command_leaves_no_server(tmp_path: Path, command: str, signum: int) -> None:
    fake = tmp_path / "fake" / "llama_cpp"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "server.py").write_text(_FAKE_SERVER)
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.txt").write_text("Alpha Corp met Beta Ltd in Oslo for talks.", encoding="utf-8")
    pid_file, busy = tmp_path / "server.pid", tmp_path / "busy"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path / "fake"), *sys.path]),
        "FAKE_PID": str(pid_file),
        "FAKE_BUSY": str(busy),
        "SUMMARISE_MODEL_PATH": str(model),
    }
    target = articles / "a.txt" if command == "extract" else articles
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "summarise.cli",
            command,
            str(target),
            "--out",
            str(tmp_path / "out"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # as from a terminal: under nohup (or a CI runner that ignores SIGHUP) the child would
        # inherit "ignore", and a hangup would rightly do nothing
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL),
    )
    try:
        _wait_for(busy, 60)  # the server is up and answering a completion
        server = int(pid_file.read_text())
        assert _alive(server)
        proc.send_signal(signum)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 1.0
        while _alive(server) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(server), f"the server outlived `summarise {command}` by a second"
    finally:
        proc.kill()
        if pid_file.exists() and _alive(int(pid_file.read_text())):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
