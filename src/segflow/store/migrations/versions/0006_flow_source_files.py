"""the flow file each draft was last saved from, so that `segflow chat FILE` never replaces a
draft saved in the Flow Editor

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing drafts count as saved in the editor: a flow file replaces none of them unasked.
    op.add_column("flows", sa.Column("source_file", sa.String(length=1000), nullable=True))


def downgrade() -> None:
    op.drop_column("flows", "source_file")
