"""Problems a block's options show before any chat runs, beyond what their models refuse.

Every text may hold `{{variable}}` templates, so the models only ask that required keys be
present; but a required field left blank, or a typed value written out that does not parse,
fails every time the block runs. These are refused with the flow's other problems, naming the
field (its titles as the editor's form shows them: "Buttons #2 › Label").
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
from pydantic import BaseModel

from segflow.errors import SegmentActionError
from segflow.flow.problems import Path
from segflow.segment import ActionBase, KeyValue, ValueType, build_object

# ActionBase's fields that hold a JSON object (see segflow.segment.actions).
_JSON_OBJECT_FIELDS = ("context", "integrations")
_PARSED_TYPES = (ValueType.NUMBER, ValueType.BOOLEAN, ValueType.JSON)


def block_problems(options: BaseModel) -> list[tuple[Path, str]]:
    """Each problem of validated options, with the path of its field in the options."""
    return list(_model_problems(options, options, (), ""))


def _model_problems(
    options: BaseModel, model: BaseModel, path: Path, titles: str
) -> Iterator[tuple[Path, str]]:
    for name, info in type(model).model_fields.items():
        key = info.alias or name
        title = f"{titles} › {info.title or key}" if titles else info.title or key
        value = getattr(model, name)
        if isinstance(value, str):
            if info.is_required() and not value.strip():
                yield (*path, key), f"{title} is required"
            elif problem := _json_object_problem(model, name, value):
                yield (*path, key), f"{title} {problem}"
        elif isinstance(value, BaseModel):
            yield from _model_problems(options, value, (*path, key), title)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, KeyValue):
                    if problem := _row_problem(options, item, f"{title} #{index + 1}"):
                        yield (*path, key, index, "value"), problem
                elif isinstance(item, BaseModel):
                    item_title = f"{title} #{index + 1}"
                    yield from _model_problems(options, item, (*path, key, index), item_title)


def _json_object_problem(model: BaseModel, name: str, text: str) -> str | None:
    if not isinstance(model, ActionBase) or name not in _JSON_OBJECT_FIELDS:
        return None
    if "{{" in text or not text.strip():
        return None  # known once the chat fills it in
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        return f"is not valid JSON ({error})"
    return None if isinstance(value, dict) else "is not a JSON object"


def _row_problem(options: BaseModel, row: KeyValue, title: str) -> str | None:
    """A value without a key, or a typed value written out (no template) that will never
    convert, in build_object's own words."""
    if not (row.key.strip() or row.value.strip()):
        return None  # an empty row, left out when sent
    if not row.key.strip():
        return f"{title} has a value but no key"
    if row.type not in _PARSED_TYPES or "{{" in row.value or "{{" in row.key:
        return None
    action = getattr(options, "action", "")
    try:
        build_object([row], {}, action=action, field=title)
    except SegmentActionError as error:
        return str(error).removeprefix(f"{action}: ")
    return None
