"""links by MAC: no case or order names an employee in plaintext; days instead of times (ACC-2, security review F3)

A dump without the master key named the victims, witnesses, reporters and respondents of cases and separation orders
(plain foreign keys into the employee directory) and dated orders to the microsecond. Every such link is now stored
as a keyed MAC (look-ups; HMAC-SHA256 under the link key derived from the master key, app.db.links) and, where it is
read back, as the encrypted id (EncryptedUuid); the plaintext columns are dropped:

- case_file.respondent_employee_id       -> respondent_mac + respondent_employee_id (encrypted)
- protected_person.employee_id           -> employee_mac + employee_id (encrypted); unique (case_id, employee_mac, role)
- separation_order.victim_id/respondent_id -> victim_mac/respondent_mac + encrypted ids; unique by MACs;
  opened_at/closed_at -> opened_on/closed_on (dates, UTC)
- separation_violation.event_id (encrypted), detected_at -> detected_on
- retaliation_flag.event_id -> event_mac + event_id (encrypted), created_at -> created_on; unique (event_mac, case)
- sanction.respondent_employee_id, head_measure.head_employee_id (encrypted)
- respondent_ineligibility.employee_id -> employee_mac (unique) + employee_id (encrypted)
- case_ambassador.ambassador_id -> ambassador_mac + ambassador_id (encrypted); unique (case_id, ambassador_mac)
- outbox_message.payload, personnel_event.data (encrypted JSON: they name employees beside orders and sanctions)

Existing rows are moved with the master key at migration time: the one `withu migrate` is given (the settings'),
else the one the app has configured, else the settings' as the app reads it (WITHU_MASTER_KEY or the key file). The
key is checked against a stored ciphertext first; an empty database needs no key.

Downgrade: restores the old schema on a database without such rows, and refuses otherwise — writing the links back
in plaintext is exactly what this revision exists to prevent (restore a backup taken before the upgrade instead).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 12:00:00
"""

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import context, op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MAC = sa.String(64)
MOVED = (
    "case_file",
    "protected_person",
    "separation_order",
    "separation_violation",
    "retaliation_flag",
    "sanction",
    "head_measure",
    "respondent_ineligibility",
    "case_ambassador",
    "outbox_message",
    "personnel_event",
)


class _Keys:
    """The master key's cipher, obtained only when a row has to move."""

    def __init__(self) -> None:
        self._cipher: Any = None

    def cipher(self) -> Any:
        if self._cipher is None:
            from app.db import encryption

            provided = context.config.attributes.get("master_key")
            if provided is not None:
                self._cipher = encryption.Cipher(provided() if callable(provided) else provided)
            else:
                try:
                    self._cipher = encryption.cipher()
                except RuntimeError:
                    from app.settings import Settings

                    self._cipher = encryption.Cipher(Settings().load_master_key())
            _check_key(self._cipher)
        return self._cipher

    def seal(self, value: uuid.UUID | None, context_name: str) -> bytes | None:
        # As app.db.encryption.EncryptedUuid stores it.
        return None if value is None else self.cipher().encrypt(value.hex.encode(), context_name)

    def seal_json(self, value: Any, context_name: str) -> bytes:
        # As app.db.encryption.EncryptedJSON stores it.
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        return self.cipher().encrypt(text.encode(), context_name)

    def mac(self, kind: str, value: str) -> str:
        return self.cipher().link_mac(kind, value)


def _check_key(cipher: Any) -> None:
    """Refuse a wrong key before anything is written: it must open what the app has encrypted already."""
    row = op.get_bind().execute(sa.text("SELECT received_at FROM case_file LIMIT 1")).first()
    if row is not None:
        try:
            cipher.decrypt(bytes(row[0]), "case_file.received_at")
        except Exception as exc:
            raise RuntimeError("the master key given does not open this database's data: migration stopped") from exc


def _day(value: datetime | None) -> date | None:
    if value is None:
        return None
    return (value if value.tzinfo is None else value.astimezone(UTC)).date()


def _rows(table: str, columns: dict[str, Any], where: str | None = None) -> list[sa.Row[Any]]:
    t = sa.table(table, *(sa.column(name, type_) for name, type_ in columns.items()))
    query = sa.select(*t.c)
    if where is not None:
        query = query.where(t.c[where].is_not(None))
    return list(op.get_bind().execute(query))


def _update(table: str, rows: Iterable[dict[str, Any]], types: dict[str, Any]) -> None:
    batch = list(rows)
    if not batch:
        return
    t = sa.table(table, sa.column("id", sa.Uuid()), *(sa.column(name, type_) for name, type_ in types.items()))
    statement = sa.update(t).where(t.c.id == sa.bindparam("_id")).values({n: sa.bindparam(n) for n in types})
    op.get_bind().execute(statement, batch)


def _move(table: str, old: dict[str, Any], new: dict[str, Any], compute: Callable[[Any], dict[str, Any]]) -> None:
    rows = _rows(table, {"id": sa.Uuid(), **old})
    _update(table, ({"_id": r.id, **compute(r)} for r in rows), new)


def upgrade() -> None:
    keys = _Keys()
    numbers: dict[uuid.UUID, str] = {
        r.id: r.employee_number for r in _rows("employee", {"id": sa.Uuid(), "employee_number": sa.String()})
    }

    def employee_mac(employee_id: uuid.UUID) -> str:
        return keys.mac("employee", numbers[employee_id])

    # 1. The new columns, nullable while they are filled (temporary names where an old one keeps its name).
    additions = {
        "case_file": [("respondent_mac", MAC), ("respondent_sealed", sa.LargeBinary())],
        "protected_person": [("employee_mac", MAC), ("employee_sealed", sa.LargeBinary())],
        "separation_order": [
            ("victim_mac", MAC),
            ("respondent_mac", MAC),
            ("victim_sealed", sa.LargeBinary()),
            ("respondent_sealed", sa.LargeBinary()),
            ("opened_on", sa.Date()),
            ("closed_on", sa.Date()),
        ],
        "separation_violation": [("event_sealed", sa.LargeBinary()), ("detected_on", sa.Date())],
        "retaliation_flag": [("event_mac", MAC), ("event_sealed", sa.LargeBinary()), ("created_on", sa.Date())],
        "sanction": [("respondent_sealed", sa.LargeBinary())],
        "head_measure": [("head_sealed", sa.LargeBinary())],
        "respondent_ineligibility": [("employee_mac", MAC), ("employee_sealed", sa.LargeBinary())],
        "case_ambassador": [("ambassador_mac", MAC), ("ambassador_sealed", sa.LargeBinary())],
        "outbox_message": [("payload_sealed", sa.LargeBinary())],
        "personnel_event": [("data_sealed", sa.LargeBinary())],
    }
    for table, columns in additions.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, type_ in columns:
                batch_op.add_column(sa.Column(name, type_, nullable=True))

    # 2. The data, moved with the key.
    blob, day, uid = sa.LargeBinary(), sa.Date(), sa.Uuid()
    rows = _rows("case_file", {"id": uid, "respondent_employee_id": uid}, where="respondent_employee_id")
    _update(
        "case_file",
        (
            {
                "_id": r.id,
                "respondent_mac": employee_mac(r.respondent_employee_id),
                "respondent_sealed": keys.seal(r.respondent_employee_id, "case_file.respondent_employee_id"),
            }
            for r in rows
        ),
        {"respondent_mac": MAC, "respondent_sealed": blob},
    )
    _move(
        "protected_person",
        {"employee_id": uid},
        {"employee_mac": MAC, "employee_sealed": blob},
        lambda r: {
            "employee_mac": employee_mac(r.employee_id),
            "employee_sealed": keys.seal(r.employee_id, "protected_person.employee_id"),
        },
    )
    _move(
        "separation_order",
        {"victim_id": uid, "respondent_id": uid, "opened_at": sa.DateTime(), "closed_at": sa.DateTime()},
        {
            "victim_mac": MAC,
            "respondent_mac": MAC,
            "victim_sealed": blob,
            "respondent_sealed": blob,
            "opened_on": day,
            "closed_on": day,
        },
        lambda r: {
            "victim_mac": employee_mac(r.victim_id),
            "respondent_mac": employee_mac(r.respondent_id),
            "victim_sealed": keys.seal(r.victim_id, "separation_order.victim_id"),
            "respondent_sealed": keys.seal(r.respondent_id, "separation_order.respondent_id"),
            "opened_on": _day(r.opened_at),
            "closed_on": _day(r.closed_at),
        },
    )
    _move(
        "separation_violation",
        {"event_id": uid, "detected_at": sa.DateTime()},
        {"event_sealed": blob, "detected_on": day},
        lambda r: {
            "event_sealed": keys.seal(r.event_id, "separation_violation.event_id"),
            "detected_on": _day(r.detected_at),
        },
    )
    _move(
        "retaliation_flag",
        {"event_id": uid, "created_at": sa.DateTime()},
        {"event_mac": MAC, "event_sealed": blob, "created_on": day},
        lambda r: {
            "event_mac": keys.mac("personnel-event", r.event_id.hex),
            "event_sealed": keys.seal(r.event_id, "retaliation_flag.event_id"),
            "created_on": _day(r.created_at),
        },
    )
    _move(
        "sanction",
        {"respondent_employee_id": uid},
        {"respondent_sealed": blob},
        lambda r: {"respondent_sealed": keys.seal(r.respondent_employee_id, "sanction.respondent_employee_id")},
    )
    _move(
        "head_measure",
        {"head_employee_id": uid},
        {"head_sealed": blob},
        lambda r: {"head_sealed": keys.seal(r.head_employee_id, "head_measure.head_employee_id")},
    )
    _move(
        "respondent_ineligibility",
        {"employee_id": uid},
        {"employee_mac": MAC, "employee_sealed": blob},
        lambda r: {
            "employee_mac": employee_mac(r.employee_id),
            "employee_sealed": keys.seal(r.employee_id, "respondent_ineligibility.employee_id"),
        },
    )
    _move(
        "case_ambassador",
        {"ambassador_id": uid},
        {"ambassador_mac": MAC, "ambassador_sealed": blob},
        lambda r: {
            "ambassador_mac": keys.mac("ambassador", r.ambassador_id.hex),
            "ambassador_sealed": keys.seal(r.ambassador_id, "case_ambassador.ambassador_id"),
        },
    )
    _move(
        "outbox_message",
        {"payload": sa.JSON()},
        {"payload_sealed": blob},
        lambda r: {"payload_sealed": keys.seal_json(r.payload, "outbox_message.payload")},
    )
    _move(
        "personnel_event",
        {"data": sa.JSON()},
        {"data_sealed": blob},
        lambda r: {"data_sealed": keys.seal_json(r.data, "personnel_event.data")},
    )

    # 3. The plaintext columns go; the sealed ones take their names.
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_file_respondent_employee_id"))
        batch_op.drop_constraint(batch_op.f("fk_case_file_respondent_employee_id_employee"), type_="foreignkey")
        batch_op.drop_column("respondent_employee_id")
        batch_op.alter_column("respondent_sealed", new_column_name="respondent_employee_id")
        batch_op.create_index(batch_op.f("ix_case_file_respondent_mac"), ["respondent_mac"], unique=False)

    with op.batch_alter_table("protected_person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_protected_person_employee_id"))
        batch_op.drop_constraint(batch_op.f("uq_protected_person_case_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_protected_person_employee_id_employee"), type_="foreignkey")
        batch_op.drop_column("employee_id")
        batch_op.alter_column("employee_sealed", new_column_name="employee_id", nullable=False)
        batch_op.alter_column("employee_mac", existing_type=MAC, nullable=False)
        batch_op.create_index(batch_op.f("ix_protected_person_employee_mac"), ["employee_mac"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_protected_person_case_id"), ["case_id", "employee_mac", "role"]
        )

    with op.batch_alter_table("separation_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_separation_order_victim_id"))
        batch_op.drop_index(batch_op.f("ix_separation_order_respondent_id"))
        batch_op.drop_constraint(batch_op.f("uq_separation_order_case_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_separation_order_victim_id_employee"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_separation_order_respondent_id_employee"), type_="foreignkey")
        for name in ("victim_id", "respondent_id", "opened_at", "closed_at"):
            batch_op.drop_column(name)
        batch_op.alter_column("victim_sealed", new_column_name="victim_id", nullable=False)
        batch_op.alter_column("respondent_sealed", new_column_name="respondent_id", nullable=False)
        for name in ("victim_mac", "respondent_mac"):
            batch_op.alter_column(name, existing_type=MAC, nullable=False)
        batch_op.alter_column("opened_on", existing_type=sa.Date(), nullable=False)
        batch_op.create_index(batch_op.f("ix_separation_order_victim_mac"), ["victim_mac"], unique=False)
        batch_op.create_index(batch_op.f("ix_separation_order_respondent_mac"), ["respondent_mac"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_separation_order_case_id"), ["case_id", "victim_mac", "respondent_mac"]
        )

    with op.batch_alter_table("separation_violation", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_separation_violation_event_id_personnel_event"), type_="foreignkey")
        batch_op.drop_column("event_id")
        batch_op.drop_column("detected_at")
        batch_op.alter_column("event_sealed", new_column_name="event_id")
        batch_op.alter_column("detected_on", existing_type=sa.Date(), nullable=False)

    with op.batch_alter_table("retaliation_flag", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_retaliation_flag_event_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_retaliation_flag_event_id_personnel_event"), type_="foreignkey")
        batch_op.drop_column("event_id")
        batch_op.drop_column("created_at")
        batch_op.alter_column("event_sealed", new_column_name="event_id", nullable=False)
        batch_op.alter_column("event_mac", existing_type=MAC, nullable=False)
        batch_op.alter_column("created_on", existing_type=sa.Date(), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_retaliation_flag_event_mac"), ["event_mac", "original_case_id"]
        )

    with op.batch_alter_table("sanction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sanction_respondent_employee_id"))
        batch_op.drop_constraint(batch_op.f("fk_sanction_respondent_employee_id_employee"), type_="foreignkey")
        batch_op.drop_column("respondent_employee_id")
        batch_op.alter_column("respondent_sealed", new_column_name="respondent_employee_id")

    with op.batch_alter_table("head_measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_head_measure_head_employee_id"))
        batch_op.drop_constraint(batch_op.f("fk_head_measure_head_employee_id_employee"), type_="foreignkey")
        batch_op.drop_column("head_employee_id")
        batch_op.alter_column("head_sealed", new_column_name="head_employee_id")

    with op.batch_alter_table("respondent_ineligibility", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_respondent_ineligibility_employee_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_respondent_ineligibility_employee_id_employee"), type_="foreignkey")
        batch_op.drop_column("employee_id")
        batch_op.alter_column("employee_sealed", new_column_name="employee_id", nullable=False)
        batch_op.alter_column("employee_mac", existing_type=MAC, nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_respondent_ineligibility_employee_mac"), ["employee_mac"])

    with op.batch_alter_table("case_ambassador", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_ambassador_ambassador_id"))
        batch_op.drop_constraint(batch_op.f("uq_case_ambassador_case_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_case_ambassador_ambassador_id_ambassador"), type_="foreignkey")
        batch_op.drop_column("ambassador_id")
        batch_op.alter_column("ambassador_sealed", new_column_name="ambassador_id", nullable=False)
        batch_op.alter_column("ambassador_mac", existing_type=MAC, nullable=False)
        batch_op.create_index(batch_op.f("ix_case_ambassador_ambassador_mac"), ["ambassador_mac"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_case_ambassador_case_id"), ["case_id", "ambassador_mac"])

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("payload")
        batch_op.alter_column("payload_sealed", new_column_name="payload", nullable=False)

    with op.batch_alter_table("personnel_event", schema=None) as batch_op:
        batch_op.drop_column("data")
        batch_op.alter_column("data_sealed", new_column_name="data", nullable=False)


def downgrade() -> None:
    bind = op.get_bind()
    held = [
        table
        for table in MOVED
        if table != "case_file" and bind.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first()  # noqa: S608
    ]
    respondents = bind.execute(
        sa.text("SELECT 1 FROM case_file WHERE respondent_employee_id IS NOT NULL LIMIT 1")
    ).first()
    if held or respondents:
        raise RuntimeError(
            "0015 cannot be undone on a database holding links (" + ", ".join(held or ["case_file"]) + "): it would"
            " write them back in plaintext. Restore the backup taken before the upgrade instead."
        )
    uid = sa.Uuid()
    with op.batch_alter_table("personnel_event", schema=None) as batch_op:
        batch_op.drop_column("data")
        batch_op.add_column(sa.Column("data", sa.JSON(), nullable=False))

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("payload")
        batch_op.add_column(sa.Column("payload", sa.JSON(), nullable=False))

    with op.batch_alter_table("case_ambassador", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_case_ambassador_case_id"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_case_ambassador_ambassador_mac"))
        batch_op.drop_column("ambassador_mac")
        batch_op.drop_column("ambassador_id")
        batch_op.add_column(sa.Column("ambassador_id", uid, nullable=False))
        batch_op.create_foreign_key(
            batch_op.f("fk_case_ambassador_ambassador_id_ambassador"), "ambassador", ["ambassador_id"], ["id"]
        )
        batch_op.create_unique_constraint(batch_op.f("uq_case_ambassador_case_id"), ["case_id", "ambassador_id"])
        batch_op.create_index(batch_op.f("ix_case_ambassador_ambassador_id"), ["ambassador_id"], unique=False)

    with op.batch_alter_table("respondent_ineligibility", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_respondent_ineligibility_employee_mac"), type_="unique")
        batch_op.drop_column("employee_mac")
        batch_op.drop_column("employee_id")
        batch_op.add_column(sa.Column("employee_id", uid, nullable=False))
        batch_op.create_foreign_key(
            batch_op.f("fk_respondent_ineligibility_employee_id_employee"), "employee", ["employee_id"], ["id"]
        )
        batch_op.create_unique_constraint(batch_op.f("uq_respondent_ineligibility_employee_id"), ["employee_id"])

    with op.batch_alter_table("head_measure", schema=None) as batch_op:
        batch_op.drop_column("head_employee_id")
        batch_op.add_column(sa.Column("head_employee_id", uid, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_head_measure_head_employee_id_employee"), "employee", ["head_employee_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_head_measure_head_employee_id"), ["head_employee_id"], unique=False)

    with op.batch_alter_table("sanction", schema=None) as batch_op:
        batch_op.drop_column("respondent_employee_id")
        batch_op.add_column(sa.Column("respondent_employee_id", uid, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_sanction_respondent_employee_id_employee"), "employee", ["respondent_employee_id"], ["id"]
        )
        batch_op.create_index(
            batch_op.f("ix_sanction_respondent_employee_id"), ["respondent_employee_id"], unique=False
        )

    with op.batch_alter_table("retaliation_flag", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_retaliation_flag_event_mac"), type_="unique")
        for name in ("event_mac", "event_id", "created_on"):
            batch_op.drop_column(name)
        batch_op.add_column(sa.Column("event_id", uid, nullable=False))
        batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=False))
        batch_op.create_foreign_key(
            batch_op.f("fk_retaliation_flag_event_id_personnel_event"), "personnel_event", ["event_id"], ["id"]
        )
        batch_op.create_unique_constraint(batch_op.f("uq_retaliation_flag_event_id"), ["event_id", "original_case_id"])

    with op.batch_alter_table("separation_violation", schema=None) as batch_op:
        batch_op.drop_column("event_id")
        batch_op.drop_column("detected_on")
        batch_op.add_column(sa.Column("event_id", uid, nullable=True))
        batch_op.add_column(sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False))
        batch_op.create_foreign_key(
            batch_op.f("fk_separation_violation_event_id_personnel_event"), "personnel_event", ["event_id"], ["id"]
        )

    with op.batch_alter_table("separation_order", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_separation_order_case_id"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_separation_order_respondent_mac"))
        batch_op.drop_index(batch_op.f("ix_separation_order_victim_mac"))
        for name in ("victim_mac", "respondent_mac", "victim_id", "respondent_id", "opened_on", "closed_on"):
            batch_op.drop_column(name)
        batch_op.add_column(sa.Column("victim_id", uid, nullable=False))
        batch_op.add_column(sa.Column("respondent_id", uid, nullable=False))
        batch_op.add_column(sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_separation_order_victim_id_employee"), "employee", ["victim_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_separation_order_respondent_id_employee"), "employee", ["respondent_id"], ["id"]
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_separation_order_case_id"), ["case_id", "victim_id", "respondent_id"]
        )
        batch_op.create_index(batch_op.f("ix_separation_order_victim_id"), ["victim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_separation_order_respondent_id"), ["respondent_id"], unique=False)

    with op.batch_alter_table("protected_person", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_protected_person_case_id"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_protected_person_employee_mac"))
        batch_op.drop_column("employee_mac")
        batch_op.drop_column("employee_id")
        batch_op.add_column(sa.Column("employee_id", uid, nullable=False))
        batch_op.create_foreign_key(
            batch_op.f("fk_protected_person_employee_id_employee"), "employee", ["employee_id"], ["id"]
        )
        batch_op.create_unique_constraint(batch_op.f("uq_protected_person_case_id"), ["case_id", "employee_id", "role"])
        batch_op.create_index(batch_op.f("ix_protected_person_employee_id"), ["employee_id"], unique=False)

    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_file_respondent_mac"))
        batch_op.drop_column("respondent_mac")
        batch_op.drop_column("respondent_employee_id")
        batch_op.add_column(sa.Column("respondent_employee_id", uid, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_case_file_respondent_employee_id_employee"), "employee", ["respondent_employee_id"], ["id"]
        )
        batch_op.create_index(
            batch_op.f("ix_case_file_respondent_employee_id"), ["respondent_employee_id"], unique=False
        )
