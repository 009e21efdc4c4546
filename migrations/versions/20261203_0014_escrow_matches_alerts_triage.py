"""escrow matches, team alerts, orders awaiting triage (CASE-8, SEP-1; security review F4, F11)

escrow_match: a possible escrow match (two reports naming the same respondent, one in escrow, an anonymous reporter
on either side) waiting for a team lead or the division head to confirm or decline. team_alert: a content-free
alert, one per kind, person (a keyed hash) and day. report.escrow_held_out: an escrow report over the limit for its
respondent, never counted toward a release. separation_order.awaiting_triage: an order an anonymous third party's
report opened, enforced, waiting for the case team at triage. Existing rows: none held out, none awaiting triage.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "escrow_match",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("new_case_id", sa.Uuid(), nullable=False),
        sa.Column("other_case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "confirmed", "declined", name="escrowmatchstatus", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["decided_by"], ["staff_user.id"], name=op.f("fk_escrow_match_decided_by_staff_user")),
        sa.ForeignKeyConstraint(["new_case_id"], ["case_file.id"], name=op.f("fk_escrow_match_new_case_id_case_file")),
        sa.ForeignKeyConstraint(
            ["other_case_id"], ["case_file.id"], name=op.f("fk_escrow_match_other_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escrow_match")),
        sa.UniqueConstraint("new_case_id", "other_case_id", name=op.f("uq_escrow_match_new_case_id")),
    )
    with op.batch_alter_table("escrow_match", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escrow_match_new_case_id"), ["new_case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_escrow_match_other_case_id"), ["other_case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_escrow_match_status"), ["status"], unique=False)
    op.create_table(
        "team_alert",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("escrow_limit", "anonymous_orders", name="alertkind", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("raised", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("acknowledged_by", sa.Uuid(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"], ["staff_user.id"], name=op.f("fk_team_alert_acknowledged_by_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_alert")),
        sa.UniqueConstraint("kind", "subject_key", "day", name=op.f("uq_team_alert_kind")),
    )
    with op.batch_alter_table("team_alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_alert_day"), ["day"], unique=False)
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escrow_held_out", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("separation_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("awaiting_triage", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("separation_order", schema=None) as batch_op:
        batch_op.drop_column("awaiting_triage")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_column("escrow_held_out")
    with op.batch_alter_table("team_alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_alert_day"))
    op.drop_table("team_alert")
    with op.batch_alter_table("escrow_match", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escrow_match_status"))
        batch_op.drop_index(batch_op.f("ix_escrow_match_other_case_id"))
        batch_op.drop_index(batch_op.f("ix_escrow_match_new_case_id"))
    op.drop_table("escrow_match")
