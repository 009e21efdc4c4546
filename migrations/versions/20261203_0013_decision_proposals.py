"""decision proposals (CASE-1, security review F5): a case is decided or withdrawn on a handler's proposal,
confirmed by a second person

decision_proposal holds each proposal (the target status, the finding, the reason — encrypted), who proposed it, and
the second person's confirmation or refusal (with its reason, encrypted). At most one proposal per case waits.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("received", "triaged", "investigating", "decided", "closed", "withdrawn")
FINDINGS = ("substantiated", "not_substantiated", "insufficient_evidence")


def upgrade() -> None:
    op.create_table(
        "decision_proposal",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("to_status", sa.Enum(*STATUSES, name="casestatus", native_enum=False, length=40), nullable=False),
        sa.Column("finding", sa.Enum(*FINDINGS, name="finding", native_enum=False, length=40), nullable=True),
        sa.Column("reason", sa.LargeBinary(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("proposed", "confirmed", "declined", name="proposalstatus", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("proposed_by", sa.Uuid(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_decision_proposal_case_id_case_file")),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["staff_user.id"], name=op.f("fk_decision_proposal_decided_by_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by"], ["staff_user.id"], name=op.f("fk_decision_proposal_proposed_by_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_proposal")),
    )
    with op.batch_alter_table("decision_proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_proposal_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_decision_proposal_status"), ["status"], unique=False)
        batch_op.create_index(
            "uq_decision_proposal_pending_case",
            ["case_id"],
            unique=True,
            sqlite_where=sa.text("status = 'proposed'"),
            postgresql_where=sa.text("status = 'proposed'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("decision_proposal", schema=None) as batch_op:
        batch_op.drop_index("uq_decision_proposal_pending_case")
        batch_op.drop_index(batch_op.f("ix_decision_proposal_status"))
        batch_op.drop_index(batch_op.f("ix_decision_proposal_case_id"))
    op.drop_table("decision_proposal")
