"""evidence files

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 12:02:07.155383
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_file",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "uploaded_by", sa.Enum("reporter", "staff", name="uploader", native_enum=False, length=40), nullable=False
        ),
        sa.Column("uploaded_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("report_id", sa.Uuid(), nullable=True),
        sa.Column(
            "media_type",
            sa.Enum(
                "image/jpeg",
                "image/png",
                "image/webp",
                "application/pdf",
                "text/plain",
                name="evidencetype",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.LargeBinary(), nullable=True),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_evidence_file_case_id_case_file")),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], name=op.f("fk_evidence_file_report_id_report")),
        sa.ForeignKeyConstraint(
            ["uploaded_by_user_id"], ["staff_user.id"], name=op.f("fk_evidence_file_uploaded_by_user_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_file")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_evidence_file_stored_name")),
    )
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_file_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_file_report_id"), ["report_id"], unique=False)

    op.create_table(
        "evidence_access",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("evidence_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.LargeBinary(), nullable=False),
        sa.Column("accessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence_file.id"], name=op.f("fk_evidence_access_evidence_id_evidence_file")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], name=op.f("fk_evidence_access_user_id_staff_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_access")),
    )
    with op.batch_alter_table("evidence_access", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_access_evidence_id"), ["evidence_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("evidence_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_access_evidence_id"))

    op.drop_table("evidence_access")
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_file_report_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_file_case_id"))

    op.drop_table("evidence_file")
