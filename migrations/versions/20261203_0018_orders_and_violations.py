"""orders and violations (issue 13): orders opened late, violations told and resolved (SEP-1, SEP-5)

pending_party: an employee number an open case names that the directory did not know yet, by MAC only (SEP-1: the
order opens when a sync brings it). separation_violation.resolved_on / resolved_by / resolution: a violation ends
when the two are apart again or a team lead records its resolution (SEP-5). notification.violation_id: a notice may
be about a violation instead of a deadline (deadline_id becomes nullable). Existing rows: every violation open,
every notice about its deadline.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 12:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_party",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("employee_mac", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_pending_party_case_id_case_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_party")),
        sa.UniqueConstraint("case_id", "employee_mac", name=op.f("uq_pending_party_case_id")),
    )
    with op.batch_alter_table("pending_party", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_party_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pending_party_employee_mac"), ["employee_mac"], unique=False)
    with op.batch_alter_table("separation_violation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolved_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("resolved_by", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("resolution", sa.LargeBinary(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_separation_violation_resolved_by_staff_user"), "staff_user", ["resolved_by"], ["id"]
        )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.alter_column("deadline_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.add_column(sa.Column("violation_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_notification_violation_id_separation_violation"),
            "separation_violation",
            ["violation_id"],
            ["id"],
        )


def downgrade() -> None:
    op.execute("DELETE FROM notification WHERE deadline_id IS NULL")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_notification_violation_id_separation_violation"), type_="foreignkey")
        batch_op.drop_column("violation_id")
        batch_op.alter_column("deadline_id", existing_type=sa.Uuid(), nullable=False)
    with op.batch_alter_table("separation_violation", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_separation_violation_resolved_by_staff_user"), type_="foreignkey")
        batch_op.drop_column("resolution")
        batch_op.drop_column("resolved_by")
        batch_op.drop_column("resolved_on")
    with op.batch_alter_table("pending_party", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_party_employee_mac"))
        batch_op.drop_index(batch_op.f("ix_pending_party_case_id"))
    op.drop_table("pending_party")
