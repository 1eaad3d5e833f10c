"""Which flows name a Segment account, and renaming that name in their drafts.

A flow names an account in its Segment settings (the account of blocks that name none) and in
each Segment block's "Segment account". Published versions never change, so a chat running on
one keeps the names it was published with.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, func, select, update

from segflow.store import Database
from segflow.store.tables import flow_versions, flows

SEGMENT_BLOCK = "segment"


@dataclass(frozen=True)
class AccountUsers:
    """The flows naming one account: by their published version that new chats start on, and
    by their draft."""

    published: list[str] = field(default_factory=list)  # flow names
    drafts: list[str] = field(default_factory=list)


def flows_naming(database: Database, account: str) -> AccountUsers:
    latest = (
        select(flow_versions.c.flow_id, func.max(flow_versions.c.version).label("version"))
        .group_by(flow_versions.c.flow_id)
        .subquery()
    )
    published = (
        select(flows.c.name, flow_versions.c.document)
        .join(flow_versions, flow_versions.c.flow_id == flows.c.id)
        .join(
            latest,
            (latest.c.flow_id == flow_versions.c.flow_id)
            & (latest.c.version == flow_versions.c.version),
        )
        .order_by(flows.c.name)
    )
    with database.engine.connect() as connection:
        versions = connection.execute(published).all()
        drafts = connection.execute(
            select(flows.c.name, flows.c.draft).order_by(flows.c.name)
        ).all()
    return AccountUsers(
        published=[row.name for row in versions if _names(orjson.loads(row.document), account)],
        drafts=[row.name for row in drafts if _names(orjson.loads(row.draft), account)],
    )


def rename_in_drafts(connection: Connection, account: str, new_name: str) -> list[str]:
    """Renames the account wherever drafts name it, inside the caller's transaction; answers
    the names of the flows changed."""
    changed: list[str] = []
    for row in connection.execute(select(flows.c.id, flows.c.name, flows.c.draft)).all():
        draft = orjson.loads(row.draft)
        if not _names(draft, account):
            continue
        for holder in _holders(draft):
            if holder.get("destination") == account:
                holder["destination"] = new_name
        connection.execute(
            update(flows).where(flows.c.id == row.id).values(draft=orjson.dumps(draft).decode())
        )
        changed.append(row.name)
    return sorted(changed)


def _names(document: Any, account: str) -> bool:
    return any(holder.get("destination") == account for holder in _holders(document))


def _holders(document: Any) -> Iterator[MutableMapping[str, Any]]:
    """The flow's Segment settings and its Segment blocks: the places an account is named."""
    if not isinstance(document, dict):
        return
    if isinstance(segment := document.get("segment"), dict):
        yield segment
    for group in document.get("groups") or ():
        if not isinstance(group, dict):
            continue
        for block in group.get("blocks") or ():
            if isinstance(block, dict) and block.get("type") == SEGMENT_BLOCK:
                yield block
