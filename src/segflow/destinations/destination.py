"""A Segment account as segflow sees it, and its Write Key, which never prints whole."""

from __future__ import annotations

from dataclasses import dataclass

from segflow.destinations.endpoints import region_of


def hint(write_key: str) -> str:
    """What may be shown of a Write Key: its last four characters at most."""
    return write_key[-4:] if len(write_key) > 8 else ""


class WriteKey:
    """A Write Key held in memory; str() and repr() show only its hint."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    @property
    def hint(self) -> str:
        return hint(self._value)

    def __repr__(self) -> str:
        return f"WriteKey('…{self.hint}')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WriteKey) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True, slots=True)
class Destination:
    id: int
    name: str
    endpoint: str
    write_key_hint: str
    is_default: bool

    @property
    def region(self) -> str:
        return region_of(self.endpoint)

    @property
    def masked_write_key(self) -> str:
        return f"…{self.write_key_hint}" if self.write_key_hint else "…"
