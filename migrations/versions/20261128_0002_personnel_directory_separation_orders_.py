"""personnel directory, separation orders, retaliation watch, webhooks outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 11:49:48.767227
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "smg", "affiliated", "contractor", "citizen_workplace", name="orgkind", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("external_id", name=op.f("uq_organisation_external_id")),
    )
    op.create_table(
        "assignment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("project", "duty", "shift", "committee", name="assignmentkind", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_assignment_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
        sa.UniqueConstraint("external_id", name=op.f("uq_assignment_external_id")),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "org_unit",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_org_unit_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["parent_id"], ["org_unit.id"], name=op.f("fk_org_unit_parent_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_unit")),
        sa.UniqueConstraint("external_id", name=op.f("uq_org_unit_external_id")),
    )
    with op.batch_alter_table("org_unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_org_unit_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_org_unit_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["machine_client.id"], name=op.f("fk_webhook_subscription_client_id_machine_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscription")),
    )
    with op.batch_alter_table("webhook_subscription", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_subscription_client_id"), ["client_id"], unique=False)

    op.create_table(
        "employee",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("employee_number", sa.String(length=40), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.Column("supervisor_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("active", "on_leave", "retired", name="employeestatus", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("retired_on", sa.Date(), nullable=True),
        sa.Column("unit_effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supervisor_effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_employee_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["supervisor_id"], ["employee.id"], name=op.f("fk_employee_supervisor_id_employee")),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_employee_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employee")),
        sa.UniqueConstraint("employee_number", name=op.f("uq_employee_employee_number")),
    )
    with op.batch_alter_table("employee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_employee_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_employee_supervisor_id"), ["supervisor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_employee_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column(
            "status", sa.Enum("pending", "delivered", name="outboxstatus", native_enum=False, length=40), nullable=False
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscription.id"],
            name=op.f("fk_outbox_message_subscription_id_webhook_subscription"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_message_next_attempt_at"), ["next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_message_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_message_subscription_id"), ["subscription_id"], unique=False)

    op.create_table(
        "victim_wish",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("wants_to_move", sa.Boolean(), nullable=False),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_victim_wish_case_id_case_file")),
        sa.ForeignKeyConstraint(["recorded_by"], ["staff_user.id"], name=op.f("fk_victim_wish_recorded_by_staff_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_victim_wish")),
    )
    with op.batch_alter_table("victim_wish", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_victim_wish_case_id"), ["case_id"], unique=False)

    op.create_table(
        "assignment_member",
        sa.Column("assignment_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("member", sa.Boolean(), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignment.id"], name=op.f("fk_assignment_member_assignment_id_assignment")
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employee.id"], name=op.f("fk_assignment_member_employee_id_employee")
        ),
        sa.PrimaryKeyConstraint("assignment_id", "employee_id", name=op.f("pk_assignment_member")),
    )
    with op.batch_alter_table("assignment_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_member_employee_id"), ["employee_id"], unique=False)

    op.create_table(
        "delivery_attempt",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["outbox_message.id"], name=op.f("fk_delivery_attempt_message_id_outbox_message")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_attempt")),
    )
    with op.batch_alter_table("delivery_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delivery_attempt_message_id"), ["message_id"], unique=False)

    op.create_table(
        "personnel_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "transfer",
                "new_supervisor",
                "joined_assignment",
                "left_assignment",
                "leave",
                "returned",
                "retirement",
                "evaluation",
                "discipline",
                "promotion_decision",
                "training_decision",
                "duties_removed",
                "dismissal",
                "objection",
                name="personneleventkind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"], name=op.f("fk_personnel_event_employee_id_employee")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personnel_event")),
        sa.UniqueConstraint("event_id", name=op.f("uq_personnel_event_event_id")),
    )
    with op.batch_alter_table("personnel_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_personnel_event_employee_id"), ["employee_id"], unique=False)

    op.create_table(
        "protected_person",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("victim", "reporter", "witness", "helper", name="protectedrole", native_enum=False, length=40),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_protected_person_case_id_case_file")),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employee.id"], name=op.f("fk_protected_person_employee_id_employee")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protected_person")),
        sa.UniqueConstraint("case_id", "employee_id", "role", name=op.f("uq_protected_person_case_id")),
    )
    with op.batch_alter_table("protected_person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_protected_person_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_protected_person_employee_id"), ["employee_id"], unique=False)

    op.create_table(
        "separation_order",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("victim_id", sa.Uuid(), nullable=False),
        sa.Column("respondent_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("active", "lifted", "ended", name="orderstatus", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("connections", sa.JSON(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Uuid(), nullable=True),
        sa.Column("close_reason", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_separation_order_case_id_case_file")),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["staff_user.id"], name=op.f("fk_separation_order_closed_by_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"], ["employee.id"], name=op.f("fk_separation_order_respondent_id_employee")
        ),
        sa.ForeignKeyConstraint(["victim_id"], ["employee.id"], name=op.f("fk_separation_order_victim_id_employee")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_separation_order")),
        sa.UniqueConstraint("case_id", "victim_id", "respondent_id", name=op.f("uq_separation_order_case_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_separation_order_reference")),
    )
    with op.batch_alter_table("separation_order", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_separation_order_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_separation_order_respondent_id"), ["respondent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_separation_order_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_separation_order_victim_id"), ["victim_id"], unique=False)

    op.create_table(
        "retaliation_flag",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("original_case_id", sa.Uuid(), nullable=False),
        sa.Column("review_case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("victim", "reporter", "witness", "helper", name="protectedrole", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["personnel_event.id"], name=op.f("fk_retaliation_flag_event_id_personnel_event")
        ),
        sa.ForeignKeyConstraint(
            ["original_case_id"], ["case_file.id"], name=op.f("fk_retaliation_flag_original_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["review_case_id"], ["case_file.id"], name=op.f("fk_retaliation_flag_review_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retaliation_flag")),
        sa.UniqueConstraint("event_id", "original_case_id", name=op.f("uq_retaliation_flag_event_id")),
    )
    with op.batch_alter_table("retaliation_flag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retaliation_flag_original_case_id"), ["original_case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_retaliation_flag_review_case_id"), ["review_case_id"], unique=False)

    op.create_table(
        "separation_violation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "same_unit",
                "chain_of_command",
                "shared_assignment",
                name="connectionkind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["personnel_event.id"], name=op.f("fk_separation_violation_event_id_personnel_event")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["separation_order.id"], name=op.f("fk_separation_violation_order_id_separation_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_separation_violation")),
    )
    with op.batch_alter_table("separation_violation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_separation_violation_order_id"), ["order_id"], unique=False)

    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_case_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "origin",
                sa.Enum(
                    "report",
                    "retaliation_watch",
                    "secondary_damage_report",
                    name="caseorigin",
                    native_enum=False,
                    length=40,
                ),
                nullable=False,
                server_default="report",
            )
        )
        batch_op.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_case_file_parent_case_id"), ["parent_case_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_case_file_parent_case_id_case_file"), "case_file", ["parent_case_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_case_file_parent_case_id_case_file"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_case_file_parent_case_id"))
        batch_op.drop_column("closed_on")
        batch_op.drop_column("origin")
        batch_op.drop_column("parent_case_id")

    with op.batch_alter_table("separation_violation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_separation_violation_order_id"))

    op.drop_table("separation_violation")
    with op.batch_alter_table("retaliation_flag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retaliation_flag_review_case_id"))
        batch_op.drop_index(batch_op.f("ix_retaliation_flag_original_case_id"))

    op.drop_table("retaliation_flag")
    with op.batch_alter_table("separation_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_separation_order_victim_id"))
        batch_op.drop_index(batch_op.f("ix_separation_order_status"))
        batch_op.drop_index(batch_op.f("ix_separation_order_respondent_id"))
        batch_op.drop_index(batch_op.f("ix_separation_order_case_id"))

    op.drop_table("separation_order")
    with op.batch_alter_table("protected_person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_protected_person_employee_id"))
        batch_op.drop_index(batch_op.f("ix_protected_person_case_id"))

    op.drop_table("protected_person")
    with op.batch_alter_table("personnel_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personnel_event_employee_id"))

    op.drop_table("personnel_event")
    with op.batch_alter_table("delivery_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_attempt_message_id"))

    op.drop_table("delivery_attempt")
    with op.batch_alter_table("assignment_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_member_employee_id"))

    op.drop_table("assignment_member")
    with op.batch_alter_table("victim_wish", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_victim_wish_case_id"))

    op.drop_table("victim_wish")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_subscription_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_status"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_next_attempt_at"))

    op.drop_table("outbox_message")
    with op.batch_alter_table("employee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employee_unit_id"))
        batch_op.drop_index(batch_op.f("ix_employee_supervisor_id"))
        batch_op.drop_index(batch_op.f("ix_employee_organisation_id"))

    op.drop_table("employee")
    with op.batch_alter_table("webhook_subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_subscription_client_id"))

    op.drop_table("webhook_subscription")
    with op.batch_alter_table("org_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_org_unit_parent_id"))
        batch_op.drop_index(batch_op.f("ix_org_unit_organisation_id"))

    op.drop_table("org_unit")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_organisation_id"))

    op.drop_table("assignment")
    op.drop_table("organisation")
