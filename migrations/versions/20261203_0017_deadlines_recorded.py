"""deadlines recorded (issue 13, CASE-2): who met a deadline and the reference of a duty recorded by hand

case_deadline gets `met_by` (the staff member whose act or record met it; NULL where WithU met it at once, e.g.
the acknowledgement, and for every deadline met before this revision) and `reference` (for the ministry
notification and the prevention plan: the ministry's receipt number, the plan's document reference). Both
nullable, so existing rows stay as they are. SQLite adds the foreign key in batch mode.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 12:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_deadline", schema=None) as batch_op:
        batch_op.add_column(sa.Column("met_by", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("reference", sa.String(length=100), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_case_deadline_met_by_staff_user"), "staff_user", ["met_by"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("case_deadline", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_case_deadline_met_by_staff_user"), type_="foreignkey")
        batch_op.drop_column("reference")
        batch_op.drop_column("met_by")
