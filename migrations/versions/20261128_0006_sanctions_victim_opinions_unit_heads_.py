"""sanctions, victim opinions, unit heads' measures, ineligibility

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 12:23:19.271106
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "head_measure",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("head_employee_id", sa.Uuid(), nullable=True),
        sa.Column("head_source", sa.String(length=20), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "perf_pay_grade_lowered", "human_rights_training", name="headmeasurekind", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("min_days", sa.Integer(), nullable=True),
        sa.Column(
            "status", sa.Enum("open", "done", name="headmeasurestatus", native_enum=False, length=40), nullable=False
        ),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("evidence_note", sa.LargeBinary(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("done_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_head_measure_case_id_case_file")),
        sa.ForeignKeyConstraint(["done_by"], ["staff_user.id"], name=op.f("fk_head_measure_done_by_staff_user")),
        sa.ForeignKeyConstraint(
            ["head_employee_id"], ["employee.id"], name=op.f("fk_head_measure_head_employee_id_employee")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_head_measure")),
        sa.UniqueConstraint("case_id", "kind", name=op.f("uq_head_measure_case_id")),
    )
    with op.batch_alter_table("head_measure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_head_measure_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_head_measure_head_employee_id"), ["head_employee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_head_measure_status"), ["status"], unique=False)

    op.create_table(
        "respondent_ineligibility",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_respondent_ineligibility_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employee.id"], name=op.f("fk_respondent_ineligibility_employee_id_employee")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_respondent_ineligibility")),
        sa.UniqueConstraint("employee_id", name=op.f("uq_respondent_ineligibility_employee_id")),
    )
    with op.batch_alter_table("respondent_ineligibility", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_respondent_ineligibility_case_id"), ["case_id"], unique=False)

    op.create_table(
        "sanction",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("respondent_employee_id", sa.Uuid(), nullable=True),
        sa.Column("respondent_label", sa.LargeBinary(), nullable=True),
        sa.Column(
            "level",
            sa.Enum(
                "dismissal",
                "discharge",
                "demotion",
                "suspension",
                "salary_reduction",
                "reprimand",
                name="sanctionlevel",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("months", sa.Integer(), nullable=True),
        sa.Column("mitigation_for_merit", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("proposed", "decided", "rejected", name="sanctionstatus", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("reason", sa.LargeBinary(), nullable=False),
        sa.Column("proposed_by", sa.Uuid(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_sanction_case_id_case_file")),
        sa.ForeignKeyConstraint(["decided_by"], ["staff_user.id"], name=op.f("fk_sanction_decided_by_staff_user")),
        sa.ForeignKeyConstraint(["proposed_by"], ["staff_user.id"], name=op.f("fk_sanction_proposed_by_staff_user")),
        sa.ForeignKeyConstraint(
            ["respondent_employee_id"], ["employee.id"], name=op.f("fk_sanction_respondent_employee_id_employee")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sanction")),
    )
    with op.batch_alter_table("sanction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sanction_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sanction_respondent_employee_id"), ["respondent_employee_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sanction_status"), ["status"], unique=False)

    op.create_table(
        "victim_opinion",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_victim_opinion_case_id_case_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_victim_opinion")),
    )
    with op.batch_alter_table("victim_opinion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_victim_opinion_case_id"), ["case_id"], unique=False)

    # SAN-4: unit heads. On SQLite the column is added in place: batch mode would recreate org_unit, and
    # SQLite's DROP TABLE fails once employees refer to the unit (foreign keys are on).
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE org_unit ADD COLUMN head_employee_id CHAR(32) "
            "CONSTRAINT fk_org_unit_head_employee_id_employee REFERENCES employee (id)"
        )
    else:
        op.add_column("org_unit", sa.Column("head_employee_id", sa.Uuid(), nullable=True))
        op.create_foreign_key(
            op.f("fk_org_unit_head_employee_id_employee"), "org_unit", "employee", ["head_employee_id"], ["id"]
        )
    op.create_index(op.f("ix_org_unit_head_employee_id"), "org_unit", ["head_employee_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_org_unit_head_employee_id"), table_name="org_unit")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE org_unit DROP COLUMN head_employee_id")  # in place, as it was added
    else:
        op.drop_constraint(op.f("fk_org_unit_head_employee_id_employee"), "org_unit", type_="foreignkey")
        op.drop_column("org_unit", "head_employee_id")

    with op.batch_alter_table("victim_opinion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_victim_opinion_case_id"))

    op.drop_table("victim_opinion")
    with op.batch_alter_table("sanction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sanction_status"))
        batch_op.drop_index(batch_op.f("ix_sanction_respondent_employee_id"))
        batch_op.drop_index(batch_op.f("ix_sanction_case_id"))

    op.drop_table("sanction")
    with op.batch_alter_table("respondent_ineligibility", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_respondent_ineligibility_case_id"))

    op.drop_table("respondent_ineligibility")
    with op.batch_alter_table("head_measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_head_measure_status"))
        batch_op.drop_index(batch_op.f("ix_head_measure_head_employee_id"))
        batch_op.drop_index(batch_op.f("ix_head_measure_case_id"))

    op.drop_table("head_measure")
