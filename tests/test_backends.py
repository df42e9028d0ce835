"""Backends: clients per endpoint, and the embedded server's set-up errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import openai
import pytest

from summarise.backends import (
    backend_for,
    embedded,
    embedded_server,
    make_async_client,
    make_client,
)
from summarise.backends.base import NotACompletion, refused
from summarise.config import Config
from summarise.errors import BackendError, SetupError

from .faultserver import Fault, FaultServer, closed_port


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


# --- answers that are not chat completions ---------------------------------------------------

_ASK: dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": "ART-x"}]}


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("html200", "answered 200 with a non-JSON body (text/html, 71 bytes: '<html><body><h1>502"),
        ("halfbody", "answered 200 with a non-JSON body (application/json, "),
    ],
)
def test_a_200_answer_that_is_not_a_completion_is_a_transport_fault(
    fault: Fault, said: str
) -> None:
    with FaultServer({"x": [fault]}) as fake:
        config = Config(base_url=fake.url, model="m")
        backend = backend_for(config)
        with make_client(config) as client:
            with pytest.raises(openai.APIConnectionError) as info:
                client.chat.completions.create(**_ASK)
            # the next answer is a completion again: nothing is left over on the connection
            assert client.chat.completions.create(**_ASK).choices[0].message.content
        assert isinstance(info.value.__cause__, NotACompletion)
        assert backend.is_transient(info.value)
        assert not refused(info.value)
        failure = backend.failure(info.value, config, 2)
        assert failure is not None
        assert str(failure).startswith(f"The server at {fake.url} {said}"), str(failure)
        assert str(failure).endswith("after 2 attempt(s)")


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
async def test_the_async_client_checks_answers_too() -> None:
    with FaultServer({"x": ["html200"]}) as fake:
        config = Config(base_url=fake.url, model="m")
        async with make_async_client(config) as client:
            with pytest.raises(openai.APIConnectionError) as info:
                await client.chat.completions.create(**_ASK)
            assert (await client.chat.completions.create(**_ASK)).choices
        assert isinstance(info.value.__cause__, NotACompletion)


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_a_refused_connection_is_told_apart_from_a_bad_answer() -> None:
    config = Config(base_url=f"http://127.0.0.1:{closed_port()}/v1", model="m")
    with make_client(config) as client, pytest.raises(openai.APIConnectionError) as info:
        client.chat.completions.create(**_ASK)
    assert refused(info.value)
    failure = backend_for(config).failure(info.value, config, 1)
    assert failure is not None and str(failure).startswith("Cannot reach the model server at")


def _limited(headers: dict[str, str]) -> openai.RateLimitError:
    request = httpx2.Request("POST", "http://x/v1/chat/completions")
    response = httpx2.Response(429, headers=headers, request=request)
    return openai.RateLimitError("slow down", response=response, body=None)


@pytest.mark.parametrize(
    ("headers", "wait"),
    [({"retry-after": "7"}, 7.0), ({"retry-after-ms": "250"}, 0.25), ({}, None)],
)
def test_a_429_is_retried_after_the_wait_the_server_asks_for(
    headers: dict[str, str], wait: float | None
) -> None:
    config = Config(base_url="http://x/v1", model="m")
    backend = backend_for(config)
    error = _limited(headers)
    assert backend.is_transient(error) and backend.retry_after(error) == wait
    failure = backend.failure(error, config, 3)
    assert failure is not None and "answered HTTP 429 after 3 attempt(s)" in str(failure)
