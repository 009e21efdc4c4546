"""case transitions and the respondent's directory link

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 11:54:51.930483
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_transition",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "received",
                "triaged",
                "investigating",
                "decided",
                "closed",
                "withdrawn",
                name="casestatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "received",
                "triaged",
                "investigating",
                "decided",
                "closed",
                "withdrawn",
                name="casestatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "finding",
            sa.Enum(
                "substantiated",
                "not_substantiated",
                "insufficient_evidence",
                name="finding",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("reason", sa.LargeBinary(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_user_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["staff_user.id"], name=op.f("fk_case_transition_by_user_id_staff_user")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_case_transition_case_id_case_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_transition")),
    )
    with op.batch_alter_table("case_transition", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_transition_case_id"), ["case_id"], unique=False)

    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("respondent_employee_id", sa.Uuid(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_case_file_respondent_employee_id"), ["respondent_employee_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_case_file_respondent_employee_id_employee"), "employee", ["respondent_employee_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_case_file_respondent_employee_id_employee"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_case_file_respondent_employee_id"))
        batch_op.drop_column("respondent_employee_id")

    with op.batch_alter_table("case_transition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_transition_case_id"))

    op.drop_table("case_transition")
