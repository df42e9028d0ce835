"""Configuration precedence: flag, then environment, then config file, then default."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarise.backends import settled
from summarise.config import EMBEDDED_MODEL_ALIAS, Config, resolve_config
from summarise.errors import ConfigError


def _file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_defaults_mean_the_embedded_backend(tmp_path: Path) -> None:
    config = resolve_config(env={}, config_file=_file(tmp_path, ""))
    assert config.embedded
    backend = settled(config)
    assert (backend.backend, backend.mode, backend.model) == (
        "embedded",
        "json_schema",
        EMBEDDED_MODEL_ALIAS,
    )


def test_flag_beats_env_beats_file_beats_default(tmp_path: Path) -> None:
    path = _file(tmp_path, 'base_url = "http://file/v1"\nmodel = "file-model"\ntimeout = 5\n')
    env = {"SUMMARISE_BASE_URL": "http://env/v1", "SUMMARISE_MODEL": "env-model"}
    config = resolve_config({"model": "flag-model", "mode": None}, env=env, config_file=path)
    assert config.model == "flag-model"
    assert config.base_url == "http://env/v1"
    assert config.timeout == 5
    assert config.max_reasks == Config().max_reasks


def test_file_can_use_a_summarise_table(tmp_path: Path) -> None:
    path = _file(tmp_path, '[summarise]\nbase_url = "http://file/v1"\nmodel = "m"\n')
    config = resolve_config(env={}, config_file=path)
    assert config.base_url == "http://file/v1"
    assert (settled(config).mode, settled(config).backend) == ("json_schema", "openai-compatible")


def test_config_file_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _file(tmp_path, 'model = "from-file"\n')
    monkeypatch.setenv("SUMMARISE_CONFIG", str(path))
    assert resolve_config(env={}).model == "from-file"


def test_openai_api_key_is_a_fallback_and_stays_secret(tmp_path: Path) -> None:
    config = resolve_config(env={"OPENAI_API_KEY": "sk-secret"}, config_file=_file(tmp_path, ""))
    assert config.api_key is not None
    assert config.api_key.get_secret_value() == "sk-secret"
    assert "sk-secret" not in repr(config)
    assert "sk-secret" not in config.model_dump_json()


def test_openai_gets_tools_mode() -> None:
    config = Config(base_url="https://api.openai.com/v1", model="gpt-4o-mini")
    assert (settled(config).mode, settled(config).backend) == ("tools", "openai")


def test_the_old_llama_cpp_python_mode_is_read_as_json_schema() -> None:
    assert Config(mode="llama-cpp-python").mode == "json_schema"  # type: ignore[arg-type]


def test_an_unknown_backend_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Unknown backend 'carrier-pigeon'"):
        settled(Config(backend="carrier-pigeon"))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("nonsense = 1\n", "unknown settings nonsense"),
        ("timeout = -1\n", "timeout"),
        ("mode = 'telepathy'\n", "mode"),
        ("this is not toml", "Cannot read"),
    ],
)
def test_bad_files_say_what_is_wrong(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        resolve_config(env={}, config_file=_file(tmp_path, body))


def test_invalid_values_never_echo_secrets(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        resolve_config({"api_key": "sk-secret", "timeout": "soon"}, config_file=_file(tmp_path, ""))
    assert "sk-secret" not in str(info.value)


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        resolve_config(env={}, config_file=tmp_path / "nope.toml")


def test_endpoint_without_model_is_an_error() -> None:
    with pytest.raises(ConfigError, match="No model"):
        settled(Config(base_url="http://x/v1"))
