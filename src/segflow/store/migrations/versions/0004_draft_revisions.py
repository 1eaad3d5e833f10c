"""a revision number for each flow's draft, so that two editors cannot overwrite each other

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing drafts start at revision 1; every save adds one. A plain ALTER TABLE on
    # SQLite too: copying the table would break the versions' references to it.
    op.add_column(
        "flows", sa.Column("revision", sa.Integer(), server_default=sa.text("1"), nullable=False)
    )


def downgrade() -> None:
    op.drop_column("flows", "revision")
