"""audit reporter chain: what a reporter's request writes is numbered on its own (INT-1, security review F6)

audit_entry gets a `chain` column ('main' or 'reporter') and its primary key becomes (chain, seq): each chain is
numbered 1, 2, 3, … and hash-chained on its own. Entries written in a reporter's request (day only) go to the
reporter chain, so their place among the exactly timed entries of the main chain can no longer date them. Every
existing entry stays in the main chain, unchanged (its hash covers no chain). An index on `at` serves the
auditor's search, newest first by time.

On SQLite the table is rebuilt (batch mode): the append-only triggers go with the old table and are put back.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0001 (AUD-1: the database itself refuses to change or delete audit entries); SQLite only.
SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""",
]
DROP_SQLITE_TRIGGERS = ["DROP TRIGGER IF EXISTS audit_entry_no_update", "DROP TRIGGER IF EXISTS audit_entry_no_delete"]


def _rebuild(change) -> None:  # type: ignore[no-untyped-def]
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for statement in DROP_SQLITE_TRIGGERS:
            op.execute(statement)
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        change(batch_op)
    if sqlite:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def upgrade() -> None:
    def change(batch_op) -> None:  # type: ignore[no-untyped-def]
        batch_op.add_column(sa.Column("chain", sa.String(length=10), server_default="main", nullable=False))
        batch_op.drop_constraint("pk_audit_entry", type_="primary")
        batch_op.create_primary_key("pk_audit_entry", ["chain", "seq"])
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)

    _rebuild(change)


def downgrade() -> None:
    reporter_entries = op.get_bind().execute(sa.text("SELECT count(*) FROM audit_entry WHERE chain <> 'main'"))
    if reporter_entries.scalar():
        raise RuntimeError("the audit log has reporter-chain entries: they cannot be kept in one chain (AUD-1)")

    def change(batch_op) -> None:  # type: ignore[no-untyped-def]
        batch_op.drop_index(batch_op.f("ix_audit_entry_at"))
        batch_op.drop_constraint("pk_audit_entry", type_="primary")
        batch_op.create_primary_key("pk_audit_entry", ["seq"])
        batch_op.drop_column("chain")

    _rebuild(change)
