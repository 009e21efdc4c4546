"""dashboard: sign out everywhere (staff_user.sessions_valid_from), account versions (If-Match), queue indexes

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy of staff_user, which many tables refer to): both are nullable or constant.
    op.add_column("staff_user", sa.Column("sessions_valid_from", sa.DateTime(timezone=True), nullable=True))
    op.add_column("staff_user", sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.create_index("ix_case_file_queue", "case_file", ["opened_on", "reference"], unique=False)
    op.create_index("ix_case_deadline_open", "case_deadline", ["case_id", "met_on", "due_on"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_deadline_open", table_name="case_deadline")
    op.drop_index("ix_case_file_queue", table_name="case_file")
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("sessions_valid_from")
