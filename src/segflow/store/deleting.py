"""Deleting old rows a little at a time: a parent row goes with all its children or not at all."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

Id = TypeVar("Id")


def whole_within(parents: Iterable[tuple[Id, int]], limit: int) -> list[Id]:
    """The first of `parents` (each its id and how many child rows go with it) that fit in
    `limit` rows together, the parents counted too; the first always, however many it has."""
    chosen: list[Id] = []
    rows = 0
    for parent, children in parents:
        if chosen and rows + 1 + children > limit:
            break
        chosen.append(parent)
        rows += 1 + children
    return chosen
