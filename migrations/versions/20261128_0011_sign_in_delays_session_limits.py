"""sign-in delays per (account, client) instead of an account lock; staff sessions' last use (idle limit)

Failed sign-ins delay one client on one account (sign_in_delay, keyed by the rate limiter's daily keyed hash of the
address, never the address); the account itself is never locked, so staff_user.locked_until goes, and
staff_user.last_failed_login_at joins failed_logins (now: failures since the last sign-in, told to the owner).
staff_session.last_used_at measures the idle limit; existing sessions start from their sign-in time.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_delay",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("delayed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], name=op.f("fk_sign_in_delay_user_id_staff_user")),
        sa.PrimaryKeyConstraint("user_id", "client_key", name=op.f("pk_sign_in_delay")),
    )
    # Plain ADD/DROP COLUMN on staff_user (no batch copy of a table many others refer to).
    op.add_column("staff_user", sa.Column("last_failed_login_at", sa.DateTime(timezone=True), nullable=True))
    op.drop_column("staff_user", "locked_until")
    # Failures counted towards the old lock were not told to anyone: they start the owner's count afresh.
    op.execute("UPDATE staff_user SET failed_logins = 0")
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE staff_session SET last_used_at = created_at")
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.alter_column("last_used_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
    op.add_column("staff_user", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.drop_column("staff_user", "last_failed_login_at")
    op.drop_table("sign_in_delay")
