"""the Flow Editor's preview chats, in the database: any API worker serves their turns

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "preview_chats",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("flow_id", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("flow_version_id", sa.Integer(), nullable=True),
        sa.Column("draft", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("sent", sa.Text(), nullable=False),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_preview_chats_created_at", "preview_chats", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_preview_chats_created_at", table_name="preview_chats")
    op.drop_table("preview_chats")
