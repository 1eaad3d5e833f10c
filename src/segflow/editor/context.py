"""What the editor's routes share: segflow, its flows, the block types, preview chats."""

from __future__ import annotations

from dataclasses import dataclass

from segflow.blocks import BlockRegistry
from segflow.chat import Flows
from segflow.editor.preview import PreviewChats
from segflow.flow import DocumentError, FlowProblem, check_flow_document
from segflow.service import Segflow


@dataclass(frozen=True)
class EditorContext:
    segflow: Segflow
    flows: Flows
    registry: BlockRegistry
    preview: PreviewChats

    def account_names(self) -> list[str]:
        return [destination.name for destination in self.segflow.destinations.list()]

    def check(self, document: object) -> list[FlowProblem]:
        """Every problem of a draft, as `segflow validate` and publishing find them."""
        try:
            checked = check_flow_document(
                document,
                registry=self.registry,
                destinations=self.account_names(),
                linked=self.flows.linked_flow,
            )
        except DocumentError as error:
            return error.problems
        return checked.problems
