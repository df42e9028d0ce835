"""The backend interface: what the toolkit needs to know about a kind of model server.

A backend names itself, picks the instructor mode and concurrency that suit it, makes the
openai clients, starts and stops whatever it runs (the embedded server), and says which of
its errors are worth retrying and what they mean to a user. `OpenAICompatible` implements
all of it over the openai client; the other backends specialise it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from ..config import Config, Mode
from ..errors import BackendError, ConfigError

# The LLM stack is imported where a client is made, so that choosing a backend (and a fully
# cached run, which needs nothing more) never loads it.
if TYPE_CHECKING:
    import httpx2
    import instructor
    import openai

__all__ = ["INSTRUCTOR_MODES", "Backend", "OpenAICompatible", "OpenAIPlatform", "api_error"]

# The toolkit's mode names and the names of the instructor modes they stand for.
INSTRUCTOR_MODES: dict[Mode, str] = {
    "tools": "TOOLS",
    "json_schema": "JSON_SCHEMA",
    "json": "JSON",
    "md_json": "MD_JSON",
}
_TRANSIENT_STATUS = frozenset({408, 409, 429})
_NO_KEY = "sk-no-key-required"


class Backend(Protocol):
    """A kind of model server, as the extraction and batch layers see it."""

    @property
    def name(self) -> str:
        """The name configurations select it by."""
        ...

    @property
    def default_mode(self) -> Mode:
        """The instructor mode that suits it when none is configured."""
        ...

    @property
    def default_concurrency(self) -> int:
        """Requests in flight it serves well when none is configured."""
        ...

    @property
    def default_article_timeout(self) -> float:
        """Seconds an article (or a chunk of one) may take, when none is configured."""
        ...

    def accepts(self, base_url: str) -> bool:
        """Whether an endpoint URL is this backend's, when no backend is named."""
        ...

    def default_model(self, config: Config) -> str:
        """The model to ask for when none is configured (ConfigError if there is none)."""
        ...

    def serve(self, config: Config) -> contextlib.AbstractContextManager[Config]:
        """Make the endpoint available for a block; yield the Config that reaches it."""
        ...

    def client(self, config: Config) -> openai.OpenAI:
        """A sync openai client for the endpoint."""
        ...

    def async_client(self, config: Config) -> openai.AsyncOpenAI:
        """An async openai client for the endpoint."""
        ...

    def instructor(
        self, client: openai.OpenAI | openai.AsyncOpenAI, mode: Mode
    ) -> instructor.Instructor | instructor.AsyncInstructor:
        """The instructor client over an openai client, in `mode`."""
        ...

    def is_transient(self, exc: BaseException) -> bool:
        """Whether the call that raised `exc` may succeed if tried again."""
        ...

    def retry_after(self, exc: BaseException) -> float | None:
        """Seconds the server asked to wait before trying again, if it said."""
        ...

    def failure(self, exc: BaseException, config: Config, attempts: int) -> BackendError | None:
        """The toolkit's error for a transport or server failure; None if `exc` is not one."""
        ...


def api_error(exc: BaseException) -> openai.APIError | None:
    """The openai error behind an exception, if any (instructor wraps them)."""
    import openai

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, openai.APIError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


class OpenAICompatible:
    """Any server that speaks the OpenAI chat-completions API (vLLM, Ollama, LM Studio...)."""

    name: ClassVar[str] = "openai-compatible"
    default_mode: ClassVar[Mode] = "json_schema"
    default_concurrency: ClassVar[int] = 4
    default_article_timeout: ClassVar[float] = 300.0

    def accepts(self, base_url: str) -> bool:
        """Every endpoint: this is the fallback."""
        return True

    def default_model(self, config: Config) -> str:
        """Endpoints serve many models: the user must say which."""
        raise ConfigError(
            "No model configured for the endpoint: pass --model or set SUMMARISE_MODEL."
        )

    @contextlib.contextmanager
    def serve(self, config: Config) -> Iterator[Config]:
        """Nothing to start: the endpoint is someone else's."""
        yield config

    def _client_kwargs(self, config: Config) -> dict[str, Any]:
        if config.base_url is None:
            raise BackendError(
                "No endpoint: start the embedded server with embedded_server() first."
            )
        key = config.api_key.get_secret_value() if config.api_key else _NO_KEY
        # max_retries=0: transport errors are retried by one layer, the extraction's tenacity.
        return {
            "base_url": config.base_url,
            "api_key": key,
            "timeout": config.timeout,
            "max_retries": 0,
        }

    def _transport(self) -> httpx2.BaseTransport | None:
        return None

    def _async_transport(self) -> httpx2.AsyncBaseTransport | None:
        return None

    def client(self, config: Config) -> openai.OpenAI:
        """A sync openai client, through this backend's transport if it has one."""
        import httpx2
        import openai

        kwargs = self._client_kwargs(config)
        transport = self._transport()
        if transport is not None:
            kwargs["http_client"] = httpx2.Client(transport=transport, timeout=config.timeout)
        return openai.OpenAI(**kwargs)

    def async_client(self, config: Config) -> openai.AsyncOpenAI:
        """An async openai client, through this backend's transport if it has one."""
        import httpx2
        import openai

        kwargs = self._client_kwargs(config)
        transport = self._async_transport()
        if transport is not None:
            kwargs["http_client"] = httpx2.AsyncClient(transport=transport, timeout=config.timeout)
        return openai.AsyncOpenAI(**kwargs)

    def instructor(
        self, client: openai.OpenAI | openai.AsyncOpenAI, mode: Mode
    ) -> instructor.Instructor | instructor.AsyncInstructor:
        """instructor's client for openai clients."""
        import instructor

        return instructor.from_openai(client, mode=getattr(instructor.Mode, INSTRUCTOR_MODES[mode]))

    def is_transient(self, exc: BaseException) -> bool:
        """Connection failures, timeouts, 408/409/429 and 5xx."""
        import openai

        err = api_error(exc)
        if isinstance(err, openai.APIConnectionError):  # includes timeouts
            return True
        if isinstance(err, openai.APIStatusError):
            return err.status_code in _TRANSIENT_STATUS or err.status_code >= 500
        return False

    def retry_after(self, exc: BaseException) -> float | None:
        """`retry-after-ms` or `retry-after` (seconds) of a status error."""
        import openai

        err = api_error(exc)
        if not isinstance(err, openai.APIStatusError):
            return None
        headers = err.response.headers
        with contextlib.suppress(TypeError, ValueError):
            if "retry-after-ms" in headers:
                return float(headers["retry-after-ms"]) / 1000
            if "retry-after" in headers:
                return float(headers["retry-after"])
        return None

    def failure(self, exc: BaseException, config: Config, attempts: int) -> BackendError | None:
        """Connection and status errors, with where and how often it was tried."""
        import openai

        err = api_error(exc)
        where = config.base_url or "the embedded server"
        if isinstance(err, openai.APIConnectionError):
            return BackendError(
                f"Cannot reach the model server at {where} after {attempts} attempt(s): {err}",
                attempts=attempts,
            )
        if isinstance(err, openai.APIStatusError):
            return BackendError(
                f"The model server at {where} answered HTTP {err.status_code} after "
                f"{attempts} attempt(s): {err.message}",
                attempts=attempts,
            )
        return None


class OpenAIPlatform(OpenAICompatible):
    """OpenAI's own API: function calling is its most reliable structured output."""

    name: ClassVar[str] = "openai"
    default_mode: ClassVar[Mode] = "tools"

    def accepts(self, base_url: str) -> bool:
        """api.openai.com."""
        return "api.openai.com" in base_url
