"""Backends: clients per endpoint, and the embedded server's set-up errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarise.backends import embedded, embedded_server, make_async_client, make_client
from summarise.config import Config
from summarise.errors import BackendError, SetupError


def test_missing_model_names_the_command_that_fixes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMMARISE_HOME", str(tmp_path))
    monkeypatch.setattr(embedded, "_has_llama_cpp", lambda: True)
    with pytest.raises(SetupError, match="summarise model pull"), embedded_server(Config()):
        pass


def test_missing_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedded, "_has_llama_cpp", lambda: False)
    with pytest.raises(SetupError, match=r"summarise\[local\]"), embedded_server(Config()):
        pass


def test_explicit_model_path_must_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedded, "_has_llama_cpp", lambda: True)
    config = Config(model_path=tmp_path / "missing.gguf")
    with pytest.raises(SetupError, match="--model-path"), embedded_server(config):
        pass


def test_clients_need_an_endpoint() -> None:
    with pytest.raises(BackendError, match="No endpoint"):
        make_client(Config())


def test_clients_never_retry_themselves() -> None:
    config = Config(base_url="http://x/v1", model="m", max_retries=7)
    assert make_client(config).max_retries == 0
    assert make_async_client(config).max_retries == 0
