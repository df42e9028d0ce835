"""The one way pydantic's validation errors are told to users."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from summarise.errors import describe_validation_error


class _Five(BaseModel):
    a: int
    b: int
    c: int
    d: int
    e: int


def _error(data: object, model: type[BaseModel] = _Five) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return caught.value


def test_lists_three_and_counts_the_rest() -> None:
    text = describe_validation_error(_error({}))
    assert text == "a: Field required; b: Field required; c: Field required (and 2 more)"


def test_without_limit_or_count() -> None:
    assert describe_validation_error(_error({}), limit=None).count("Field required") == 5
    assert describe_validation_error(_error({}), more=False).endswith("c: Field required")


def test_root_names_an_error_about_the_whole_input() -> None:
    assert describe_validation_error(_error([1]), root="report").startswith("report: ")
    assert describe_validation_error(_error([1])).startswith(": ")
