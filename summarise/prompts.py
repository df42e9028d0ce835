"""Prompt templates: loaded by name from `prompts/`, versioned by the hash of their file."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from .errors import ConfigError

# The prompt wraps the article between "<<<ARTICLE" and "ARTICLE>>>": runs of three or more
# angle brackets inside an article are written with lookalike guillemets, so no article can
# close its own block and speak after it.
_DELIMITER_RUN = re.compile(r"<{3,}|>{3,}")


def escape_delimiters(text: str) -> str:
    """The article as the prompt shows it: delimiter-like runs of < or > replaced."""
    return _DELIMITER_RUN.sub(
        lambda m: ("\u2039" if m.group()[0] == "<" else "\u203a") * len(m.group()), text
    )


_ENV = SandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)


def prompts_dir() -> Path:
    """Where the templates are: inside the installed package, or at the checkout's top level."""
    here = Path(__file__).resolve().parent
    packaged = here / "prompts"
    return packaged if packaged.is_dir() else here.parent / "prompts"


@dataclass(frozen=True)
class Prompt:
    """A chat prompt with a system and a user template; `version` is its file's hash."""

    name: str
    system: str
    user: str
    version: str

    def render(self, **variables: Any) -> list[dict[str, str]]:
        """The chat messages for these variables.

        Values are substituted, never parsed as template syntax, so an article containing
        `{{` or `{%` is passed through as text.
        """
        try:
            return [
                {"role": "system", "content": _ENV.from_string(self.system).render(**variables)},
                {"role": "user", "content": _ENV.from_string(self.user).render(**variables)},
            ]
        except TemplateError as exc:
            raise ConfigError(f"Prompt {self.name!r} cannot be rendered: {exc}") from exc


@cache
def load_prompt(name: str) -> Prompt:
    """Load `prompts/<name>.toml`."""
    path = prompts_dir() / f"{name}.toml"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"No prompt named {name!r} ({path}).") from exc
    data = tomllib.loads(raw.decode("utf-8"))
    try:
        system, user = data["system"], data["user"]
    except KeyError as exc:
        raise ConfigError(f"Prompt {path} lacks the {exc.args[0]!r} template.") from None
    return Prompt(name=name, system=system, user=user, version=hashlib.sha256(raw).hexdigest()[:12])
