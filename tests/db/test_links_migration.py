"""ACC-2 (security review F3): revision 0015 moves an installation's existing links — a case's respondent and
protected persons, a separation order's two people and times, a retaliation flag's event, a case's ambassador,
webhook payloads and personnel events — to MACs and encrypted values under the master key, drops the plaintext
columns, refuses a wrong key before writing anything, and refuses to be undone while links are stored."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from app.db.encryption import Cipher
from app.db.engine import make_engine
from tests.conftest import MASTER_KEY
from tests.db.test_migrations import alembic_config, scratch_url  # noqa: F401 (the fixture)

KEY = base64.b64decode(MASTER_KEY)
U = sa.Uuid()


def _t(table: str, /, **columns: object) -> sa.TableClause:
    return sa.table(table, *(sa.column(c, t) for c, t in columns.items()))  # type: ignore[arg-type]


async def _run(fn, config, revision: str) -> None:  # type: ignore[no-untyped-def]
    await asyncio.to_thread(fn, config, revision)


async def _seed(url: str) -> dict[str, uuid.UUID]:
    """One of each kind of link, written as revision 0014 stored them."""
    ids = {name: uuid.uuid4() for name in ("org", "victim", "resp", "case", "order", "event", "flag", "amb", "link")}
    ids |= {name: uuid.uuid4() for name in ("person", "client", "subscription", "message", "violation")}
    at = datetime(2026, 11, 3, 7, 10, 36, 557, tzinfo=UTC)
    cipher = Cipher(KEY)
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            sa.insert(_t("organisation", id=U, external_id=sa.String(), name=sa.String(), kind=sa.String())),
            {"id": ids["org"], "external_id": "ORG-MIG", "name": "Org", "kind": "smg"},
        )
        employee = _t(
            "employee",
            id=U,
            employee_number=sa.String(),
            organisation_id=U,
            status=sa.String(),
            unit_effective_at=sa.DateTime(timezone=True),
            supervisor_effective_at=sa.DateTime(timezone=True),
            status_effective_at=sa.DateTime(timezone=True),
        )
        for name in ("victim", "resp"):
            await conn.execute(
                sa.insert(employee),
                {
                    "id": ids[name],
                    "employee_number": f"E-MIG-{name.upper()}",
                    "organisation_id": ids["org"],
                    "status": "active",
                    "unit_effective_at": at,
                    "supervisor_effective_at": at,
                    "status_effective_at": at,
                },
            )
        case = _t(
            "case_file",
            id=U,
            reference=sa.String(),
            status=sa.String(),
            team=sa.String(),
            category=sa.String(),
            opened_on=sa.Date(),
            received_at=sa.LargeBinary(),
            version=sa.Integer(),
            respondent_employee_id=U,
        )
        await conn.execute(
            sa.insert(case),
            {
                "id": ids["case"],
                "reference": "WU-MIGRA-00001",
                "status": "received",
                "team": "intake_counselling",
                "category": "sexual_harassment",
                "opened_on": at.date(),
                "received_at": cipher.encrypt(at.isoformat().encode(), "case_file.received_at"),
                "version": 1,
                "respondent_employee_id": ids["resp"],
            },
        )
        await conn.execute(
            sa.insert(_t("protected_person", id=U, case_id=U, employee_id=U, role=sa.String())),
            {"id": ids["person"], "case_id": ids["case"], "employee_id": ids["victim"], "role": "victim"},
        )
        await conn.execute(
            sa.insert(
                _t(
                    "separation_order",
                    id=U,
                    reference=sa.String(),
                    case_id=U,
                    victim_id=U,
                    respondent_id=U,
                    status=sa.String(),
                    connections=sa.JSON(),
                    opened_at=sa.DateTime(timezone=True),
                )
            ),
            {
                "id": ids["order"],
                "reference": "SO-MIGRA-00001",
                "case_id": ids["case"],
                "victim_id": ids["victim"],
                "respondent_id": ids["resp"],
                "status": "active",
                "connections": [],
                "opened_at": at,
            },
        )
        await conn.execute(
            sa.insert(
                _t(
                    "personnel_event",
                    id=U,
                    event_id=sa.String(),
                    employee_id=U,
                    kind=sa.String(),
                    effective_at=sa.DateTime(timezone=True),
                    received_at=sa.DateTime(timezone=True),
                    data=sa.JSON(),
                    outcome=sa.String(),
                )
            ),
            {
                "id": ids["event"],
                "event_id": "EV-MIG-1",
                "employee_id": ids["resp"],
                "kind": "transfer",
                "effective_at": at,
                "received_at": at,
                "data": {"unit": "U-X", "separation_order": "SO-MIGRA-00001"},
                "outcome": "applied",
            },
        )
        await conn.execute(
            sa.insert(
                _t(
                    "separation_violation",
                    id=U,
                    order_id=U,
                    kind=sa.String(),
                    event_id=U,
                    detected_at=sa.DateTime(timezone=True),
                )
            ),
            {
                "id": ids["violation"],
                "order_id": ids["order"],
                "kind": "same_unit",
                "event_id": ids["event"],
                "detected_at": at,
            },
        )
        await conn.execute(
            sa.insert(
                _t(
                    "retaliation_flag",
                    id=U,
                    event_id=U,
                    original_case_id=U,
                    review_case_id=U,
                    role=sa.String(),
                    created_at=sa.DateTime(timezone=True),
                )
            ),
            {
                "id": ids["flag"],
                "event_id": ids["event"],
                "original_case_id": ids["case"],
                "review_case_id": ids["case"],
                "role": "victim",
                "created_at": at,
            },
        )
        await conn.execute(
            sa.insert(
                _t(
                    "ambassador",
                    id=U,
                    public_name=sa.String(),
                    status=sa.String(),
                    designated_on=sa.Date(),
                    created_at=sa.DateTime(timezone=True),
                )
            ),
            {
                "id": ids["amb"],
                "public_name": "A. Mbassador",
                "status": "designated",
                "designated_on": at.date(),
                "created_at": at,
            },
        )
        await conn.execute(
            sa.insert(_t("case_ambassador", id=U, case_id=U, ambassador_id=U, linked_on=sa.Date())),
            {"id": ids["link"], "case_id": ids["case"], "ambassador_id": ids["amb"], "linked_on": at.date()},
        )
        await conn.execute(
            sa.insert(
                _t(
                    "machine_client",
                    id=U,
                    client_id=sa.String(),
                    name=sa.String(),
                    kind=sa.String(),
                    secret_hash=sa.String(),
                    scopes=sa.JSON(),
                    active=sa.Boolean(),
                    created_at=sa.DateTime(timezone=True),
                )
            ),
            {
                "id": ids["client"],
                "client_id": "hr-mig",
                "name": "HR",
                "kind": "hr_system",
                "secret_hash": "x",
                "scopes": [],
                "active": True,
                "created_at": at,
            },
        )
        await conn.execute(
            sa.insert(
                _t(
                    "webhook_subscription",
                    id=U,
                    client_id=U,
                    url=sa.String(),
                    secret=sa.LargeBinary(),
                    topics=sa.JSON(),
                    active=sa.Boolean(),
                    created_at=sa.DateTime(timezone=True),
                )
            ),
            {
                "id": ids["subscription"],
                "client_id": ids["client"],
                "url": "https://hr.example.test/hook",
                "secret": cipher.encrypt(b"s", "webhook_subscription.secret"),
                "topics": ["separation.order_opened"],
                "active": True,
                "created_at": at,
            },
        )
        await conn.execute(
            sa.insert(
                _t(
                    "outbox_message",
                    id=U,
                    subscription_id=U,
                    topic=sa.String(),
                    payload=sa.JSON(),
                    status=sa.String(),
                    attempts=sa.Integer(),
                    next_attempt_at=sa.DateTime(timezone=True),
                    created_at=sa.DateTime(timezone=True),
                )
            ),
            {
                "id": ids["message"],
                "subscription_id": ids["subscription"],
                "topic": "separation.order_opened",
                "payload": {"data": {"employee_numbers": ["E-MIG-RESP", "E-MIG-VICTIM"]}},
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": at,
                "created_at": at,
            },
        )
    await engine.dispose()
    return ids


async def test_acc_2_f3_migration_moves_existing_links_under_the_key(scratch_url: str) -> None:  # noqa: F811
    """ACC-2 (F3): an installation at 0014 holding links reaches 0015 with every link as a MAC and an encrypted id
    (the app's own, under its key), the order's times as days, payloads sealed and no plaintext column left; a
    wrong key stops the migration before anything changes; going back down is refused."""
    config = alembic_config(scratch_url)
    await _run(command.upgrade, config, "0014")
    ids = await _seed(scratch_url)

    config.attributes["master_key"] = b"\x07" * 32  # not the key the data was encrypted with
    with pytest.raises(RuntimeError, match="master key"):
        await _run(command.upgrade, config, "0015")
    config.attributes["master_key"] = lambda: KEY  # as `withu migrate` gives it: read only when needed
    await _run(command.upgrade, config, "0015")

    cipher = Cipher(KEY)

    def mac(number: str) -> str:
        return cipher.link_mac("employee", number)

    def opened(blob: bytes, context: str) -> uuid.UUID:
        return uuid.UUID(cipher.decrypt(bytes(blob), context).decode())

    engine = make_engine(scratch_url)
    async with engine.connect() as conn:

        async def one(sql: str) -> sa.Row:  # type: ignore[type-arg]
            return (await conn.execute(sa.text(sql))).one()

        case = await one("SELECT respondent_mac, respondent_employee_id FROM case_file")
        assert case[0] == mac("E-MIG-RESP")
        assert opened(case[1], "case_file.respondent_employee_id") == ids["resp"]
        person = await one("SELECT employee_mac, employee_id, role FROM protected_person")
        assert person[0] == mac("E-MIG-VICTIM") and person[2] == "victim"
        assert opened(person[1], "protected_person.employee_id") == ids["victim"]
        order = await one(
            "SELECT victim_mac, respondent_mac, victim_id, respondent_id, opened_on, closed_on FROM separation_order"
        )
        assert order[:2] == (mac("E-MIG-VICTIM"), mac("E-MIG-RESP"))
        assert opened(order[2], "separation_order.victim_id") == ids["victim"]
        assert opened(order[3], "separation_order.respondent_id") == ids["resp"]
        assert str(order[4]) == "2026-11-03" and order[5] is None
        violation = await one("SELECT event_id, detected_on FROM separation_violation")
        assert opened(violation[0], "separation_violation.event_id") == ids["event"]
        assert str(violation[1]) == "2026-11-03"
        flag = await one("SELECT event_mac, event_id, created_on FROM retaliation_flag")
        assert flag[0] == cipher.link_mac("personnel-event", ids["event"].hex)
        assert opened(flag[1], "retaliation_flag.event_id") == ids["event"] and str(flag[2]) == "2026-11-03"
        link = await one("SELECT ambassador_mac, ambassador_id FROM case_ambassador")
        assert link[0] == cipher.link_mac("ambassador", ids["amb"].hex)
        assert opened(link[1], "case_ambassador.ambassador_id") == ids["amb"]
        payload = await one("SELECT payload FROM outbox_message")
        assert json.loads(cipher.decrypt(bytes(payload[0]), "outbox_message.payload")) == {
            "data": {"employee_numbers": ["E-MIG-RESP", "E-MIG-VICTIM"]}
        }
        data = await one("SELECT data FROM personnel_event")
        event_data = json.loads(cipher.decrypt(bytes(data[0]), "personnel_event.data"))
        assert event_data["separation_order"] == "SO-MIGRA-00001"
        columns = await conn.run_sync(
            lambda c: {t: {col["name"] for col in sa.inspect(c).get_columns(t)} for t in ("separation_order", "case_file")}
        )
        assert {"opened_at", "closed_at"}.isdisjoint(columns["separation_order"])
        assert {"victim_mac", "respondent_mac"} <= columns["separation_order"] and "respondent_mac" in columns["case_file"]
    await engine.dispose()

    with pytest.raises(RuntimeError, match="cannot be undone"):
        await _run(command.downgrade, config, "0014")
