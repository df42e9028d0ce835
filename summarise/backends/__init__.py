"""Model servers: the backend registry, and the clients and lifecycle of each backend.

A backend is one module implementing `Backend`; registering it here is all it takes for the
configuration (`backend = "name"`, or an endpoint URL it `accepts`) to select it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config import Config
from ..errors import ConfigError
from .base import Backend, NotACompletion, OpenAICompatible, OpenAIPlatform, api_error, refused
from .embedded import Embedded, embedded_server

if TYPE_CHECKING:
    import openai

__all__ = [
    "Backend",
    "NotACompletion",
    "api_error",
    "backend_for",
    "backends",
    "embedded_server",
    "make_async_client",
    "make_client",
    "refused",
    "register_backend",
    "settled",
]

# Tried in order for an endpoint URL with no backend named: the fallback comes last.
_REGISTRY: dict[str, Backend] = {}


def register_backend(backend: Backend) -> None:
    """Make a backend selectable by name (and by the endpoint URLs it accepts)."""
    _REGISTRY[backend.name] = backend
    fallback = _REGISTRY.pop(OpenAICompatible.name, None)
    if fallback is not None:
        _REGISTRY[OpenAICompatible.name] = fallback


for _backend in (Embedded(), OpenAIPlatform(), OpenAICompatible()):
    register_backend(_backend)


def backends() -> list[str]:
    """The registered backends' names."""
    return list(_REGISTRY)


def backend_for(config: Config) -> Backend:
    """The backend a configuration selects: by name, else the embedded server when no
    endpoint is set, else the first backend that accepts the endpoint URL."""
    if config.backend is not None:
        try:
            return _REGISTRY[config.backend]
        except KeyError:
            known = ", ".join(_REGISTRY)
            raise ConfigError(f"Unknown backend {config.backend!r}; known: {known}.") from None
    if config.base_url is None:
        return _REGISTRY[Embedded.name]
    return next(b for b in _REGISTRY.values() if b.accepts(config.base_url))


def settled(config: Config) -> Config:
    """The configuration with its backend's choices filled in: backend, mode and model."""
    backend = backend_for(config)
    return config.model_copy(
        update={
            "backend": backend.name,
            "mode": config.mode or backend.default_mode,
            "model": config.model or backend.default_model(config),
        }
    )


def make_client(config: Config) -> openai.OpenAI:
    """A sync openai client for the configured endpoint."""
    return backend_for(config).client(config)


def make_async_client(config: Config) -> openai.AsyncOpenAI:
    """An async openai client for the configured endpoint."""
    return backend_for(config).async_client(config)
