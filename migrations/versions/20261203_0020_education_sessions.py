"""education sessions and attendance (MAN-3, WU-1; issue 13)

education_session: a session of the prevention & education team — the yearly prevention training, a role of the
manual's training, or #WithU education / expert training for a citizen's workplace (with a headcount) — scoped to
a directory organisation and unit, or naming the citizen's workplace. education_attendance: one employee of the
personnel directory attended one session (recorded once). Existing rows: none.

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-03 12:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("yearly_prevention", "role_training", "workplace_education", "expert_training")
AUDIENCES = ("all", "victim", "witness", "manager", "hr", "contractor", "case_team")


def upgrade() -> None:
    op.create_table(
        "education_session",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="sessionkind", native_enum=False, length=40), nullable=False),
        sa.Column("audience", sa.Enum(*AUDIENCES, name="audience", native_enum=False, length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.Column("workplace", sa.String(length=200), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("headcount", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["staff_user.id"], name=op.f("fk_education_session_created_by_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_education_session_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_education_session_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_education_session")),
    )
    with op.batch_alter_table("education_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_education_session_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_education_session_kind"), ["kind"], unique=False)
    op.create_table(
        "education_attendance",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employee.id"], name=op.f("fk_education_attendance_employee_id_employee")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["education_session.id"], name=op.f("fk_education_attendance_session_id_education_session")
        ),
        sa.PrimaryKeyConstraint("session_id", "employee_id", name=op.f("pk_education_attendance")),
    )
    with op.batch_alter_table("education_attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_education_attendance_employee_id"), ["employee_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("education_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_education_attendance_employee_id"))
    op.drop_table("education_attendance")
    with op.batch_alter_table("education_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_education_session_kind"))
        batch_op.drop_index(batch_op.f("ix_education_session_day"))
    op.drop_table("education_session")
