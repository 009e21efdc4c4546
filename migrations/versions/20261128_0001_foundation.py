"""foundation: teams, staff, clients, cases, reports, deadlines, messages, audit log, idempotency

Revision ID: 0001
Revises:
Create Date: 2026-11-28 11:37:50.932532
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TEAMS = [
    {"code": "intake_counselling", "name_ko": "접수·상담팀", "name_en": "Intake & counselling"},
    {"code": "investigation", "name_ko": "조사팀", "name_en": "Investigation"},
    {"code": "victim_support_legal", "name_ko": "피해자 지원·법률팀", "name_en": "Victim support & legal"},
    {"code": "prevention_education", "name_ko": "예방·교육팀", "name_en": "Prevention & education"},
]


def append_only_triggers(dialect: str) -> list[str]:
    """AUD-1: the database itself refuses to change or delete audit entries."""
    if dialect == "postgresql":
        return [
            """CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN RAISE EXCEPTION 'audit_entry is append-only'; END $$""",
            """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
               FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
        ]
    return [
        """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
           BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""",
        """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
           BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""",
    ]


def drop_append_only_triggers(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry",
            "DROP FUNCTION IF EXISTS audit_entry_append_only()",
        ]
    return ["DROP TRIGGER IF EXISTS audit_entry_no_update", "DROP TRIGGER IF EXISTS audit_entry_no_delete"]


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("target", sa.String(length=100), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_case_id"), ["case_id"], unique=False)

    op.create_table(
        "idempotency_record",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("request_mac", sa.String(length=64), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=False),
        sa.Column("sealed_response", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_idempotency_record")),
    )
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idempotency_record_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "machine_client",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("hr_system", "contractor_portal", name="clientkind", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("secret_hash", sa.String(length=200), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_machine_client")),
        sa.UniqueConstraint("client_id", name=op.f("uq_machine_client_client_id")),
    )
    op.create_table(
        "team",
        sa.Column(
            "code",
            sa.Enum(
                "intake_counselling",
                "investigation",
                "victim_support_legal",
                "prevention_education",
                name="team",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("name_ko", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_team")),
    )
    op.create_table(
        "case_file",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "triaged",
                "investigating",
                "decided",
                "closed",
                "withdrawn",
                name="casestatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "finding",
            sa.Enum(
                "substantiated",
                "not_substantiated",
                "insufficient_evidence",
                name="finding",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column(
            "team",
            sa.Enum(
                "intake_counselling",
                "investigation",
                "victim_support_legal",
                "prevention_education",
                name="team",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "category",
            sa.Enum(
                "sexual_harassment",
                "sexual_assault",
                "stalking",
                "online",
                "secondary_damage",
                "other",
                name="category",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "org_kind",
            sa.Enum(
                "smg",
                "affiliated",
                "contractor",
                "citizen_workplace",
                name="orgkind",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("received_at", sa.LargeBinary(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["team"], ["team.code"], name=op.f("fk_case_file_team_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_file")),
        sa.UniqueConstraint("reference", name=op.f("uq_case_file_reference")),
    )
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_file_opened_on"), ["opened_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_file_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_file_team"), ["team"], unique=False)

    op.create_table(
        "staff_user",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "intake",
                "investigator",
                "team_lead",
                "division_head",
                "hr_officer",
                "auditor",
                "sysadmin",
                name="role",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "team",
            sa.Enum(
                "intake_counselling",
                "investigation",
                "victim_support_legal",
                "prevention_education",
                name="team",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("employee_number", sa.String(length=40), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("totp_secret", sa.LargeBinary(), nullable=False),
        sa.Column("last_totp_step", sa.Integer(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team"], ["team.code"], name=op.f("fk_staff_user_team_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_user")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_user_email")),
    )
    op.create_table(
        "case_assignment",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_case_assignment_case_id_case_file")),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], name=op.f("fk_case_assignment_user_id_staff_user")),
        sa.PrimaryKeyConstraint("case_id", "user_id", name=op.f("pk_case_assignment")),
    )
    with op.batch_alter_table("case_assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_assignment_user_id"), ["user_id"], unique=False)

    op.create_table(
        "case_deadline",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "acknowledgement",
                "triage",
                "feedback",
                "investigation",
                "ministry_notification",
                "prevention_plan",
                name="deadlinekind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("met_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_case_deadline_case_id_case_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_deadline")),
        sa.UniqueConstraint("case_id", "kind", name=op.f("uq_case_deadline_case_id")),
    )
    with op.batch_alter_table("case_deadline", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_deadline_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_deadline_due_on"), ["due_on"], unique=False)

    op.create_table(
        "case_message",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column(
            "author",
            sa.Enum("reporter", "staff", "system", name="messageauthor", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("author_user_id", sa.Uuid(), nullable=True),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["staff_user.id"], name=op.f("fk_case_message_author_user_id_staff_user")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_case_message_case_id_case_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_message")),
        sa.UniqueConstraint("case_id", "seq", name=op.f("uq_case_message_case_id")),
    )
    with op.batch_alter_table("case_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_message_case_id"), ["case_id"], unique=False)

    op.create_table(
        "report",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "reporter_kind",
            sa.Enum("victim", "third_party", name="reporterkind", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column(
            "identity_mode",
            sa.Enum("anonymous", "confidential", "named", name="identitymode", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("locator", sa.String(length=16), nullable=False),
        sa.Column("receipt_hash", sa.String(length=200), nullable=False),
        sa.Column("receipt_failures", sa.Integer(), nullable=False),
        sa.Column("receipt_locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("narrative", sa.LargeBinary(), nullable=False),
        sa.Column("identity", sa.LargeBinary(), nullable=True),
        sa.Column("details", sa.LargeBinary(), nullable=False),
        sa.Column("respondent_key", sa.String(length=64), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_report_case_id_case_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
        sa.UniqueConstraint("locator", name=op.f("uq_report_locator")),
    )
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_respondent_key"), ["respondent_key"], unique=False)

    op.create_table(
        "staff_session",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], name=op.f("fk_staff_session_user_id_staff_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_session")),
    )
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_session_user_id"), ["user_id"], unique=False)

    op.create_table(
        "refresh_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"], ["staff_session.id"], name=op.f("fk_refresh_token_session_id_staff_session")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_token_token_hash")),
    )
    with op.batch_alter_table("refresh_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refresh_token_session_id"), ["session_id"], unique=False)
    team = sa.table(
        "team", sa.column("code", sa.String), sa.column("name_ko", sa.String), sa.column("name_en", sa.String)
    )
    op.bulk_insert(team, TEAMS)
    for statement in append_only_triggers(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_append_only_triggers(op.get_bind().dialect.name):
        op.execute(statement)
    with op.batch_alter_table("refresh_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_token_session_id"))

    op.drop_table("refresh_token")
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_session_user_id"))

    op.drop_table("staff_session")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_respondent_key"))
        batch_op.drop_index(batch_op.f("ix_report_case_id"))

    op.drop_table("report")
    with op.batch_alter_table("case_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_message_case_id"))

    op.drop_table("case_message")
    with op.batch_alter_table("case_deadline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_deadline_due_on"))
        batch_op.drop_index(batch_op.f("ix_case_deadline_case_id"))

    op.drop_table("case_deadline")
    with op.batch_alter_table("case_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_assignment_user_id"))

    op.drop_table("case_assignment")
    op.drop_table("staff_user")
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_file_team"))
        batch_op.drop_index(batch_op.f("ix_case_file_status"))
        batch_op.drop_index(batch_op.f("ix_case_file_opened_on"))

    op.drop_table("case_file")
    op.drop_table("team")
    op.drop_table("machine_client")
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_record_expires_at"))

    op.drop_table("idempotency_record")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_case_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_action"))

    op.drop_table("audit_entry")
