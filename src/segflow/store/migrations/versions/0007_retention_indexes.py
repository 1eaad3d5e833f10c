"""indexes that make deleting by age cheap: delivered messages, the collector's requests and
their events

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Only delivered messages are deleted by age: the index holds nothing else, so queuing a
# message (inside every chat turn) does not write to it.
DELIVERED = sa.text("state = 'delivered'")


def upgrade() -> None:
    op.create_index(
        "ix_outbox_delivered_finished_at",
        "outbox",
        ["finished_at"],
        sqlite_where=DELIVERED,
        postgresql_where=DELIVERED,
    )
    op.create_index("ix_collected_requests_received_at", "collected_requests", ["received_at"])
    # Deleting a request looks up its events (and the foreign key check does on PostgreSQL).
    op.create_index("ix_collected_events_request_id", "collected_events", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_collected_events_request_id", table_name="collected_events")
    op.drop_index("ix_collected_requests_received_at", table_name="collected_requests")
    op.drop_index("ix_outbox_delivered_finished_at", table_name="outbox")
