"""SCIM 2.0 provisioning (issue 16): scim_record

One row per directory resource (employee, org unit, assignment) that a SCIM client named or deleted: the client's
externalId (RFC 7643 §3.1) and whether it deleted the resource (RFC 7644 §3.6: a deleted resource answers 404 and
leaves every list; the directory row stays for the separation orders and the retaliation watch). Existing rows:
none.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scim_record",
        sa.Column("resource_id", sa.Uuid(), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("resource_id", name=op.f("pk_scim_record")),
    )
    with op.batch_alter_table("scim_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scim_record_external_id"), ["external_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scim_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scim_record_external_id"))
    op.drop_table("scim_record")
