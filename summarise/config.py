"""Configuration, resolved in one place: flag, then environment, then config file, then default."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from .errors import ConfigError, describe_validation_error

Mode = Literal["tools", "json_schema", "json", "md_json"]

ENV_PREFIX = "SUMMARISE_"
EMBEDDED_MODEL_ALIAS = "qwen2.5-coder-1.5b-instruct-q4_k_m"


class Config(BaseModel):
    """Everything that decides how the toolkit talks to a model.

    `base_url` unset means the embedded llama.cpp server is started on demand.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint, e.g. .../v1"
    )
    model: str | None = Field(default=None, description="Model name sent to the endpoint.")
    api_key: SecretStr | None = Field(default=None, description="Never logged or recorded.")
    mode: Mode | None = Field(
        default=None,
        description="instructor mode (tools, json_schema, json, md_json); default per backend.",
    )
    model_path: Path | None = Field(default=None, description="GGUF file for the embedded server.")
    timeout: float = Field(default=600.0, gt=0, description="Seconds per HTTP request.")
    article_timeout: float | None = Field(
        default=None,
        gt=0,
        description="Seconds an article may take (per chunk of a long one) before it ends "
        "with what is done; default per backend.",
    )
    max_retries: int = Field(default=4, ge=0, description="Retries of transport errors.")
    retry_backoff: float = Field(default=1.0, ge=0, description="First retry wait, in seconds.")
    max_reasks: int = Field(default=2, ge=0, description="Re-asks after invalid model output.")
    temperature: float = 0.0
    max_tokens: int = Field(default=2048, gt=0, description="Generated tokens per call.")
    context_tokens: int = Field(default=8192, gt=512, description="Model context window.")
    threads: int | None = Field(
        default=None, description="Embedded server threads (default: cores)."
    )
    backend: str | None = Field(
        default=None,
        description="A registered backend (embedded, openai, openai-compatible); default: "
        "embedded without base_url, else chosen from the URL.",
    )

    @field_validator("mode", mode="before")
    @classmethod
    def _legacy_mode(cls, value: object) -> object:
        """ "llama-cpp-python" was a mode; it is now what the embedded backend does itself."""
        return "json_schema" if value == "llama-cpp-python" else value

    @property
    def embedded(self) -> bool:
        """Whether this configuration needs the embedded server started (no endpoint set)."""
        return self.base_url is None and self.backend in (None, "embedded")


_FIELDS = tuple(Config.model_fields)

_HIDDEN = "***"
# A URL in free text: a scheme, "://", then anything up to whitespace or a quote.
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>`]+")


def redact_url(url: str) -> str:
    """`url` without its credentials: the user and password, and every query-string value.

    `http://user:key@host/v1?api-key=K` becomes `http://***@host/v1?api-key=***`; a URL
    without credentials is returned unchanged.
    """
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL that can be taken apart: hide all of it after the scheme
        scheme, _, _ = url.partition("://")
        return f"{scheme}://{_HIDDEN}"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{_HIDDEN}@{netloc.rpartition('@')[2]}"
    query = parts.query
    if query:
        query = "&".join(
            f"{pair.partition('=')[0]}={_HIDDEN}" if "=" in pair else _HIDDEN
            for pair in query.split("&")
        )
    if (netloc, query) == (parts.netloc, parts.query):
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact(text: str, config: Config | None = None) -> str:
    """`text` with the credentials of every URL in it hidden (see `redact_url`), and the
    configuration's API key and base-URL credentials wherever they appear."""
    text = _URL_IN_TEXT.sub(lambda match: redact_url(match.group(0)), text)
    if config is None:
        return text
    secrets = [config.api_key.get_secret_value()] if config.api_key else []
    if config.base_url:
        with_credentials = urlsplit(config.base_url)
        secrets += [with_credentials.password or "", with_credentials.username or ""]
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        if len(secret) >= 4:  # a shorter one would hide ordinary words
            text = text.replace(secret, _HIDDEN)
    return text


def default_config_file() -> Path:
    """The user config file: $SUMMARISE_CONFIG, else the platform's config dir."""
    env = os.environ.get(ENV_PREFIX + "CONFIG")
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir("summarise")) / "config.toml"


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in _FIELDS:
        raw = env.get(ENV_PREFIX + name.upper())
        if raw not in (None, ""):
            values[name] = raw
    if "api_key" not in values and env.get("OPENAI_API_KEY"):
        values["api_key"] = env["OPENAI_API_KEY"]
    return values


def _from_file(path: Path, *, required: bool) -> dict[str, Any]:
    if not path.exists():
        if required:
            raise ConfigError(f"Config file {path} does not exist.")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc}") from exc
    section = data.get("summarise", data)
    if not isinstance(section, dict):
        raise ConfigError(f"Config file {path}: expected a table of settings.")
    unknown = sorted(set(section) - set(_FIELDS))
    if unknown:
        raise ConfigError(f"Config file {path}: unknown settings {', '.join(unknown)}.")
    return dict(section)


def resolve_config(
    flags: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> Config:
    """Build a Config from flags, then environment, then config file, then defaults.

    `flags` holds only what the user gave (None values are ignored); `config_file` names an
    explicit file, which must then exist.
    """
    env = os.environ if env is None else env
    path = config_file or default_config_file()
    layers = [
        _from_file(path, required=config_file is not None),
        _from_env(env),
        {k: v for k, v in (flags or {}).items() if v is not None},
    ]
    merged: dict[str, Any] = {}
    for layer in layers:
        merged.update(layer)
    try:
        return Config.model_validate(merged)
    except ValidationError as exc:
        problems = describe_validation_error(exc, limit=None)
        raise ConfigError(f"Invalid configuration: {problems}") from None
