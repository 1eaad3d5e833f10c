"""The base of the editor API's request bodies: camelCase keys, no unknown ones, and nothing
segflow cannot store (see segflow.api.fields)."""

from __future__ import annotations

from pydantic import ConfigDict
from pydantic.alias_generators import to_camel

from segflow.api.fields import StorableRequest


class EditorModel(StorableRequest):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")
