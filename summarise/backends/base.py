"""The backend interface: what the toolkit needs to know about a kind of model server.

A backend names itself, picks the instructor mode and concurrency that suit it, makes the
openai clients, starts and stops whatever it runs (the embedded server), and says which of
its errors are worth retrying and what they mean to a user. `OpenAICompatible` implements
all of it over the openai client; the other backends specialise it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from ..config import Config, Mode, redact, redact_url
from ..errors import BackendError, ConfigError

# The LLM stack is imported where a client is made or an error read, so that choosing a
# backend (and a fully cached run, which needs nothing more) never loads it.
if TYPE_CHECKING:
    import httpx2
    import instructor
    import openai

__all__ = [
    "INSTRUCTOR_MODES",
    "Backend",
    "NotACompletion",
    "OpenAICompatible",
    "OpenAIPlatform",
    "api_error",
    "refused",
]

# The toolkit's mode names and the instructor modes they stand for.
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

    def async_client(
        self, config: Config, *, transport: httpx2.AsyncBaseTransport | None = None
    ) -> openai.AsyncOpenAI:
        """An async openai client for the endpoint; through `transport` if one is given (the
        batch API's, which parks chat completions for a batch)."""
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


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and the exceptions behind it (causes, else contexts), each once."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        yield current
        seen.add(id(current))
        current = current.__cause__ or current.__context__


def api_error(exc: BaseException) -> openai.APIError | None:
    """The openai error behind an exception, if any (instructor wraps them)."""
    import openai

    return next((e for e in _chain(exc) if isinstance(e, openai.APIError)), None)


def refused(exc: BaseException) -> bool:
    """Whether `exc` comes from a server that could not be connected to at all (refused,
    unknown host, no route), as opposed to one that answered badly or slowly."""
    import httpx2
    import openai

    err = api_error(exc)
    return isinstance(err, openai.APIConnectionError) and isinstance(
        err.__cause__, httpx2.ConnectError
    )


class NotACompletion(Exception):
    """A 200 answer to a chat completion whose body is not one: a proxy's HTML error page, a
    body cut short where the connection closed. A transport fault, retried as such; never
    shown to the model as its own invalid output."""


_SNIPPET = 60  # characters of a bad body quoted in the error


def _check_answer(response: httpx2.Response) -> None:
    """Raise `NotACompletion` if a read 200 answer to a chat completion is not JSON with
    `choices`."""
    request = response.request
    if (
        response.status_code != 200
        or request.method != "POST"
        or not request.url.path.endswith("/chat/completions")
        or "event-stream" in response.headers.get("content-type", "")
    ):
        return
    try:
        body = json.loads(response.content)
    except ValueError:
        what = "a non-JSON body"
    else:
        if isinstance(body, dict) and "choices" in body:
            return
        what = "JSON that is not a chat completion"
    kind = response.headers.get("content-type", "no content type").split(";")[0]
    text = response.content[:_SNIPPET].decode("utf-8", "replace")
    more = "..." if len(response.content) > _SNIPPET else ""
    raise NotACompletion(
        f"answered 200 with {what} ({kind}, {len(response.content)} bytes: {text!r}{more})"
    )


def _check_sync(response: httpx2.Response) -> None:
    response.read()
    _check_answer(response)


async def _check_async(response: httpx2.Response) -> None:
    await response.aread()
    _check_answer(response)


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
        """A sync openai client, through this backend's transport if it has one; a 200 answer
        that is not a chat completion raises `NotACompletion` (a transport fault)."""
        import openai

        kwargs = self._client_kwargs(config)
        http: dict[str, Any] = {"timeout": config.timeout}
        transport = self._transport()
        if transport is not None:
            http["transport"] = transport
        kwargs["http_client"] = openai.DefaultHttpxClient(
            event_hooks={"response": [_check_sync]}, **http
        )
        return openai.OpenAI(**kwargs)

    def async_client(
        self, config: Config, *, transport: httpx2.AsyncBaseTransport | None = None
    ) -> openai.AsyncOpenAI:
        """The async twin of `client`; `transport`, if given, replaces the backend's own."""
        import openai

        kwargs = self._client_kwargs(config)
        http: dict[str, Any] = {"timeout": config.timeout}
        transport = transport or self._async_transport()
        if transport is not None:
            http["transport"] = transport
        kwargs["http_client"] = openai.DefaultAsyncHttpxClient(
            event_hooks={"response": [_check_async]}, **http
        )
        return openai.AsyncOpenAI(**kwargs)

    def instructor(
        self, client: openai.OpenAI | openai.AsyncOpenAI, mode: Mode
    ) -> instructor.Instructor | instructor.AsyncInstructor:
        """instructor's client for openai clients."""
        import instructor

        return instructor.from_openai(client, mode=getattr(instructor.Mode, INSTRUCTOR_MODES[mode]))

    def is_transient(self, exc: BaseException) -> bool:
        """Connection failures, timeouts, answers broken off or not a completion (all
        `APIConnectionError`s), 408/409/429 and 5xx."""
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
        """Connection and status errors: where, what the server did, and how often it was
        tried (`attempts`: HTTP requests; re-asks not counted). Credentials are hidden."""
        import httpx2
        import openai

        err = api_error(exc)
        where = redact_url(config.base_url) if config.base_url else "the embedded server"
        tries = f"after {attempts} attempt(s)"
        if isinstance(err, openai.APITimeoutError):
            message = (
                f"The model server at {where} did not answer within {config.timeout:g} s "
                f"({tries}); raise timeout if it is only slow"
            )
        elif isinstance(err, openai.APIConnectionError):
            cause = err.__cause__
            if isinstance(cause, NotACompletion):
                message = f"The server at {where} {cause} {tries}"
            elif isinstance(cause, httpx2.RemoteProtocolError | httpx2.ReadError):
                message = (
                    f"The model server at {where} closed the connection before its answer was "
                    f"complete, {tries}: {cause}"
                )
            else:
                detail = str(cause) if cause is not None and str(cause) else str(err)
                message = f"Cannot reach the model server at {where} {tries}: {detail}"
        elif isinstance(err, openai.APIStatusError):
            message = (
                f"The model server at {where} answered HTTP {err.status_code} {tries}: "
                f"{err.message}"
            )
        else:
            return None
        return BackendError(redact(message, config), attempts=attempts)


class OpenAIPlatform(OpenAICompatible):
    """OpenAI's own API: function calling is its most reliable structured output."""

    name: ClassVar[str] = "openai"
    default_mode: ClassVar[Mode] = "tools"

    def accepts(self, base_url: str) -> bool:
        """api.openai.com."""
        return "api.openai.com" in base_url
