"""queue speed: covering indexes for the case queue (overdue filter, next-deadline order, deep pages)

Replaces 0009's ix_case_file_queue and ix_case_deadline_open with indexes the queue reads alone (no row look-ups):
see app/db/models.py (Case, CaseDeadline) and docs/performance.md, "The case queue". Indexes only: no data moves.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_case_file_queue_cover", "case_file", ["opened_on", "reference", "id", "sealed", "team", "status"]
    )
    op.create_index("ix_case_file_id_cover", "case_file", ["id", "sealed", "team", "status", "opened_on", "reference"])
    op.create_index("ix_case_deadline_open_by_case", "case_deadline", ["case_id", "met_on", "due_on", "id"])
    # Open deadlines only, by due day (met_on listed so that SQLite reads the partial index alone).
    op.create_index(
        "ix_case_deadline_open_by_due",
        "case_deadline",
        ["due_on", "case_id", "id", "met_on"],
        sqlite_where=sa.text("met_on IS NULL"),
        postgresql_where=sa.text("met_on IS NULL"),
    )
    op.drop_index("ix_case_deadline_open", table_name="case_deadline")
    op.drop_index("ix_case_file_queue", table_name="case_file")


def downgrade() -> None:
    op.create_index("ix_case_file_queue", "case_file", ["opened_on", "reference"], unique=False)
    op.create_index("ix_case_deadline_open", "case_deadline", ["case_id", "met_on", "due_on"], unique=False)
    op.drop_index("ix_case_deadline_open_by_due", table_name="case_deadline")
    op.drop_index("ix_case_deadline_open_by_case", table_name="case_deadline")
    op.drop_index("ix_case_file_id_cover", table_name="case_file")
    op.drop_index("ix_case_file_queue_cover", table_name="case_file")
