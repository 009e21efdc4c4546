"""OAuth 2.0 token revocation (issue 16, RFC 7009): revoked_machine_token

One row per machine client's access token revoked before it expired, by the token's `jti`; refused from the next
request on. A row is removed once the token would have expired anyway. Existing rows: none.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "revoked_machine_token",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_revoked_machine_token")),
    )
    with op.batch_alter_table("revoked_machine_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revoked_machine_token_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("revoked_machine_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revoked_machine_token_expires_at"))
    op.drop_table("revoked_machine_token")
