"""Webhook payloads against the published JSON Schema (docs/webhook-payloads.schema.json): every topic WithU
publishes is described, and the payloads the code really produces validate (SEP-4, SEP-5, SEP-6, SAN-5)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest
from sqlalchemy import select

from app.cli import ROOT
from app.db.models import OutboxMessage
from app.domain.enums import Role, Team
from app.services.outbox import TOPICS
from tests.api.test_sanctions import decision, opinion, propose, queued, subscribe, world
from tests.builders import login, make_staff
from tests.directory import machine_headers

SCHEMA = json.loads((ROOT / "docs" / "webhook-payloads.schema.json").read_text())


def validator() -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(SCHEMA)
    cls.check_schema(SCHEMA)
    return cls(SCHEMA, format_checker=cls.FORMAT_CHECKER)


def test_the_schema_describes_every_topic() -> None:
    """Every topic of app.services.outbox.TOPICS has a payload schema, and the schema names no other."""
    assert set(SCHEMA["properties"]["type"]["enum"]) == set(TOPICS)
    assert set(SCHEMA["$defs"]) == set(TOPICS)


def event(topic: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "type": topic, "created_at": datetime.now(UTC).isoformat(), "data": data}


@pytest.mark.parametrize(
    ("topic", "data"),
    [
        ("respondent.ineligible", {"employee_number": "E1", "recorded_on": "2026-11-28", "victim": "x"}),
        (
            "sanction.decided",
            {
                "sanction_id": str(uuid.uuid4()),
                "employee_number": "E1",
                "level": "suspension",
                "months": None,
                "decided_on": "2026-11-28",
                "ineligible_for_performance_bonus": True,
                "ineligible_for_key_posts": True,
            },
        ),
        (
            "sanction.decided",
            {
                "sanction_id": str(uuid.uuid4()),
                "employee_number": "E1",
                "level": "reprimand",
                "months": None,
                "decided_on": "2026-11-28",
                "ineligible_for_performance_bonus": True,
                "ineligible_for_key_posts": True,
                "case_reference": "WU-ABCDE-12345",
            },
        ),
        ("separation.order_ended", {"order_reference": "WU-ABCDE-12345"}),
        ("case.opened", {}),
    ],
)
def test_the_schema_refuses_what_must_not_be_sent(topic: str, data: dict[str, Any]) -> None:
    """Missing fields, extra fields (case content has no place), a suspension without months, a case reference
    where an order's belongs, an unknown topic: all invalid."""
    assert not validator().is_valid(event(topic, data))


async def test_real_payloads_validate(client, uow_factory) -> None:
    """The payloads produced by separation orders (opened, violation, lifted, ended) and by sanctions (decided,
    ineligibility) validate against the schema — and so does every other payload in the outbox."""
    subscription = await subscribe(client, uow_factory, *(t for t in TOPICS if not t.startswith("contract.")))
    hr = await machine_headers(client, uow_factory, "personnel:write")
    w = await world(client, uow_factory)  # the report names victim and respondent: an order opens
    sanction = (await propose(client, w.handler, w.case_id, level="salary_reduction", months=3)).json()
    await opinion(client, w.handler, w.case_id)
    assert (await decision(client, w.lead, w.case_id, sanction["id"])).status_code == 200
    heavy = (await propose(client, w.handler, w.case_id, level="dismissal")).json()
    assert (await decision(client, w.head, w.case_id, heavy["id"])).status_code == 200
    number = w.org.employees
    moved = await client.post(
        "/api/v1/personnel/events", json=[_event(number["resp"], "transfer", {"unit": w.org.units["V"]})], headers=hr
    )
    assert moved.status_code == 200, moved.text
    order = (await client.get(f"/api/v1/cases/{w.case_id}/separation", headers=w.lead)).json()["orders"][0]
    lifted = await client.post(
        f"/api/v1/cases/{w.case_id}/separation/orders/{order['id']}/lift",
        json={"reason": "Decided with the victim informed."},
        headers=w.lead,
    )
    assert lifted.status_code == 204
    second = await world(client, uow_factory)
    retired = await client.post(
        "/api/v1/personnel/events", json=[_event(second.org.employees["resp"], "retirement")], headers=hr
    )
    assert retired.status_code == 200
    educator = await login(client, await make_staff(uow_factory, role=Role.intake, team=Team.prevention_education))
    reminded = await client.post("/api/v1/education/reminders", json={"year": 2026}, headers=educator)  # MAN-3
    assert reminded.status_code == 200, reminded.text

    check = validator()
    produced: dict[str, int] = {}
    for topic in TOPICS:
        for payload in await queued(uow_factory, subscription, topic):
            errors = [e.message for e in check.iter_errors(payload)]
            assert errors == [], (topic, errors)
            produced[topic] = produced.get(topic, 0) + 1
    assert set(produced) == {t for t in TOPICS if not t.startswith("contract.")}, produced
    assert produced["sanction.decided"] == 2
    async with uow_factory() as uow:
        everything = (await uow.session.scalars(select(OutboxMessage.payload))).all()
    # whatever other tests of this run produced (contract notices included); a purged payload (delivered long ago,
    # DATA-1) is gone
    for payload in (p for p in everything if p is not None):
        assert check.is_valid(payload), payload["type"]


def _event(number: str, kind: str, data: dict | None = None) -> dict[str, Any]:
    return {
        "event_id": f"ev-{uuid.uuid4().hex}",
        "employee_number": number,
        "kind": kind,
        "effective_at": datetime.now(UTC).isoformat(),
        **({"data": data} if data is not None else {}),
    }
