"""no index on the outbox's message IDs: the editor finds a message's delivery through its chat
(a preview chat, or the chat of one message a test event is)

Revision ID: 0010
Revises: 0009
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The messages of the preview chats kept (200 at most) join their chat, found by the index
    # that goes next, so that their Events panel still shows where each one is.
    connection = op.get_bind()
    outbox = sa.table(
        "outbox", sa.column("message_id", sa.String), sa.column("chat_session_id", sa.String)
    )
    joining = (
        sa.update(outbox)
        .where(
            outbox.c.message_id.in_(sa.bindparam("message_ids", expanding=True)),
            outbox.c.chat_session_id.is_(None),
        )
        .values(chat_session_id=sa.bindparam("chat_id"))
    )
    for chat_id, sent in connection.execute(sa.text("SELECT id, sent FROM preview_chats")):
        message_ids = [item["messageId"] for item in json.loads(sent)]
        if message_ids:
            connection.execute(joining, {"chat_id": chat_id, "message_ids": message_ids})
    # A test event's delivery from before reads as purged: the editor follows it for seconds.
    op.drop_index("ix_outbox_message_id", table_name="outbox")


def downgrade() -> None:
    op.create_index("ix_outbox_message_id", "outbox", ["message_id"])
