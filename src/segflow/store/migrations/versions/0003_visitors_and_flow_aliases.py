"""the visitor of each chat, and other IDs of flows

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flow_aliases",
        sa.Column("alias", sa.String(length=100), nullable=False),
        sa.Column("flow_id", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["flow_id"], ["flows.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("alias"),
    )
    with op.batch_alter_table("flow_aliases", schema=None) as batch_op:
        batch_op.create_index("ix_flow_aliases_flow_id", ["flow_id"], unique=False)
    # Existing chats keep running, with no visitor context. anonymousId may be as long as the
    # API accepts (500): on PostgreSQL a catalog change; SQLite copies the table.
    with op.batch_alter_table("chat_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visitor", sa.Text(), nullable=True))
        batch_op.alter_column(
            "anonymous_id",
            existing_type=sa.String(length=100),
            type_=sa.String(length=500),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("chat_sessions", schema=None) as batch_op:
        batch_op.alter_column(
            "anonymous_id",
            existing_type=sa.String(length=500),
            type_=sa.String(length=100),
            existing_nullable=False,
        )
        batch_op.drop_column("visitor")
    with op.batch_alter_table("flow_aliases", schema=None) as batch_op:
        batch_op.drop_index("ix_flow_aliases_flow_id")
    op.drop_table("flow_aliases")
