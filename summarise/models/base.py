"""The base every output model shares: unknown fields are errors, not silently dropped."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["StrictModel"]


class StrictModel(BaseModel):
    """A model that forbids fields it does not declare (reports are read back strictly)."""

    model_config = ConfigDict(extra="forbid")
