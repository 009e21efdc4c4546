"""The master key's check value (ACC-2, reliability review finding 5): key_check

One row, written at the first `withu migrate` or start under the key in use (app/db/key_check.py); a process whose
key does not match refuses to start. Existing rows: none; an existing database gets its row at its next start.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "key_check",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_check")),
    )


def downgrade() -> None:
    op.drop_table("key_check")
