"""Retention (DATA-1): case_file.content_destroyed_on and legal_hold

A case whose content was destroyed carries the day it happened; an operator's legal hold keeps a case's content;
a webhook's payload may be NULL (dropped some days after its delivery). Existing rows: no case destroyed, no hold
set, every payload kept.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 15:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_destroyed_on", sa.Date(), nullable=True))
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.alter_column("payload", existing_type=sa.LargeBinary(), nullable=True)
    op.create_table(
        "legal_hold",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.LargeBinary(), nullable=False),
        sa.Column("set_on", sa.Date(), nullable=False),
        sa.Column("set_by", sa.Uuid(), nullable=False),
        sa.Column("lifted_on", sa.Date(), nullable=True),
        sa.Column("lifted_by", sa.Uuid(), nullable=True),
        sa.Column("lift_reason", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_legal_hold_case_id_case_file")),
        sa.ForeignKeyConstraint(["lifted_by"], ["staff_user.id"], name=op.f("fk_legal_hold_lifted_by_staff_user")),
        sa.ForeignKeyConstraint(["set_by"], ["staff_user.id"], name=op.f("fk_legal_hold_set_by_staff_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_hold")),
    )
    with op.batch_alter_table("legal_hold", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_legal_hold_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "uq_legal_hold_set_case",
            ["case_id"],
            unique=True,
            sqlite_where=sa.text("lifted_on IS NULL"),
            postgresql_where=sa.text("lifted_on IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("legal_hold", schema=None) as batch_op:
        batch_op.drop_index("uq_legal_hold_set_case")
        batch_op.drop_index(batch_op.f("ix_legal_hold_case_id"))
    op.drop_table("legal_hold")
    # A dropped payload cannot come back: those messages (delivered long ago) and their attempts go.
    op.execute(
        sa.text(
            "DELETE FROM delivery_attempt WHERE message_id IN (SELECT id FROM outbox_message WHERE payload IS NULL)"
        )
    )
    op.execute(sa.text("DELETE FROM outbox_message WHERE payload IS NULL"))
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.alter_column("payload", existing_type=sa.LargeBinary(), nullable=False)
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_column("content_destroyed_on")
