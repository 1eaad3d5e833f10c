"""each chat's flow, its transcript, and the chat of each outbox message: a flow's Results

Revision ID: 0005
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing chats take their flow from the version they run on; their transcript starts
    # empty (it was not kept before), and so does the list of their Segment messages.
    with op.batch_alter_table("chat_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flow_id", sa.String(length=100), nullable=True))
    op.execute(
        "UPDATE chat_sessions SET flow_id = (SELECT flow_versions.flow_id FROM flow_versions"
        " WHERE flow_versions.id = chat_sessions.flow_version_id)"
    )
    with op.batch_alter_table("chat_sessions", schema=None) as batch_op:
        batch_op.alter_column("flow_id", existing_type=sa.String(length=100), nullable=False)
        batch_op.create_index(
            "ix_chat_sessions_flow_id_created_at", ["flow_id", "created_at", "id"], unique=False
        )
    op.create_table(
        "chat_turns",
        sa.Column("chat_session_id", sa.String(length=36), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("messages", sa.Text(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["chat_session_id"], ["chat_sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("chat_session_id", "turn"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chat_session_id", sa.String(length=36), nullable=True))
        batch_op.create_index("ix_outbox_chat_session_id", ["chat_session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_chat_session_id")
        batch_op.drop_column("chat_session_id")
    op.drop_table("chat_turns")
    with op.batch_alter_table("chat_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_chat_sessions_flow_id_created_at")
        batch_op.drop_column("flow_id")
