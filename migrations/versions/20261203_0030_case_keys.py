"""per-case content keys (issue 18): case keys' wraps, staff key pairs, sign-ins' sealed keys, the recovery key

`case_file.content_key`: the public half of the case's content key (NULL: a case from before this revision, under
the master key until `withu keys migrate` moves it). `case_key_wrap`: the content key sealed for each holder; `case_key_request`: readers waiting for a wrap.
`staff_user.public_key`, `sealed_private_key`, `key_salt`: the account's key pair, its private key sealed under a
key derived from the password (made at the owner's next sign-in for accounts that exist already).
`staff_session.sealed_private_key`: that private key sealed under a secret only the sign-in's tokens carry.
`recovery_key`: the recovery key's public half and who holds its shares. `report.facts`: what the server acts on
of a report (employee numbers, flags, keyed hashes), apart from its content (NULL: read from the details, which
stay under the master key until migrated).

Columns are added, never copied: no batch "move and copy" of case_file (its triggers, migration 0029).

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03 23:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("case_file", sa.Column("content_key", sa.LargeBinary(), nullable=True))
    op.add_column("report", sa.Column("facts", sa.LargeBinary(), nullable=True))
    op.add_column("staff_user", sa.Column("public_key", sa.LargeBinary(), nullable=True))
    op.add_column("staff_user", sa.Column("sealed_private_key", sa.LargeBinary(), nullable=True))
    op.add_column("staff_user", sa.Column("key_salt", sa.LargeBinary(), nullable=True))
    op.add_column("staff_session", sa.Column("sealed_private_key", sa.LargeBinary(), nullable=True))
    op.create_table(
        "case_key_wrap",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("holder", sa.String(length=80), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_case_key_wrap_case_id_case_file")),
        sa.PrimaryKeyConstraint("case_id", "holder", name=op.f("pk_case_key_wrap")),
    )
    op.create_index(op.f("ix_case_key_wrap_holder"), "case_key_wrap", ["holder"], unique=False)
    op.create_table(
        "case_key_request",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_case_key_request_case_id_case_file")),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], name=op.f("fk_case_key_request_user_id_staff_user")),
        sa.PrimaryKeyConstraint("case_id", "user_id", name=op.f("pk_case_key_request")),
    )
    op.create_index(op.f("ix_case_key_request_user_id"), "case_key_request", ["user_id"], unique=False)
    op.create_table(
        "recovery_key",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("holders", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_key")),
    )


def downgrade() -> None:
    op.drop_table("recovery_key")
    op.drop_index(op.f("ix_case_key_request_user_id"), table_name="case_key_request")
    op.drop_table("case_key_request")
    op.drop_index(op.f("ix_case_key_wrap_holder"), table_name="case_key_wrap")
    op.drop_table("case_key_wrap")
    with op.batch_alter_table("staff_session") as batch_op:
        batch_op.drop_column("sealed_private_key")
    with op.batch_alter_table("staff_user") as batch_op:
        batch_op.drop_column("key_salt")
        batch_op.drop_column("sealed_private_key")
        batch_op.drop_column("public_key")
    op.drop_column("report", "facts")
    op.drop_column("case_file", "content_key")
