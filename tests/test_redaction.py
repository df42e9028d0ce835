"""Credentials in URLs and the configured key are hidden wherever a message may carry them."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from summarise.config import Config, redact, redact_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://user:key@host:8080/v1", "http://***@host:8080/v1"),
        ("https://sk-in-the-user@api.example.com/v1", "https://***@api.example.com/v1"),
        (
            "https://host/v1?api-key=K&api-version=2024",
            "https://host/v1?api-key=***&api-version=***",
        ),
        ("https://host/v1?token", "https://host/v1?***"),
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1"),  # nothing to hide: unchanged
        ("http://[::1", "http://***"),  # cannot be taken apart: all hidden
    ],
)
def test_a_url_loses_its_credentials_and_keeps_the_rest(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_every_url_in_a_message_is_redacted() -> None:
    message = (
        "POST http://a:b@h1/v1/chat/completions failed; then https://h2/v1?key=zz answered 500"
    )
    assert redact(message) == (
        "POST http://***@h1/v1/chat/completions failed; then https://h2/v1?key=*** answered 500"
    )


def test_the_configured_secrets_are_hidden_even_outside_a_url() -> None:
    config = Config(base_url="http://bob:hunter22@host/v1", api_key=SecretStr("sk-live-123456"))
    message = "401: key sk-live-123456 refused for bob (password hunter22)"
    assert redact(message, config) == "401: key *** refused for bob (password ***)"
