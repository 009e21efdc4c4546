"""account trust (ACC-1, security review F1/F2/F17): enrolment links, changes waiting for a division head

A new account's owner sets their own password and TOTP through a one-time enrolment link (enrolment_link: only the
SHA-256 of its token; the TOTP secret offered on the page, encrypted, until confirmed); staff_user.enrolled_at says
when, and an account without it cannot sign in. Existing accounts were set up already: enrolled when created.
Changes to case-role accounts wait in account_change for a division head.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 09:37:48.873302
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_change",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("creation", "change", "reactivation", name="accountchangekind", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "approved", "declined", "withdrawn", name="accountchangestatus", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column(
            "from_role",
            sa.Enum(
                "intake",
                "investigator",
                "team_lead",
                "division_head",
                "hr_officer",
                "auditor",
                "sysadmin",
                name="role",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column(
            "from_team",
            sa.Enum(
                "intake_counselling",
                "investigation",
                "victim_support_legal",
                "prevention_education",
                name="team",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("from_employee_number", sa.String(length=40), nullable=True),
        sa.Column("from_active", sa.Boolean(), nullable=False),
        sa.Column(
            "to_role",
            sa.Enum(
                "intake",
                "investigator",
                "team_lead",
                "division_head",
                "hr_officer",
                "auditor",
                "sysadmin",
                name="role",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "to_team",
            sa.Enum(
                "intake_counselling",
                "investigation",
                "victim_support_legal",
                "prevention_education",
                name="team",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("to_employee_number", sa.String(length=40), nullable=True),
        sa.Column("to_active", sa.Boolean(), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["staff_user.id"], name=op.f("fk_account_change_decided_by_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["staff_user.id"], name=op.f("fk_account_change_requested_by_staff_user")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], name=op.f("fk_account_change_user_id_staff_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_change")),
    )
    with op.batch_alter_table("account_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_change_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_change_user_id"), ["user_id"], unique=False)

    op.create_table(
        "enrolment_link",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offered_totp_secret", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], name=op.f("fk_enrolment_link_user_id_staff_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_enrolment_link_token_hash")),
    )
    with op.batch_alter_table("enrolment_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrolment_link_user_id"), ["user_id"], unique=False)

    # Plain ADD COLUMN on staff_user (no batch copy of a table many others refer to).
    op.add_column("staff_user", sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE staff_user SET enrolled_at = created_at")


def downgrade() -> None:
    op.drop_column("staff_user", "enrolled_at")

    with op.batch_alter_table("enrolment_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrolment_link_user_id"))

    op.drop_table("enrolment_link")
    with op.batch_alter_table("account_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_change_user_id"))
        batch_op.drop_index(batch_op.f("ix_account_change_status"))

    op.drop_table("account_change")
