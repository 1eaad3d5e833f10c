"""The block types a flow may use: segflow's own, and those of installed packages.

A package adds block types through the entry point group `segflow.blocks`; each entry point
names a `BlockType`, or a list of them:

    [project.entry-points."segflow.blocks"]
    weather = "segflow_weather:WEATHER_BLOCK"
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from segflow.blocks.actions import REDIRECT, WAIT
from segflow.blocks.base import BlockType
from segflow.blocks.bubbles import IMAGE, TEXT
from segflow.blocks.http_request import HTTP_REQUEST
from segflow.blocks.inputs import CHOICE_INPUT, EMAIL_INPUT, NUMBER_INPUT, TEXT_INPUT
from segflow.blocks.logic import CONDITION, JUMP, LINK, RETURN, SET_VARIABLE
from segflow.blocks.media import AUDIO, EMBED, VIDEO
from segflow.blocks.segment import SEGMENT
from segflow.blocks.split import AB_TEST
from segflow.blocks.typed_inputs import DATE_INPUT, PHONE_INPUT, RATING_INPUT, URL_INPUT
from segflow.errors import SegflowError

ENTRY_POINT_GROUP = "segflow.blocks"

BUILT_IN: tuple[BlockType[Any], ...] = (
    TEXT,
    IMAGE,
    VIDEO,
    AUDIO,
    EMBED,
    TEXT_INPUT,
    EMAIL_INPUT,
    NUMBER_INPUT,
    CHOICE_INPUT,
    URL_INPUT,
    PHONE_INPUT,
    DATE_INPUT,
    RATING_INPUT,
    SET_VARIABLE,
    CONDITION,
    JUMP,
    RETURN,
    LINK,
    AB_TEST,
    WAIT,
    REDIRECT,
    HTTP_REQUEST,
    SEGMENT,
)


class BlockTypeError(SegflowError):
    """A block type could not be added: a clash of names, or a package that fails to load."""


class BlockRegistry:
    """Block types by name; fixed once made, so a flow reads the same way everywhere."""

    def __init__(self, types: Iterable[BlockType[Any]]) -> None:
        self._types: dict[str, BlockType[Any]] = {}
        for block_type in types:
            if not isinstance(block_type, BlockType):
                raise BlockTypeError(f"{block_type!r} is not a segflow BlockType")
            if block_type.name in self._types:
                raise BlockTypeError(f'Two block types are named "{block_type.name}"')
            self._types[block_type.name] = block_type

    def find(self, name: str) -> BlockType[Any] | None:
        return self._types.get(name)

    @property
    def names(self) -> list[str]:
        return list(self._types)

    def __iter__(self) -> Iterator[BlockType[Any]]:
        return iter(self._types.values())


def load_registry() -> BlockRegistry:
    """segflow's block types and those of every installed package that adds some."""
    types = list(BUILT_IN)
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        types.extend(_load(entry_point))
    return BlockRegistry(types)


@cache
def default_registry() -> BlockRegistry:
    """The registry of this process, loaded once (packages do not change while it runs)."""
    return load_registry()


def _load(entry_point: EntryPoint) -> list[BlockType[Any]]:
    where = f'Block types "{entry_point.name}" ({entry_point.value})'
    try:
        loaded = entry_point.load()
    except Exception as error:
        raise BlockTypeError(f"{where} could not be loaded: {error}") from error
    found = [loaded] if isinstance(loaded, BlockType) else loaded
    if not isinstance(found, list | tuple) or not all(isinstance(t, BlockType) for t in found):
        raise BlockTypeError(f"{where} is neither a BlockType nor a list of them")
    return list(found)
