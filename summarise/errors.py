"""The exceptions the toolkit raises, each carrying a message a user can act on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError

    from .models import TokenUsage

__all__ = [
    "BackendError",
    "ConfigError",
    "ExtractionError",
    "InputError",
    "SetupError",
    "SummariseError",
    "describe_validation_error",
]


class SummariseError(Exception):
    """Base class for every error the toolkit raises on purpose.

    `attempts` counts the model calls made before it was raised and `usage` the tokens they
    cost, so a failed article's cost is not lost (0 and None where no model was called).
    """

    attempts: int = 0
    usage: TokenUsage | None = None


class InputError(SummariseError):
    """An article cannot be read: missing, empty, binary, undecodable, too large."""


class ConfigError(SummariseError):
    """The configuration is invalid or incomplete."""


class SetupError(SummariseError):
    """Something the toolkit needs is not installed; the message names the command that fixes it."""


class BackendError(SummariseError):
    """The model server could not be reached or kept failing after all retries."""

    def __init__(self, message: str, *, attempts: int = 0, usage: TokenUsage | None = None) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.usage = usage


class ExtractionError(SummariseError):
    """The model's output stayed invalid after all re-asks."""

    def __init__(self, message: str, *, attempts: int = 0, usage: TokenUsage | None = None) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.usage = usage


def _shown(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _message(error: Any) -> str:
    """Pydantic's message, with what is expected where pydantic's own says it poorly."""
    if str(error["type"]).startswith("date_"):
        return f"expected a date written YYYY-MM-DD, got {_shown(error['input'])}"
    if str(error["type"]).startswith("datetime_"):
        return f"expected a date and time written YYYY-MM-DDTHH:MM:SS, got {_shown(error['input'])}"
    return str(error["msg"])


def describe_validation_error(
    exc: ValidationError, limit: int | None = 3, *, root: str = "", more: bool = True
) -> str:
    """Pydantic's errors as one line a user can act on: "loc.path: message; ...".

    At most `limit` errors are listed (None: all), followed by "(and N more)" unless `more` is
    False; an error about the whole input is located as `root` ("report", "file").
    """
    problems = [f"{'.'.join(map(str, e['loc'])) or root}: {_message(e)}" for e in exc.errors()]
    shown = problems if limit is None else problems[:limit]
    rest = len(problems) - len(shown)
    return "; ".join(shown) + (f" (and {rest} more)" if more and rest > 0 else "")
