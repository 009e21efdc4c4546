"""dashboard (issue 14): case_file.arrival and case_read_marker

`case_file.arrival`: a reporter-made case's order of arrival among the reporter-made cases of its day (INT-1: an
order, never a time), for the queue's newest first; the queue's covering index gains it after the day. Existing
rows: 0 (their day's order stays by reference).
`case_read_marker`: per case and staff member, the number of the last message seen (the queue's unread marker).
Existing rows: none.

Revision ID: 0026
Revises: 0024
Create Date: 2026-12-03 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_COVER = ["opened_on", "reference", "id", "sealed", "team", "status"]
NEW_COVER = ["opened_on", "arrival", "reference", "id", "sealed", "team", "status"]


def upgrade() -> None:
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("arrival", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_index("ix_case_file_queue_cover")
        batch_op.create_index("ix_case_file_queue_cover", NEW_COVER, unique=False)
    op.create_table(
        "case_read_marker",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("message_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_case_read_marker_case_id_case_file")),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], name=op.f("fk_case_read_marker_user_id_staff_user")),
        sa.PrimaryKeyConstraint("case_id", "user_id", name=op.f("pk_case_read_marker")),
    )


def downgrade() -> None:
    op.drop_table("case_read_marker")
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_index("ix_case_file_queue_cover")
        batch_op.create_index("ix_case_file_queue_cover", OLD_COVER, unique=False)
        batch_op.drop_column("arrival")
