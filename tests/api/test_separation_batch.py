"""SEP-4 for a draft placement list (issue 17, "the reshuffle"): `POST /api/v1/separation/check-batch`.

The batch answers each placement as the single check would answer it once every other placement of the batch is
applied. The model test proves exactly that on generated directories: for each placement, the other (applicable)
placements are written into the directory in a transaction, the single check (`separation.check_placement`) is
asked, and its answer (refusals, or the problem it raises) must equal the batch's. The targeted tests show the
combinations a one-by-one check cannot see, the minimal answers (SEP-4), the one audit entry (AUD-1), and the
refused input (problem+json, never a 500)."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select, update

from app.db.links import employee_mac
from app.db.models import (
    Assignment,
    AssignmentMember,
    AuditEntry,
    Case,
    Employee,
    Organisation,
    OrgUnit,
    SeparationOrder,
)
from app.domain.enums import (
    AssignmentKind,
    CaseOrigin,
    CaseStatus,
    Category,
    ClientKind,
    EmployeeStatus,
    OrderStatus,
    OrgKind,
    Team,
)
from app.domain.errors import DomainError
from app.schemas.separation import BatchResult, PlacementBatch, PlacementCheck
from app.services import audit, separation, separation_batch
from app.services.actors import ClientActor
from app.services.auth import create_client
from tests.directory import EPOCH, Org, machine_headers, make_org

URL = "/api/v1/separation/check-batch"
DIRECTORIES = 30


# --- helpers ------------------------------------------------------------------------------------------------------


async def add_order(
    uow_factory, org: Org, victim: str, respondent: str, status: OrderStatus = OrderStatus.active
) -> str:  # type: ignore[no-untyped-def]
    """An order between two people of `org`, as SEP-1 stores it (a case and the order; people by MAC and id)."""
    tag = uuid.uuid4().hex[:8].upper()
    case = Case(
        id=uuid.uuid4(),
        reference=f"WU-{tag}",
        status=CaseStatus.received,
        team=Team.intake_counselling,
        category=Category.sexual_harassment,
        opened_on=EPOCH.date(),
        received_at=EPOCH.isoformat(),
        origin=CaseOrigin.report,
        respondent_mac=employee_mac(org.employees[respondent]),
        respondent_employee_id=org.ids[respondent],
        sealed=False,
    )
    order = SeparationOrder(
        reference=f"SO-{tag}",
        case_id=case.id,
        victim_mac=employee_mac(org.employees[victim]),
        respondent_mac=employee_mac(org.employees[respondent]),
        victim_id=org.ids[victim],
        respondent_id=org.ids[respondent],
        status=status,
        connections=[],
        opened_on=date(2026, 1, 1),
    )
    async with uow_factory() as uow:
        uow.session.add(case)
        await uow.session.flush()
        uow.session.add(order)
        await uow.commit()
    return order.reference


async def batch(
    client: httpx.AsyncClient, headers: dict[str, str], *placements: dict[str, str]
) -> list[dict[str, Any]]:
    response = await client.post(URL, json={"placements": list(placements)}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["results"]) == len(placements)
    return body["results"]


async def single(client: httpx.AsyncClient, headers: dict[str, str], placement: dict[str, str]) -> dict[str, Any]:
    response = await client.post("/api/v1/separation/check", json=placement, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def reasons(result: dict[str, Any]) -> set[str]:
    return {r["reason"] for r in result["refusals"]}


@pytest.fixture
async def hr(client, uow_factory) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return await machine_headers(client, uow_factory, "separation:check")


# --- the combinations a one-by-one check cannot see ---------------------------------------------------------------


async def test_sep_4_two_moves_into_one_unit_are_refused_together(client, uow_factory, hr) -> None:  # type: ignore[no-untyped-def]
    """SEP-2, SEP-4: victim and respondent (in different units) both moved into unit Z: each move alone is allowed,
    the two in one batch are both refused, same unit, naming the order."""
    org = await make_org(
        uow_factory, units={"X": None, "Y": None, "Z": None}, people={"v": ("X", None), "r": ("Y", None)}
    )
    reference = await add_order(uow_factory, org, "v", "r")
    to_z = [{"employee_number": org.employees[p], "unit": org.units["Z"]} for p in ("v", "r")]
    assert [(await single(client, hr, p))["allowed"] for p in to_z] == [True, True]
    results = await batch(client, hr, *to_z)
    for result, placement in zip(results, to_z, strict=True):
        assert result == {
            "employee_number": placement["employee_number"],
            "allowed": False,
            "refusals": [{"order_reference": reference, "reason": "separated-same-unit"}],
            "problem": None,
        }
    # Only one of them moving there: allowed (the other one stays where they are).
    alone, staying = await batch(client, hr, to_z[0], {"employee_number": org.employees["r"]})
    assert alone["allowed"] is True and staying["allowed"] is True


async def test_sep_4_new_supervisor_who_moves_too(client, uow_factory, hr) -> None:  # type: ignore[no-untyped-def]
    """SEP-2, SEP-4: the victim gets supervisor S while S moves under the respondent: the respondent ends up above
    the victim. Each placement alone is allowed; together both are refused (chain of command)."""
    org = await make_org(
        uow_factory,
        units={"X": None, "Y": None},
        people={"v": ("X", None), "s": ("X", None), "r": ("Y", None), "boss": ("X", None)},
    )
    reference = await add_order(uow_factory, org, "v", "r")
    v_under_s = {"employee_number": org.employees["v"], "supervisor": org.employees["s"]}
    s_under_r = {"employee_number": org.employees["s"], "supervisor": org.employees["r"]}
    assert (await single(client, hr, v_under_s))["allowed"] is True
    assert (await single(client, hr, s_under_r))["allowed"] is True
    results = await batch(client, hr, v_under_s, s_under_r)
    expected = [{"order_reference": reference, "reason": "separated-chain-of-command"}]
    assert [r["refusals"] for r in results] == [expected, expected]
    # S moving under someone else instead: both allowed.
    s_under_boss = {"employee_number": org.employees["s"], "supervisor": org.employees["boss"]}
    assert [r["allowed"] for r in await batch(client, hr, v_under_s, s_under_boss)] == [True, True]


async def test_sep_4_chain_of_command_through_moved_people(client, uow_factory, hr) -> None:  # type: ignore[no-untyped-def]
    """SEP-2, SEP-4: manager M1 moves under the victim and the respondent moves under M1, through a second moved
    manager M2 (respondent under M2, M2 under M1): a chain of three moves, none of which connects the pair alone."""
    org = await make_org(
        uow_factory,
        units={"X": None, "Y": None, "Z": None},
        people={"v": ("X", None), "m1": ("Y", None), "m2": ("Y", None), "r": ("Z", None), "other": ("Z", None)},
    )
    reference = await add_order(uow_factory, org, "v", "r")
    moves = [
        {"employee_number": org.employees["m1"], "supervisor": org.employees["v"]},
        {"employee_number": org.employees["m2"], "supervisor": org.employees["m1"]},
        {"employee_number": org.employees["r"], "supervisor": org.employees["m2"]},
    ]
    for placement in moves:
        assert (await single(client, hr, placement))["allowed"] is True
    results = await batch(client, hr, *moves)
    expected = [{"order_reference": reference, "reason": "separated-chain-of-command"}]
    assert [r["refusals"] for r in results] == [expected] * 3
    # The same with someone else in the middle of the chain's top: nobody is refused.
    apart = [{**moves[0], "supervisor": org.employees["other"]}, moves[1], moves[2]]
    assert [r["allowed"] for r in await batch(client, hr, *apart)] == [True, True, True]


async def test_sep_4_both_joining_one_assignment(client, uow_factory, hr) -> None:  # type: ignore[no-untyped-def]
    """SEP-2, SEP-4: both people of an order join the same committee in one batch: both refused (shared
    assignment); one joining a committee the other merely could join: allowed."""
    org = await make_org(
        uow_factory,
        units={"X": None, "Y": None},
        people={"v": ("X", None), "r": ("Y", None)},
        assignments={"safety": [], "budget": []},
    )
    reference = await add_order(uow_factory, org, "v", "r")
    joins = [{"employee_number": org.employees[p], "assignment": org.assignments["safety"]} for p in ("v", "r")]
    results = await batch(client, hr, *joins)
    assert [r["refusals"] for r in results] == [
        [{"order_reference": reference, "reason": "separated-shared-assignment"}]
    ] * 2
    apart = [joins[0], {"employee_number": org.employees["r"], "assignment": org.assignments["budget"]}]
    assert [r["allowed"] for r in await batch(client, hr, *apart)] == [True, True]


async def test_sep_4_a_move_apart_in_the_same_batch_clears_a_connection(client, uow_factory, hr) -> None:  # type: ignore[no-untyped-def]
    """SEP-3, SEP-4: the respondent is in the victim's unit today; the batch moves the respondent out and the
    victim's new colleague in: the victim's placement is allowed, although the single check (which sees today's
    directory) refuses it."""
    org = await make_org(
        uow_factory, units={"X": None, "Y": None}, people={"v": ("X", None), "r": ("X", None), "n": ("Y", None)}
    )
    reference = await add_order(uow_factory, org, "v", "r")
    victim_stays = {"employee_number": org.employees["v"], "unit": org.units["X"]}
    assert (await single(client, hr, victim_stays))["refusals"] == [
        {"order_reference": reference, "reason": "separated-same-unit"}
    ]
    respondent_out = {"employee_number": org.employees["r"], "unit": org.units["Y"]}
    results = await batch(client, hr, victim_stays, respondent_out)
    assert [r["allowed"] for r in results] == [True, True]


# --- what each placement is answered with ------------------------------------------------------------------------


async def test_sep_4_problems_per_placement_as_the_single_check_answers_them(client, uow_factory, hr) -> None:  # type: ignore[no-untyped-def]
    """SEP-4: an unknown employee, unit, supervisor or assignment, a retired employee and a cycle are answered for
    that placement with the single check's problem (type, title, status 422, code), the rest of the batch as
    usual; an invalid placement changes nothing for the others."""
    org = await make_org(
        uow_factory,
        units={"X": None, "Y": None},
        people={"v": ("X", None), "r": ("Y", None), "boss": ("X", None), "below": ("X", "boss"), "gone": ("Y", None)},
        assignments={"safety": []},
    )
    async with uow_factory() as uow:
        await uow.session.execute(
            update(Employee).where(Employee.id == org.ids["gone"]).values(status=EmployeeStatus.retired)
        )
        await uow.commit()
    await add_order(uow_factory, org, "v", "r")
    placements = [
        {"employee_number": "E-NOBODY-1", "unit": org.units["X"]},
        {"employee_number": org.employees["gone"], "unit": org.units["X"]},
        {"employee_number": org.employees["r"], "unit": "U-NOWHERE"},  # not applied: r stays in Y
        {"employee_number": org.employees["boss"], "supervisor": org.employees["below"]},
        {"employee_number": org.employees["below"], "supervisor": "E-NOBODY-2"},
        {"employee_number": org.employees["v"], "assignment": "A-NONE"},
        {"employee_number": org.employees["gone"] + "X", "assignment": org.assignments["safety"]},
    ]
    results = await batch(client, hr, *placements)
    codes = [r["problem"]["code"] if r["problem"] else None for r in results]
    assert codes == [
        "unknown-reference",
        "employee-not-active",
        "unknown-reference",
        "cycle",
        "unknown-reference",
        "unknown-reference",
        "unknown-reference",
    ]
    for result, placement in zip(results, placements, strict=True):
        single_answer = await client.post("/api/v1/separation/check", json=placement, headers=hr)
        assert single_answer.status_code == 422
        expected = {k: single_answer.json()[k] for k in ("type", "title", "status", "code")}
        assert result["problem"] == expected and result["allowed"] is None and result["refusals"] == []
    response = await client.post(URL, json={"placements": placements}, headers=hr)
    assert {k: response.json()[k] for k in ("allowed", "refused", "invalid")} == {
        "allowed": 0,
        "refused": 0,
        "invalid": 7,
    }


async def test_sep_4_batch_answers_name_no_one_but_the_placed(client, uow_factory, hr) -> None:  # type: ignore[no-untyped-def]
    """SEP-4: a refused placement names the order's reference and a reason code only — never the other person,
    nor which placement of the batch it was combined with; the response holds no employee number that was not
    sent and nothing about the case."""
    org = await make_org(
        uow_factory,
        units={"X": None, "Y": None, "Z": None},
        people={"v": ("X", None), "r": ("Y", None), "bystander": ("Z", None)},
    )
    reference = await add_order(uow_factory, org, "v", "r")
    response = await client.post(
        URL,
        json={
            "placements": [
                {"employee_number": org.employees["v"], "unit": org.units["Z"]},
                {"employee_number": org.employees["bystander"], "unit": org.units["Y"]},
            ]
        },
        headers=hr,
    )
    assert response.status_code == 200
    text = response.text
    assert org.employees["r"] not in text and "WU-" not in text
    assert set(response.json()) == {"results", "allowed", "refused", "invalid"}
    assert response.headers["content-type"] == "application/json"
    BatchResult.model_validate_json(response.content)  # the documented shape
    first, second = response.json()["results"]
    assert set(first) == {"employee_number", "allowed", "refusals", "problem"}
    assert first["allowed"] is True and second["allowed"] is True
    # Now the respondent moves to Z as well: the victim's answer names the order only.
    response = await client.post(
        URL,
        json={
            "placements": [
                {"employee_number": org.employees["v"], "unit": org.units["Z"]},
                {"employee_number": org.employees["r"], "unit": org.units["Z"]},
            ]
        },
        headers=hr,
    )
    for result in response.json()["results"]:
        assert [set(r) for r in result["refusals"]] == [{"order_reference", "reason"}]
        assert result["refusals"][0]["order_reference"] == reference


async def test_aud_1_sep_4_one_audit_entry_per_batch(client, uow_factory, hr) -> None:  # type: ignore[no-untyped-def]
    """AUD-1, SEP-4: a batch leaves exactly one `separation.check_batch` entry, by the client, with counts only (no
    employee number, no order reference), chained like any other; no per-refusal entries."""
    org = await make_org(
        uow_factory,
        units={"X": None, "Y": None, "Z": None},
        people={"v": ("X", None), "r": ("Y", None), "o": ("Z", None)},
    )
    reference = await add_order(uow_factory, org, "v", "r")

    async def entries(action: str) -> list[tuple[str, uuid.UUID | None, str | None]]:
        async with uow_factory() as uow:
            rows = await uow.session.scalars(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
            )
            return [(e.actor_kind, e.case_id, e.target) for e in rows.all()]

    before_batch, before_single = (
        len(await entries("separation.check_batch")),
        len(await entries("separation.check_refused")),
    )
    await batch(
        client,
        hr,
        {"employee_number": org.employees["v"], "unit": org.units["Z"]},
        {"employee_number": org.employees["r"], "unit": org.units["Z"]},
        {"employee_number": org.employees["o"], "unit": org.units["X"]},
        {"employee_number": "E-NOBODY"},
    )
    new = (await entries("separation.check_batch"))[before_batch:]
    assert len(new) == 1 and len(await entries("separation.check_refused")) == before_single
    ((actor_kind, case_id, target),) = new
    assert actor_kind == "client" and case_id is None
    assert target == "placements=4 refused=2 orders=1"
    assert reference not in target and all(n not in target for n in org.employees.values())
    # An all-allowed batch is audited too (one entry).
    await batch(client, hr, {"employee_number": org.employees["o"], "unit": org.units["Y"]})
    assert [e[2] for e in (await entries("separation.check_batch"))[before_batch + 1 :]] == [
        "placements=1 refused=0 orders=0"
    ]
    async with uow_factory() as uow:
        assert (await audit.verify(uow)).broken is None


# --- refused input: problem+json, never a 500 ---------------------------------------------------------------------


async def test_sep_4_duplicate_employee_in_one_batch_is_422(client, uow_factory, hr) -> None:  # type: ignore[no-untyped-def]
    """SEP-4: an employee placed twice in one batch: 422 `duplicate-placement` (problem+json), with the positions of
    the repeats and no employee number; nothing is audited."""
    org = await make_org(uow_factory, units={"X": None, "Y": None}, people={"a": ("X", None), "b": ("Y", None)})
    a, b = org.employees["a"], org.employees["b"]
    body = {
        "placements": [
            {"employee_number": a, "unit": org.units["Y"]},
            {"employee_number": b},
            {"employee_number": f" {a} ", "unit": org.units["X"]},
        ]
    }
    response = await client.post(URL, json=body, headers=hr)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "duplicate-placement" and response.json()["positions"] == [2]
    assert a not in response.text


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"placements": []},
        {"placements": "all of them"},
        {"placements": [{"unit": "U-1"}]},
        {"placements": [{"employee_number": "E 1; DROP TABLE employee"}]},
        {"placements": [{"employee_number": "E-1", "unit": ""}]},
        {"placements": [{"employee_number": "E-1", "colour": "blue"}]},
        {"placements": [None]},
        {"placements": [{"employee_number": "E-1"}], "extra": 1},
    ],
)
async def test_sep_4_malformed_batches_are_422_problems(client, hr, body) -> None:  # type: ignore[no-untyped-def]
    """SEP-4: a batch that does not match the shape is refused with a 422 problem+json, never a 500."""
    response = await client.post(URL, json=body, headers=hr)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "validation-failed"


async def test_sep_4_not_json_and_no_token_are_problems(client, hr) -> None:  # type: ignore[no-untyped-def]
    """SEP-4: a body that is not JSON is 400, no token 401, a token without `separation:check` 403 — all
    problem+json."""
    broken = await client.post(URL, content=b"{", headers={**hr, "Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["code"] == "malformed-body"
    unauthenticated = await client.post(URL, json={"placements": [{"employee_number": "E-1"}]})
    assert unauthenticated.status_code == 401
    for response in (broken, unauthenticated):
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_sep_4_token_without_the_check_scope_is_403(client, uow_factory) -> None:  # type: ignore[no-untyped-def]
    """SEP-4, ACC-1: the batch needs the same scope as the single check."""
    headers = await machine_headers(client, uow_factory, "separation:read")
    response = await client.post(URL, json={"placements": [{"employee_number": "E-1"}]}, headers=headers)
    assert response.status_code == 403 and response.json()["code"] == "scope-not-allowed"


async def test_sep_4_more_than_10000_placements_is_413(client, hr) -> None:  # type: ignore[no-untyped-def]
    """SEP-4: more than 10,000 placements is 413 problem+json (too many for one batch: split the list). Whether the
    body limit or the count says it first, it is a 413 problem."""
    body = {"placements": [{"employee_number": f"E{i}"} for i in range(10_001)]}
    response = await client.post(URL, json=body, headers=hr)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] in {"too-many-placements", "body-too-large"}


async def test_sep_4_full_batch_of_10000_and_one_more(client, uow_factory) -> None:  # type: ignore[no-untyped-def]
    """SEP-4: 10,000 placements (real employees, every kind of placement, orders among them) are answered in one
    request, one answer each, within the batch path's own body limit (the service's app, default settings);
    10,001 are refused with 413 `too-many-placements`."""
    hr = await machine_headers(client, uow_factory, "separation:check")
    tag = uuid.uuid4().hex[:8].upper()
    organisation = Organisation(id=uuid.uuid4(), external_id=f"ORG-{tag}", name="big", kind=OrgKind.smg)
    units = [
        OrgUnit(id=uuid.uuid4(), external_id=f"U-{tag}-{i}", organisation_id=organisation.id, name=f"u{i}")
        for i in range(100)
    ]
    people = []
    for i in range(10_000):
        head = i % 100 == 0
        people.append(
            {
                "id": uuid.uuid4(),
                "employee_number": f"E-{tag}-{i:05d}",
                "organisation_id": organisation.id,
                "unit_id": units[(i // 100) % 100].id,
                "supervisor_id": None if head else people[i - i % 100]["id"],
                "status": EmployeeStatus.active,
                "unit_effective_at": EPOCH,
                "supervisor_effective_at": EPOCH,
                "status_effective_at": EPOCH,
            }
        )
    async with uow_factory() as uow:
        uow.session.add(organisation)
        await uow.session.flush()
        uow.session.add_all(units)
        await uow.session.flush()
        await uow.session.execute(insert(Employee), people)
        await uow.commit()
    org = Org(tag)
    for i in (1, 2, 101, 150, 5000, 5001):
        org.employees[str(i)], org.ids[str(i)] = people[i]["employee_number"], people[i]["id"]
    reference = await add_order(uow_factory, org, "1", "101")  # apart today (units 0 and 1)
    await add_order(uow_factory, org, "5000", "5001")  # together today (unit 50)
    placements = []
    for i, person in enumerate(people):
        number = person["employee_number"]
        kind = i % 3
        if i == 1:
            placements.append({"employee_number": number, "unit": units[7].external_id})
        elif i == 101:
            placements.append({"employee_number": number, "unit": units[7].external_id})
        elif kind == 0 or i % 100 == 0:
            placements.append({"employee_number": number, "unit": units[(i * 7) % 100].external_id})
        elif kind == 1:
            placements.append(
                {"employee_number": number, "supervisor": people[((i // 100 + 1) % 100) * 100]["employee_number"]}
            )
        else:
            placements.append({"employee_number": number})
    response = await client.post(URL, json={"placements": placements}, headers=hr)
    assert response.status_code == 200, response.text[:500]
    body = response.json()
    assert len(body["results"]) == 10_000 and body["invalid"] == 0
    results = {r["employee_number"]: r for r in body["results"]}
    assert results[org.employees["1"]]["refusals"] == [{"order_reference": reference, "reason": "separated-same-unit"}]
    assert results[org.employees["101"]]["refusals"] == [
        {"order_reference": reference, "reason": "separated-same-unit"}
    ]
    assert body["refused"] == sum(1 for r in body["results"] if r["allowed"] is False)
    too_many = await client.post(URL, json={"placements": [*placements, {"employee_number": "E-ONE-MORE"}]}, headers=hr)
    assert too_many.status_code == 413 and too_many.json()["code"] == "too-many-placements"


# --- the model test: each answer equals the single check's with the other placements applied ----------------------


@dataclass
class Generated:
    tag: str
    numbers: list[str]
    units: list[str]
    assignments: list[str]
    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    orders: list[tuple[str, str]] = field(default_factory=list)  # (victim number, respondent number), active


async def generate(uow_factory, rng: random.Random) -> Generated:  # type: ignore[no-untyped-def]
    """A small random directory written straight into the tables: a unit tree, chains of command of any depth,
    retired people, assignments with current and former members, active and inactive orders between people
    connected in every way."""
    tag = uuid.uuid4().hex[:8].upper()
    organisation = Organisation(id=uuid.uuid4(), external_id=f"ORG-{tag}", name="org", kind=OrgKind.smg)
    units: list[OrgUnit] = []
    for i in range(rng.randint(2, 5)):
        parent = rng.choice(units).id if units and rng.random() < 0.6 else None
        units.append(
            OrgUnit(
                id=uuid.uuid4(),
                external_id=f"U-{tag}-{i}",
                organisation_id=organisation.id,
                parent_id=parent,
                name=f"u{i}",
            )
        )
    people: list[Employee] = []
    for i in range(rng.randint(6, 14)):
        supervisor = None
        if people and rng.random() < 0.8:
            supervisor = people[-1] if rng.random() < 0.4 else rng.choice(people)
        retired = rng.random() < 0.08
        people.append(
            Employee(
                id=uuid.uuid4(),
                employee_number=f"E-{tag}-{i:02d}",
                organisation_id=organisation.id,
                unit_id=rng.choice(units).id if rng.random() < 0.9 else None,
                supervisor_id=supervisor.id if supervisor else None,
                status=EmployeeStatus.retired
                if retired
                else rng.choice([EmployeeStatus.active, EmployeeStatus.on_leave]),
                retired_on=date(2025, 1, 1) if retired else None,
                unit_effective_at=EPOCH,
                supervisor_effective_at=EPOCH,
                status_effective_at=EPOCH,
            )
        )
    assignments = [
        Assignment(
            id=uuid.uuid4(),
            external_id=f"A-{tag}-{i}",
            organisation_id=organisation.id,
            kind=AssignmentKind.committee,
            name=f"a{i}",
        )
        for i in range(rng.randint(1, 3))
    ]
    members = [
        AssignmentMember(assignment_id=a.id, employee_id=p.id, member=rng.random() < 0.8, effective_at=EPOCH)
        for a in assignments
        for p in rng.sample(people, rng.randint(0, min(4, len(people))))
    ]
    generated = Generated(
        tag, [p.employee_number for p in people], [u.external_id for u in units], [a.external_id for a in assignments]
    )
    generated.ids = {p.employee_number: p.id for p in people}
    by_id = {p.id: p for p in people}
    cases, orders = [], []
    pairs: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for i in range(rng.randint(1, 6)):
        victim = rng.choice(people)
        roll = rng.random()
        if roll < 0.35 and victim.supervisor_id:
            respondent = by_id[victim.supervisor_id]
        elif roll < 0.6:
            respondent = rng.choice([p for p in people if p.unit_id == victim.unit_id] or people)
        else:
            respondent = rng.choice(people)
        if respondent is victim or (victim.id, respondent.id) in pairs:
            continue
        pairs.add((victim.id, respondent.id))
        case = Case(
            id=uuid.uuid4(),
            reference=f"WU-{tag}-{i:02d}",
            status=CaseStatus.received,
            team=Team.intake_counselling,
            category=Category.sexual_harassment,
            opened_on=EPOCH.date(),
            received_at=EPOCH.isoformat(),
            origin=CaseOrigin.report,
            respondent_mac=employee_mac(respondent.employee_number),
            respondent_employee_id=respondent.id,
            sealed=False,
        )
        status = OrderStatus.active if rng.random() < 0.85 else OrderStatus.lifted
        orders.append(
            SeparationOrder(
                id=uuid.uuid4(),
                reference=f"SO-{tag}-{i:02d}",
                case_id=case.id,
                victim_mac=employee_mac(victim.employee_number),
                respondent_mac=employee_mac(respondent.employee_number),
                victim_id=victim.id,
                respondent_id=respondent.id,
                status=status,
                connections=[],
                opened_on=date(2026, 1, 1),
            )
        )
        cases.append(case)
        if status == OrderStatus.active:
            generated.orders.append((victim.employee_number, respondent.employee_number))
    async with uow_factory() as uow:
        for rows in ([organisation], units, people, assignments, members, cases, orders):
            uow.session.add_all(rows)
            await uow.session.flush()
        await uow.commit()
    return generated


def random_batch(directory: Generated, rng: random.Random) -> list[PlacementCheck]:
    """Distinct movers (and an unknown one), with placements aimed at combinations: towards the other person of an
    order, both people of an order into one unit or assignment, supervisors who move too (cycles among them), and
    unknown units, supervisors and assignments."""
    numbers = directory.numbers
    partners: dict[str, list[str]] = {}
    for victim, respondent in directory.orders:
        partners.setdefault(victim, []).append(respondent)
        partners.setdefault(respondent, []).append(victim)
    shared_unit = rng.choice(directory.units)
    shared_assignment = rng.choice(directory.assignments)
    movers = rng.sample([*numbers, "E-NOBODY"], rng.randint(1, len(numbers) + 1))
    placements = []
    for mover in movers:
        body: dict[str, str] = {"employee_number": mover}
        partner = rng.choice(partners[mover]) if mover in partners and rng.random() < 0.6 else None
        if rng.random() < 0.5:
            body["unit"] = shared_unit if rng.random() < 0.4 else rng.choice(directory.units)
            if rng.random() < 0.04:
                body["unit"] = "U-NOWHERE"
        if rng.random() < 0.5:
            choices = [partner] if partner and rng.random() < 0.5 else numbers
            body["supervisor"] = rng.choice(choices) if rng.random() < 0.96 else "E-NOBODY"
        if rng.random() < 0.4:
            body["assignment"] = shared_assignment if rng.random() < 0.5 else rng.choice(directory.assignments)
            if rng.random() < 0.05:
                body["assignment"] = "A-NONE"
        placements.append(PlacementCheck(**body))
    return placements


@dataclass(frozen=True)
class Resolved:
    """A placement's references as ids; `applicable`: its employee exists and has not left, and its unit,
    supervisor and assignment exist (the specification of which placements count for the others)."""

    employee: uuid.UUID | None
    unit: uuid.UUID | None
    supervisor: uuid.UUID | None
    assignment: uuid.UUID | None
    applicable: bool


async def resolve(uow_factory, placements: list[PlacementCheck]) -> list[Resolved]:  # type: ignore[no-untyped-def]
    resolved = []
    async with uow_factory() as uow:
        for p in placements:
            employee = await uow.personnel.employee_by_number(p.employee_number)
            unit = await uow.separation.unit_by_external_id(p.unit) if p.unit else None
            supervisor = await uow.personnel.employee_by_number(p.supervisor) if p.supervisor else None
            assignment = await uow.separation.assignment_by_external_id(p.assignment) if p.assignment else None
            applicable = (
                employee is not None
                and employee.status != EmployeeStatus.retired
                and (p.unit is None or unit is not None)
                and (p.supervisor is None or supervisor is not None)
                and (p.assignment is None or assignment is not None)
            )
            resolved.append(
                Resolved(
                    employee.id if employee else None,
                    unit.id if unit else None,
                    supervisor.id if supervisor else None,
                    assignment.id if assignment else None,
                    applicable,
                )
            )
    return resolved


async def apply(uow, placement: Resolved) -> None:  # type: ignore[no-untyped-def]
    """Write the placement into the directory (inside the caller's transaction), as a sync would store it."""
    values: dict[str, Any] = {}
    if placement.unit:
        values["unit_id"] = placement.unit
    if placement.supervisor:
        values["supervisor_id"] = placement.supervisor
    if values:
        await uow.session.execute(update(Employee).where(Employee.id == placement.employee).values(**values))
    if placement.assignment:
        key = (
            AssignmentMember.assignment_id == placement.assignment,
            AssignmentMember.employee_id == placement.employee,
        )
        changed = await uow.session.execute(update(AssignmentMember).where(*key).values(member=True))
        if changed.rowcount == 0:
            await uow.session.execute(
                insert(AssignmentMember).values(
                    assignment_id=placement.assignment, employee_id=placement.employee, member=True, effective_at=EPOCH
                )
            )


async def single_with_others_applied(  # type: ignore[no-untyped-def]
    uow_factory, client: ClientActor, placements: list[PlacementCheck], resolved: list[Resolved], i: int
) -> object:
    """The single check's answer for placement i on the directory with every other applicable placement written
    into it (in a transaction that is rolled back)."""
    async with uow_factory() as uow:
        for j, other in enumerate(resolved):
            if j != i and other.applicable:
                await apply(uow, other)
        try:
            result = await separation.check_placement(uow, client, placements[i])
        except DomainError as exc:
            return exc.code
        return [(r.order_reference, r.reason) for r in result.refusals]


async def batch_answers(uow_factory, client: ClientActor, placements: list[PlacementCheck]) -> list[object]:  # type: ignore[no-untyped-def]
    """The batch's answers through the service, as the JSON it writes (validated against `BatchResult`)."""
    async with uow_factory() as uow:
        outcome = await separation_batch.check_batch(uow, client, PlacementBatch(placements=placements))
    result = BatchResult.model_validate_json(outcome.json())
    answers: list[object] = []
    for answer, placement in zip(result.results, placements, strict=True):
        assert answer.employee_number == placement.employee_number
        if answer.problem is not None:
            assert answer.allowed is None and not answer.refusals
            answers.append(answer.problem.code)
        else:
            assert answer.allowed == (not answer.refusals)
            answers.append([(r.order_reference, r.reason) for r in answer.refusals])
    assert result.invalid == sum(1 for a in answers if isinstance(a, str))
    assert result.refused == sum(1 for a in answers if a and not isinstance(a, str))
    assert result.allowed + result.refused + result.invalid == len(placements)
    return answers


@pytest.fixture
async def hr_client(uow_factory) -> ClientActor:  # type: ignore[no-untyped-def]
    async with uow_factory() as uow:
        machine, _ = await create_client(uow, "batch model test", ClientKind.hr_system, ["separation:check"])
        await uow.commit()
    return ClientActor(machine.client_id, ClientKind.hr_system, frozenset({"separation:check"}))


@pytest.mark.parametrize("orders_read", ["by MAC", "all active"])
async def test_sep_4_batch_equals_the_single_check_with_the_others_applied(
    uow_factory, hr_client, monkeypatch, orders_read: str
) -> None:  # type: ignore[no-untyped-def]
    """SEP-2, SEP-4: on generated directories, each placement's batch answer equals the single check's answer on
    the directory with every other applicable placement of the batch written into it — refusals (order, reason),
    or the problem (unknown reference, retired, cycle) — whichever way the orders are read (by the MACs of the
    people concerned, or all active orders)."""
    monkeypatch.setattr(separation_batch, "ALL_ORDERS_PER_MOVE", 0 if orders_read == "by MAC" else 10**9)
    seen: set[str] = set()
    for seed in range(DIRECTORIES):
        rng = random.Random(seed)
        directory = await generate(uow_factory, rng)
        for _ in range(2):
            placements = random_batch(directory, rng)
            got = await batch_answers(uow_factory, hr_client, placements)
            resolved = await resolve(uow_factory, placements)
            for i in range(len(placements)):
                expected = await single_with_others_applied(uow_factory, hr_client, placements, resolved, i)
                assert got[i] == expected, (seed, i, [p.model_dump(exclude_none=True) for p in placements])
                seen.add(expected if isinstance(expected, str) else ("refused" if expected else "allowed"))
                if isinstance(expected, list):
                    seen.update(reason for _, reason in expected)
    assert seen >= {
        "allowed",
        "refused",
        "separated-same-unit",
        "separated-chain-of-command",
        "separated-shared-assignment",
        "unknown-reference",
        "employee-not-active",
        "cycle",
    }, seen


def test_sep_4_batch_schema_in_openapi(app) -> None:  # type: ignore[no-untyped-def]
    """SEP-4: the batch route is documented with its scope, like the single check."""
    document = app.openapi()
    operation = document["paths"][URL]["post"]
    assert json.dumps(operation).count("separation:check") >= 1
