"""ambassadors, memorial places, contracts, obligations, support requests

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 12:24:58.591461
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ambassador",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("public_name", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum("active", "under_review", "cancelled", name="designationstatus", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("designated_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column(
            "cancel_basis",
            sa.Enum("finding", "conviction", name="cancelbasis", native_enum=False, length=40),
            nullable=True,
        ),
        sa.Column("cancel_reason", sa.LargeBinary(), nullable=True),
        sa.Column("cancelled_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cancelled_by"], ["staff_user.id"], name=op.f("fk_ambassador_cancelled_by_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ambassador")),
    )
    with op.batch_alter_table("ambassador", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ambassador_status"), ["status"], unique=False)

    op.create_table(
        "contract",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "active", "cancellation_initiated", "cancelled", name="contractstatus", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("machine_client_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "cancellation_ground",
            sa.Enum(
                "measures_overdue",
                "measures_rejected",
                "staff_decision",
                name="cancellationground",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("cancellation_reason", sa.LargeBinary(), nullable=True),
        sa.Column("cancellation_initiated_on", sa.Date(), nullable=True),
        sa.Column("cancellation_initiated_by", sa.Uuid(), nullable=True),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("cancelled_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cancellation_initiated_by"],
            ["staff_user.id"],
            name=op.f("fk_contract_cancellation_initiated_by_staff_user"),
        ),
        sa.ForeignKeyConstraint(["cancelled_by"], ["staff_user.id"], name=op.f("fk_contract_cancelled_by_staff_user")),
        sa.ForeignKeyConstraint(
            ["machine_client_id"], ["machine_client.id"], name=op.f("fk_contract_machine_client_id_machine_client")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_contract_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract")),
        sa.UniqueConstraint("number", name=op.f("uq_contract_number")),
    )
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contract_machine_client_id"), ["machine_client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contract_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contract_status"), ["status"], unique=False)

    op.create_table(
        "memorial_place",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ambassador_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("status", sa.Enum("open", "shut", name="placestatus", native_enum=False, length=40), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("shut_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ambassador_id"], ["ambassador.id"], name=op.f("fk_memorial_place_ambassador_id_ambassador")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memorial_place")),
    )
    with op.batch_alter_table("memorial_place", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_memorial_place_ambassador_id"), ["ambassador_id"], unique=False)

    op.create_table(
        "case_ambassador",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("ambassador_id", sa.Uuid(), nullable=False),
        sa.Column("linked_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ambassador_id"], ["ambassador.id"], name=op.f("fk_case_ambassador_ambassador_id_ambassador")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_case_ambassador_case_id_case_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_ambassador")),
        sa.UniqueConstraint("case_id", "ambassador_id", name=op.f("uq_case_ambassador_case_id")),
    )
    with op.batch_alter_table("case_ambassador", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_ambassador_ambassador_id"), ["ambassador_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_ambassador_case_id"), ["case_id"], unique=False)

    op.create_table(
        "obligation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "measures_recorded",
                "accepted",
                "rejected",
                "overdue",
                name="obligationstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("measures", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_on", sa.Date(), nullable=True),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.Column("reviewed_by", sa.Uuid(), nullable=True),
        sa.Column("review_reason", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_obligation_case_id_case_file")),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name=op.f("fk_obligation_contract_id_contract")),
        sa.ForeignKeyConstraint(["reviewed_by"], ["staff_user.id"], name=op.f("fk_obligation_reviewed_by_staff_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligation")),
        sa.UniqueConstraint("case_id", "contract_id", name=op.f("uq_obligation_case_id")),
    )
    with op.batch_alter_table("obligation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_obligation_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_obligation_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_obligation_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_obligation_status"), ["status"], unique=False)

    op.create_table(
        "support_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "legal_consultation",
                "counselling",
                "workplace_education",
                name="supportkind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_support_request_case_id_case_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_request")),
        sa.UniqueConstraint("case_id", "kind", name=op.f("uq_support_request_case_id")),
    )
    with op.batch_alter_table("support_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_support_request_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("support_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_request_case_id"))

    op.drop_table("support_request")
    with op.batch_alter_table("obligation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_obligation_status"))
        batch_op.drop_index(batch_op.f("ix_obligation_due_on"))
        batch_op.drop_index(batch_op.f("ix_obligation_contract_id"))
        batch_op.drop_index(batch_op.f("ix_obligation_case_id"))

    op.drop_table("obligation")
    with op.batch_alter_table("case_ambassador", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_ambassador_case_id"))
        batch_op.drop_index(batch_op.f("ix_case_ambassador_ambassador_id"))

    op.drop_table("case_ambassador")
    with op.batch_alter_table("memorial_place", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memorial_place_ambassador_id"))

    op.drop_table("memorial_place")
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_status"))
        batch_op.drop_index(batch_op.f("ix_contract_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_contract_machine_client_id"))

    op.drop_table("contract")
    with op.batch_alter_table("ambassador", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ambassador_status"))

    op.drop_table("ambassador")
