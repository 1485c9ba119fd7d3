"""The base of every public shape: camelCase on the wire, built from objects or dicts."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class PublicModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)

    def wire(self) -> dict[str, Any]:
        """The JSON-ready camelCase dict the API returns (and the UI state stores)."""
        return self.model_dump(mode="json", by_alias=True)
