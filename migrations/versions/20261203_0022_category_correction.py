"""category correction (issue 13, SD-3): a decision proposal may carry a case's new category

decision_proposal gets `kind` (`status` for a decision or withdrawal, as before; `category` for a correction of the
case's category that removes SD-3's floor) and `category` (the new one); `to_status` is empty for a correction.
The partial unique index (one waiting proposal per case) is dropped around the batch copy and made again, so
SQLite keeps its WHERE clause.

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-03 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("received", "triaged", "investigating", "decided", "closed", "withdrawn")
CATEGORIES = ("sexual_harassment", "sexual_assault", "stalking", "online", "secondary_damage", "other")
PENDING = "uq_decision_proposal_pending_case"
STATUS = sa.Enum(*STATUSES, name="casestatus", native_enum=False, length=40)
KIND = sa.Enum("status", "category", name="proposalkind", native_enum=False, length=40)
CATEGORY = sa.Enum(*CATEGORIES, name="category", native_enum=False, length=40)


def upgrade() -> None:
    op.drop_index(PENDING, table_name="decision_proposal")
    with op.batch_alter_table("decision_proposal", schema=None) as batch_op:
        batch_op.alter_column("to_status", existing_type=STATUS, nullable=True)
        batch_op.add_column(sa.Column("kind", KIND, server_default="status", nullable=False))
        batch_op.add_column(sa.Column("category", CATEGORY, nullable=True))
    _create_pending_index()


def downgrade() -> None:
    op.execute("DELETE FROM decision_proposal WHERE kind = 'category'")
    op.drop_index(PENDING, table_name="decision_proposal")
    with op.batch_alter_table("decision_proposal", schema=None) as batch_op:
        batch_op.drop_column("category")
        batch_op.drop_column("kind")
        batch_op.alter_column("to_status", existing_type=STATUS, nullable=False)
    _create_pending_index()


def _create_pending_index() -> None:
    op.create_index(
        PENDING,
        "decision_proposal",
        ["case_id"],
        unique=True,
        sqlite_where=sa.text("status = 'proposed'"),
        postgresql_where=sa.text("status = 'proposed'"),
    )
