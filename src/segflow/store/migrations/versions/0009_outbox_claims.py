"""a sender's claim is one row per batch, not a lease on each message; queued and dead
messages indexed apart from the delivered history

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Claims held when upgrading are dropped with the columns: their messages are queued
    # again, and go out on the next claim (at least once, with the same messageId).
    op.create_table(
        "outbox_claims",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("destination_id", Id, nullable=False),
        sa.Column("sender", sa.String(length=64), nullable=False),
        sa.Column("first_id", sa.BigInteger(), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("claimed_until", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["destination_id"], ["destinations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_outbox_claims_destination_id", "outbox_claims", ["destination_id", "first_id"]
    )
    # Partial indexes in place of one on every row's state: marking a batch delivered then
    # takes its rows out of one small index instead of moving them within a large one.
    for state in ("queued", "dead"):
        op.create_index(
            f"ix_outbox_{state}",
            "outbox",
            ["destination_id", "id"],
            sqlite_where=sa.text(f"state = '{state}'"),
            postgresql_where=sa.text(f"state = '{state}'"),
        )
    op.drop_index("ix_outbox_pending", table_name="outbox")
    # A plain ALTER TABLE on SQLite too (3.35 and later): copying the outbox would take long.
    op.drop_column("outbox", "claimed_by")
    op.drop_column("outbox", "claimed_until")


def downgrade() -> None:
    op.add_column("outbox", sa.Column("claimed_until", sa.Float(), nullable=True))
    op.add_column("outbox", sa.Column("claimed_by", sa.String(length=64), nullable=True))
    op.create_index("ix_outbox_pending", "outbox", ["destination_id", "state", "id"])
    op.drop_index("ix_outbox_dead", table_name="outbox")
    op.drop_index("ix_outbox_queued", table_name="outbox")
    op.drop_index("ix_outbox_claims_destination_id", table_name="outbox_claims")
    op.drop_table("outbox_claims")
