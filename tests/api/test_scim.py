"""SCIM 2.0 at /scim/v2 (issue 16): the same directory rules as the WithU sync and events, over a standard protocol.
A standard client (scim2-client) provisions; the WithU API then answers from what it provisioned."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from scim2_client.engines.asgi import ASGISCIMClient
from scim2_models import EnterpriseUser, Group, PatchOp, PatchOperation, User
from sqlalchemy import func, select

from app.db.models import RetaliationFlag, SeparationViolation
from app.domain.enums import Role
from tests.builders import login, make_report, make_staff
from tests.directory import Org, machine_headers, make_org

MEDIA = "application/scim+json"
ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
WITHU_GROUP = "urn:withu:params:scim:schemas:extension:2.0:Group"


@pytest.fixture
async def scim_headers(client, uow_factory) -> dict[str, str]:
    return await machine_headers(client, uow_factory, "scim") | {"Content-Type": MEDIA}


@pytest.fixture
async def org(uow_factory) -> Org:
    return await make_org(uow_factory, units={"HQ": None, "A": "HQ", "B": "HQ"}, people={"head": ("HQ", None)})


def _user(number: str, unit: str, manager: str | None = None, active: bool = True) -> dict[str, Any]:
    extension: dict[str, Any] = {"department": unit}
    if manager:
        extension["manager"] = {"value": manager, "$ref": f"http://testserver/scim/v2/Users/{manager}"}
    return {"schemas": [User.__schema__, ENTERPRISE], "userName": number, "active": active, ENTERPRISE: extension}


async def _create(client, headers, number: str, unit: str, manager: str | None = None) -> dict[str, Any]:
    response = await client.post("/scim/v2/Users", json=_user(number, unit, manager), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _number(tag: str) -> str:
    return f"S-{tag}-{uuid.uuid4().hex[:6]}"


async def _report(client, victim: dict[str, Any], respondent: dict[str, Any]) -> None:
    await make_report(
        client,
        victim={"employee_number": victim["userName"]},
        respondent={"employee_number": respondent["userName"]},
    )


async def _reported_pair(client, headers, victim_unit: str, respondent_unit: str) -> tuple[dict, dict]:
    """A victim and a respondent provisioned over SCIM, then named in a report (the separated pair)."""
    victim = await _create(client, headers, _number("V"), victim_unit)
    respondent = await _create(client, headers, _number("R"), respondent_unit)
    await _report(client, victim, respondent)
    return victim, respondent


def _patch_op(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": list(operations)}


async def _count(uow_factory, model: Any) -> int:
    async with uow_factory() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)))


# --- the rules, through SCIM -------------------------------------------------------------------------------------


async def test_sep_1_scim_client_provisions_an_org_and_the_separation_check_refuses(client, app, uow_factory, org):
    """SEP-1, SEP-4: a report names two employee numbers the directory does not know yet; a standard SCIM client
    (scim2-client) then provisions the unit, the people and the manager — the order opens as the directory
    learns the numbers, and the separation check refuses putting the respondent in the victim's unit."""
    victim_no, resp_no = _number("V"), _number("R")
    await make_report(client, victim={"employee_number": victim_no}, respondent={"employee_number": resp_no})
    headers = await machine_headers(client, uow_factory, "scim")
    scim = ASGISCIMClient(app, base_url="http://testserver/scim/v2", headers=headers)
    await scim.discover()
    user_model = scim.get_resource_model("User")
    group_model = scim.get_resource_model("Group")
    assert user_model is not None and group_model is not None

    office = group_model(display_name="Archive office")
    office[WITHU_GROUP] = {"kind": "unit", "organization": f"ORG-{org.tag}"}
    office = await scim.create(office)
    unit_key = (await client.get(f"/scim/v2/Groups/{office.id}", headers=headers)).json()
    assert unit_key["displayName"] == "Archive office"
    boss = user_model(user_name=_number("B"), active=True)
    boss[ENTERPRISE] = {"department": org.units["B"]}
    boss = await scim.create(boss)
    people = {}
    for number, unit in ((victim_no, org.units["A"]), (resp_no, org.units["B"])):
        person = user_model(user_name=number, active=True)
        person[ENTERPRISE] = {
            "department": unit,
            "manager": {"value": boss.id, "$ref": f"http://testserver/scim/v2/Users/{boss.id}"},
        }
        people[number] = await scim.create(person)
    assert people[resp_no][ENTERPRISE].manager.value == boss.id

    hr = await machine_headers(client, uow_factory, "separation:check")
    answer = await client.post(
        "/api/v1/separation/check", json={"employee_number": resp_no, "unit": org.units["A"]}, headers=hr
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["allowed"] is False
    assert {r["reason"] for r in answer.json()["refusals"]} == {"separated-same-unit"}


async def test_sep_5_scim_patch_that_connects_a_separated_pair_is_flagged(client, uow_factory, org, scim_headers):
    """SEP-5: a SCIM PATCH that puts the respondent in the victim's unit is a violation, flagged at once — as the
    same change sent as a WithU event would be."""
    victim, resp = await _reported_pair(client, scim_headers, org.units["A"], org.units["B"])
    before = await _count(uow_factory, SeparationViolation)
    patch = _patch_op({"op": "replace", "path": f"{ENTERPRISE}:department", "value": org.units["A"]})
    response = await client.patch(f"/scim/v2/Users/{resp['id']}", json=patch, headers=scim_headers)
    assert response.status_code == 200, response.text
    assert response.json()[ENTERPRISE]["department"] == org.units["A"]
    assert await _count(uow_factory, SeparationViolation) == before + 1


async def test_ret_1_scim_transfer_of_a_protected_person_is_flagged(client, uow_factory, org, scim_headers):
    """RET-1: moving the victim to another unit over SCIM (PUT) is a transfer event about a protected person:
    flagged as possible secondary damage without anyone complaining."""
    victim, resp = await _reported_pair(client, scim_headers, org.units["A"], org.units["B"])
    before = await _count(uow_factory, RetaliationFlag)
    moved = _user(victim["userName"], org.units["HQ"]) | {"id": victim["id"]}
    response = await client.put(f"/scim/v2/Users/{victim['id']}", json=moved, headers=scim_headers)
    assert response.status_code == 200, response.text
    assert await _count(uow_factory, RetaliationFlag) == before + 1


async def test_sep_5_scim_group_member_joins_the_victims_assignment(client, uow_factory, org, scim_headers):
    """SEP-5, RET-1: adding the respondent to the victim's work assignment (a Group) is a joined_assignment event:
    a violation is flagged; the directory refuses a manager cycle all or nothing (400 invalidValue)."""
    victim = await _create(client, scim_headers, _number("V"), org.units["A"])
    resp = await _create(client, scim_headers, _number("R"), org.units["B"])
    group = {
        "schemas": [Group.__schema__, WITHU_GROUP],
        "displayName": "Expo committee",
        "members": [{"value": victim["id"], "type": "User"}],
        WITHU_GROUP: {"kind": "committee", "organization": f"ORG-{org.tag}"},
    }
    created = await client.post("/scim/v2/Groups", json=group, headers=scim_headers)
    assert created.status_code == 201, created.text
    await _report(client, victim, resp)
    before = await _count(uow_factory, SeparationViolation)
    patch = _patch_op({"op": "add", "path": "members", "value": [{"value": resp["id"], "type": "User"}]})
    response = await client.patch(f"/scim/v2/Groups/{created.json()['id']}", json=patch, headers=scim_headers)
    assert response.status_code == 200, response.text
    assert {m["value"] for m in response.json()["members"]} == {victim["id"], resp["id"]}
    assert await _count(uow_factory, SeparationViolation) == before + 1

    # A cycle (the victim's manager becomes the respondent, whose manager is the victim) is refused whole.
    chain = _user(resp["userName"], org.units["B"], manager=victim["id"]) | {"id": resp["id"]}
    assert (await client.put(f"/scim/v2/Users/{resp['id']}", json=chain, headers=scim_headers)).status_code == 200
    cycle = _user(victim["userName"], org.units["A"], manager=resp["id"]) | {"id": victim["id"]}
    refused = await client.put(f"/scim/v2/Users/{victim['id']}", json=cycle, headers=scim_headers)
    assert refused.status_code == 400, refused.text
    assert refused.json()["scimType"] == "invalidValue" and "cycle" in refused.json()["detail"]


async def test_scim_active_false_is_leaving_the_organisation(client, uow_factory, org, scim_headers):
    """SEP-6: `active: false` is the person leaving the organisation (a retirement event): their separation order
    ends; DELETE answers 204 and the user 404 from then on (RFC 7644 §3.6), while WithU keeps the person."""
    victim, resp = await _reported_pair(client, scim_headers, org.units["A"], org.units["A"])
    hr = await machine_headers(client, uow_factory, "separation:read")
    orders = (await client.get("/api/v1/separation/orders", headers=hr)).json()["items"]
    assert any(resp["userName"] in o["employee_numbers"] for o in orders)
    patch = _patch_op({"op": "replace", "path": "active", "value": False})
    response = await client.patch(f"/scim/v2/Users/{resp['id']}", json=patch, headers=scim_headers)
    assert response.status_code == 200 and response.json()["active"] is False
    orders = (await client.get("/api/v1/separation/orders", headers=hr)).json()["items"]
    assert not any(resp["userName"] in o["employee_numbers"] for o in orders)

    assert (await client.delete(f"/scim/v2/Users/{resp['id']}", headers=scim_headers)).status_code == 204
    gone = await client.get(f"/scim/v2/Users/{resp['id']}", headers=scim_headers)
    assert gone.status_code == 404 and gone.json()["schemas"] == [ERROR_URN]
    listed = await client.get(
        "/scim/v2/Users", params={"filter": f'userName eq "{resp["userName"]}"'}, headers=scim_headers
    )
    assert listed.json()["totalResults"] == 0


# --- the protocol ------------------------------------------------------------------------------------------------


async def test_scim_auth_no_token_wrong_scope_staff_token(client, uow_factory) -> None:
    """SEP-4, ACC-1: SCIM is for the personnel system's client with the scope `scim` only: no token 401, a token
    without the scope 403, a staff token 401 — each in SCIM's error shape, as application/scim+json."""
    none = await client.get("/scim/v2/Users")
    assert none.status_code == 401
    assert none.headers["content-type"].startswith(MEDIA)
    assert none.json()["schemas"] == [ERROR_URN] and none.json()["status"] == "401"
    assert none.headers["www-authenticate"].startswith("Bearer")
    other = await machine_headers(client, uow_factory, "separation:check")
    wrong = await client.get("/scim/v2/Users", headers=other)
    assert wrong.status_code == 403 and wrong.json()["status"] == "403"
    staff = await login(client, await make_staff(uow_factory, role=Role.sysadmin))
    refused = await client.get("/scim/v2/ServiceProviderConfig", headers=staff)
    assert refused.status_code == 401 and refused.json()["schemas"] == [ERROR_URN]
    # Elsewhere errors keep their problem+json.
    api = await client.get("/api/v1/personnel/status")
    assert api.headers["content-type"].startswith("application/problem+json")


async def test_scim_discovery_declares_what_is_supported(client, scim_headers) -> None:
    """SEP-4: ServiceProviderConfig declares PATCH, filters, ETags and index paging; no bulk, no sort."""
    config = (await client.get("/scim/v2/ServiceProviderConfig", headers=scim_headers)).json()
    assert config["patch"]["supported"] and config["filter"]["supported"] and config["etag"]["supported"]
    assert not config["bulk"]["supported"] and not config["sort"]["supported"]
    types = (await client.get("/scim/v2/ResourceTypes", headers=scim_headers)).json()
    assert {t["endpoint"] for t in types["Resources"]} == {"/Users", "/Groups"}
    schemas = (await client.get("/scim/v2/Schemas", headers=scim_headers)).json()
    assert {s["id"] for s in schemas["Resources"]} >= {User.__schema__, ENTERPRISE, Group.__schema__, WITHU_GROUP}


async def test_scim_filters_and_paging(client, org, scim_headers) -> None:
    """SEP-4: users are found by userName, employeeNumber and externalId (`eq`, `and`), paged by startIndex and
    count; anything else is 400 invalidFilter."""
    numbers = sorted(_number("P") for _ in range(3))
    for number in numbers:
        body = _user(number, org.units["A"]) | {"externalId": f"hr-{number}"}
        assert (await client.post("/scim/v2/Users", json=body, headers=scim_headers)).status_code == 201

    async def find(expression: str, **params: Any) -> dict[str, Any]:
        response = await client.get("/scim/v2/Users", params={"filter": expression, **params}, headers=scim_headers)
        assert response.status_code == 200, response.text
        return response.json()

    assert (await find(f'userName eq "{numbers[0]}"'))["Resources"][0]["userName"] == numbers[0]
    assert (await find(f'{ENTERPRISE}:employeeNumber eq "{numbers[1]}"'))["totalResults"] == 1
    by_external = await find(f'externalId eq "hr-{numbers[2]}" and userName eq "{numbers[2]}"')
    assert by_external["totalResults"] == 1 and by_external["Resources"][0]["externalId"] == f"hr-{numbers[2]}"
    assert (await find(f'externalId eq "hr-{numbers[2]}" and userName eq "{numbers[0]}"'))["totalResults"] == 0

    page = (await client.get("/scim/v2/Users", params={"startIndex": 2, "count": 2}, headers=scim_headers)).json()
    assert page["startIndex"] == 2 and page["itemsPerPage"] == 2 and len(page["Resources"]) == 2
    first = (await client.get("/scim/v2/Users", params={"startIndex": 1, "count": 1}, headers=scim_headers)).json()
    assert first["totalResults"] == page["totalResults"] >= 3
    assert first["Resources"][0]["id"] != page["Resources"][0]["id"]

    # A fuzzing run's startIndex of 15054892161120369578606592 answered 500 (beyond a database offset): an empty page.
    for far in (2**31, 15054892161120369578606592):
        for resource in ("Users", "Groups"):
            beyond = await client.get(f"/scim/v2/{resource}", params={"startIndex": far}, headers=scim_headers)
            assert beyond.status_code == 200, beyond.text
            assert beyond.json()["Resources"] == [] and beyond.json()["totalResults"] >= 0

    for bad in ('userName co "S-"', 'userName eq "x" or userName eq "y"', 'name.familyName eq "x"', "userName eq"):
        response = await client.get("/scim/v2/Users", params={"filter": bad}, headers=scim_headers)
        assert response.status_code == 400, bad
        assert response.json()["scimType"] == "invalidFilter"


async def test_scim_patch_etag_and_unknown_ids(client, org, scim_headers) -> None:
    """SEP-4: PATCH changes an employee's placement; a stale If-Match is 412 and changes nothing; an unknown id is
    404; userName (the employee number) never changes (400 mutability)."""
    boss = await _create(client, scim_headers, _number("B"), org.units["HQ"])
    person = await _create(client, scim_headers, _number("P"), org.units["A"])
    etag = (await client.get(f"/scim/v2/Users/{person['id']}", headers=scim_headers)).headers["etag"]
    assert etag == person["meta"]["version"]
    patch = PatchOp[User[EnterpriseUser]](
        operations=[
            PatchOperation(op=PatchOperation.Op.replace_, path=f"{ENTERPRISE}:department", value=org.units["B"]),
            PatchOperation(
                op=PatchOperation.Op.add,
                path=f"{ENTERPRISE}:manager",
                value={"value": boss["id"], "$ref": f"http://testserver/scim/v2/Users/{boss['id']}"},
            ),
        ]
    ).model_dump(scim_ctx=None, by_alias=True, exclude_none=True, mode="json")
    changed = await client.patch(
        f"/scim/v2/Users/{person['id']}", json=patch, headers=scim_headers | {"If-Match": etag}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()[ENTERPRISE]["department"] == org.units["B"]
    assert changed.json()[ENTERPRISE]["manager"]["value"] == boss["id"]
    assert changed.headers["etag"] != etag

    stale = await client.patch(f"/scim/v2/Users/{person['id']}", json=patch, headers=scim_headers | {"If-Match": etag})
    assert stale.status_code == 412 and stale.json()["status"] == "412"

    renamed = _user("S-OTHER-1", org.units["B"]) | {"id": person["id"]}
    refused = await client.put(f"/scim/v2/Users/{person['id']}", json=renamed, headers=scim_headers)
    assert refused.status_code == 400 and refused.json()["scimType"] == "mutability"

    for path in (f"/scim/v2/Users/{uuid.uuid4()}", "/scim/v2/Users/not-an-id", f"/scim/v2/Groups/{uuid.uuid4()}"):
        missing = await client.get(path, headers=scim_headers)
        assert missing.status_code == 404 and missing.json()["schemas"] == [ERROR_URN], path
    unknown_unit = await client.post("/scim/v2/Users", json=_user(_number("X"), "no-such-unit"), headers=scim_headers)
    assert unknown_unit.status_code == 400 and unknown_unit.json()["scimType"] == "invalidValue"
    twice = await client.post("/scim/v2/Users", json=_user(person["userName"], org.units["A"]), headers=scim_headers)
    assert twice.status_code == 409 and twice.json()["scimType"] == "uniqueness"
