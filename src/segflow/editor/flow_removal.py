"""Deleting a flow from the editor: only one never published, as chats may run on the others.

(A published flow's versions are what its chat sessions point to; removing those belongs to
the chat service, which also caches them.)
"""

from __future__ import annotations

from sqlalchemy import delete

from segflow.chat import Flows
from segflow.errors import SegflowError
from segflow.store import Database
from segflow.store.tables import flows as flows_table


def delete_unpublished_flow(database: Database, flows: Flows, flow_id: str) -> None:
    """Raises FlowNotFoundError, or SegflowError when the flow was ever published."""
    saved = flows.get(flow_id)
    if saved.published_version is not None:
        raise SegflowError(
            f'Flow "{saved.name}" is published (version {saved.published_version}) and chats '
            "may run on it: it cannot be deleted"
        )
    with database.engine.begin() as connection:
        connection.execute(delete(flows_table).where(flows_table.c.id == flow_id))
