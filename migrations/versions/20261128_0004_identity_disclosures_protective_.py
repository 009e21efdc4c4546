"""identity disclosures, protective measures, linked and sealed reports

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 11:58:59.229237
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_link",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_a", sa.Uuid(), nullable=False),
        sa.Column("case_b", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("linked_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["case_a"], ["case_file.id"], name=op.f("fk_case_link_case_a_case_file")),
        sa.ForeignKeyConstraint(["case_b"], ["case_file.id"], name=op.f("fk_case_link_case_b_case_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_link")),
        sa.UniqueConstraint("case_a", "case_b", name=op.f("uq_case_link_case_a")),
    )
    with op.batch_alter_table("case_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_link_case_a"), ["case_a"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_link_case_b"), ["case_b"], unique=False)

    op.create_table(
        "disclosure_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("requester_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.LargeBinary(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "approved", "denied", name="disclosurestatus", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column(
            "victim_consent",
            sa.Enum("given", "refused", "not_required", name="victimconsent", native_enum=False, length=40),
            nullable=True,
        ),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_disclosure_request_case_id_case_file")),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["staff_user.id"], name=op.f("fk_disclosure_request_decided_by_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["staff_user.id"], name=op.f("fk_disclosure_request_requester_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_request")),
    )
    with op.batch_alter_table("disclosure_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disclosure_request_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_disclosure_request_requester_id"), ["requester_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_disclosure_request_status"), ["status"], unique=False)

    op.create_table(
        "protective_measure",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "workplace_change",
                "paid_leave",
                "further_separation",
                "counselling",
                "legal_support",
                "other",
                name="measurekind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("offered", "accepted", "declined", "applied", name="measurestatus", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.Column("offered_on", sa.Date(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("answered_by", sa.String(length=20), nullable=True),
        sa.Column("applied_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_protective_measure_case_id_case_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protective_measure")),
    )
    with op.batch_alter_table("protective_measure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_protective_measure_case_id"), ["case_id"], unique=False)

    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_column("sealed")

    with op.batch_alter_table("protective_measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_protective_measure_case_id"))

    op.drop_table("protective_measure")
    with op.batch_alter_table("disclosure_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosure_request_status"))
        batch_op.drop_index(batch_op.f("ix_disclosure_request_requester_id"))
        batch_op.drop_index(batch_op.f("ix_disclosure_request_case_id"))

    op.drop_table("disclosure_request")
    with op.batch_alter_table("case_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_link_case_b"))
        batch_op.drop_index(batch_op.f("ix_case_link_case_a"))

    op.drop_table("case_link")
