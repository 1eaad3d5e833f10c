"""What an import could not carry over as it was: one finding per block (or variable)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FindingKind(StrEnum):
    """How much a finding matters to the person who imported the chatbot."""

    SETUP = "setup"  # imported, but needs something done in segflow before it runs
    CHANGED = "changed"  # imported, but behaves differently from the original
    UNSUPPORTED = "unsupported"  # not imported: the block was skipped or replaced


@dataclass(frozen=True)
class Finding:
    """One sentence about one place of the imported chatbot."""

    kind: FindingKind
    message: str
    group: str | None = None  # the group's title, as the builder showed it
    block_id: str | None = None  # the block's id, kept in the imported flow
    block_type: str | None = None  # the block's type in the original builder

    @property
    def place(self) -> str:
        """Where it is, e.g. `group "Welcome", block s7Yq (video)`; empty for the whole flow."""
        parts = []
        if self.group is not None:
            parts.append(f'group "{self.group}"' if self.group else "untitled group")
        if self.block_id is not None:
            block = f"block {self.block_id}"
            parts.append(f"{block} ({self.block_type})" if self.block_type else block)
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message
