"""Prompt templates: loaded by name, versioned by hash, never parsing article text."""

from __future__ import annotations

import hashlib

import pytest

from summarise.errors import ConfigError
from summarise.prompts import load_prompt, prompts_dir


def test_version_is_the_hash_of_the_file() -> None:
    prompt = load_prompt("extract")
    raw = (prompts_dir() / "extract.toml").read_bytes()
    assert prompt.version == hashlib.sha256(raw).hexdigest()[:12]


def test_article_comes_before_the_instructions() -> None:
    messages = load_prompt("extract").render(text="ARTICLE BODY", published=None)
    assert [m["role"] for m in messages] == ["system", "user"]
    user = messages[1]["content"]
    assert user.index("ARTICLE BODY") < user.index("Fill the JSON report")


@pytest.mark.parametrize(
    "text",
    ["{{ 7 * 7 }}", "{% for x in range(3) %}x{% endfor %}", "{# comment #}", "{{ undefined }}"],
)
def test_article_text_is_never_template_syntax(text: str) -> None:
    user = load_prompt("extract").render(text=text, published=None)[1]["content"]
    assert text in user


def test_published_date_is_given_when_known() -> None:
    user = load_prompt("extract").render(text="x", published="2025-12-10")[1]["content"]
    assert "published 2025-12-10" in user


def test_missing_variables_are_errors() -> None:
    with pytest.raises(ConfigError, match="cannot be rendered"):
        load_prompt("extract").render(published=None)


def test_unknown_prompt() -> None:
    with pytest.raises(ConfigError, match="No prompt named"):
        load_prompt("nope")
