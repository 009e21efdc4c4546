"""SCIM 2.0 (RFC 7643, RFC 7644) over the personnel directory: resources in, directory commands out.

Nothing here writes the directory itself. A new person, unit or assignment, or a change no change event can say
(another organisation, no unit any more, a new name), goes to `personnel.sync_directory` as a snapshot of those
rows; every other change of a person becomes the change events the personnel system would send
(`personnel.record_events`: transfer, new_supervisor, joined/left_assignment, retirement, returned). So SCIM obeys
the same rules as the WithU sync: all or nothing, cycles refused, SEP-5 violations, RET-1 flags, SEP-6 endings,
orders opened late under SEP-1 when the directory learns an employee number.

Mapping (docs/api.md, "SCIM"): User = employee (userName = employeeNumber = the employee number, immutable;
department = the org unit's id; organization = the unit's organisation, read-only; manager = the supervisor;
active=false = left the organisation, a `retirement` event). Group = an org unit (kind `unit`; members = the
people placed in it) or a work assignment (project, duty, shift, committee; members = its members)."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from pydantic import TypeAdapter, ValidationError
from scim2_models import (
    Context,
    InvalidFilterException,
    InvalidValueException,
    ListResponse,
    Manager,
    Meta,
    MutabilityException,
    NotFoundException,
    PatchOp,
    PreconditionFailedException,
    ResourceType,
    Schema,
    SCIMException,
    ScimFilter,
    ServiceProviderConfig,
    UniquenessException,
)
from scim2_models.path import CompareOperator, Comparison, FilterNode, LogicalExpr, LogicalOperator

from app.db.repositories.scim import ScimGroupRow, ScimPerson
from app.db.uow import UnitOfWork
from app.domain.directory import SyncMode
from app.domain.enums import EmployeeStatus
from app.schemas import scim as wire
from app.schemas.personnel import DirectorySnapshot, EventBatch
from app.services import clock, personnel
from app.services.actors import ClientActor

SCIM_UPSERT = "personnel.scim_upserted"
_events = TypeAdapter(EventBatch)
_snapshot = TypeAdapter(DirectorySnapshot)
USER_FILTERS = {"username": "employee_number", "employeenumber": "employee_number", "externalid": "external_id"}
GROUP_FILTERS = {"displayname": "name", "externalid": "external_id"}


# --- discovery ------------------------------------------------------------------------------------------------


def service_provider_config(base: str) -> ServiceProviderConfig:
    config = wire.service_provider_config(f"{base}/ServiceProviderConfig")
    config.meta = Meta(resource_type="ServiceProviderConfig", location=f"{base}/ServiceProviderConfig")
    return config


def resource_types(base: str) -> list[ResourceType]:
    found = wire.resource_types()
    for resource_type in found:
        resource_type.meta = Meta(resource_type="ResourceType", location=f"{base}/ResourceTypes/{resource_type.id}")
    return found


async def schemas(uow: UnitOfWork, base: str) -> list[Schema]:
    found = wire.schemas(await uow.scim.organisation_keys(), await uow.scim.unit_keys(wire.MAX_CANONICAL))
    for schema in found:
        schema.meta = Meta(resource_type="Schema", location=f"{base}/Schemas/{schema.id}")
    return found


# --- reading --------------------------------------------------------------------------------------------------


def _version(resource: Any) -> str:
    body = wire.dump(resource, ctx=Context.RESOURCE_QUERY_RESPONSE)
    body.pop("meta", None)
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:20]
    return f'W/"{digest}"'


def _with_meta(resource: Any, resource_type: str, location: str) -> Any:
    resource.meta = Meta(resource_type=resource_type, location=location)
    resource.meta.version = _version(resource)
    return resource


def _user(base: str, person: ScimPerson) -> wire.FullUser:
    manager = None
    if person.supervisor_id is not None:
        manager = Manager(value=str(person.supervisor_id), ref=f"{base}/Users/{person.supervisor_id}")
    user = wire.FullUser(
        id=str(person.id),
        external_id=person.external_id,
        user_name=person.employee_number,
        active=person.status != EmployeeStatus.retired,
    )
    user[wire.EnterpriseUser] = wire.EnterpriseUser(
        employee_number=person.employee_number,
        organization=person.organisation,
        department=person.unit,
        manager=manager,
    )
    return _with_meta(user, "User", f"{base}/Users/{person.id}")


async def _group(uow: UnitOfWork, base: str, row: ScimGroupRow) -> wire.FullGroup:
    members = [wire.Member(value=str(m), ref=f"{base}/Users/{m}", type="User") for m in await uow.scim.members(row)]
    group = wire.FullGroup(id=str(row.id), external_id=row.external_id, display_name=row.name, members=members or None)
    group[wire.WithUGroup] = wire.WithUGroup(
        kind=row.kind.value if row.kind else wire.UNIT, organization=row.organisation, key=row.key
    )
    return _with_meta(group, "Group", f"{base}/Groups/{row.id}")


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


async def _person(uow: UnitOfWork, resource_id: str) -> ScimPerson:
    found = await uow.scim.person(key) if (key := _uuid(resource_id)) else None
    if found is None:
        raise NotFoundException(detail=f"No user {resource_id}.")
    return found


async def _group_row(uow: UnitOfWork, resource_id: str) -> ScimGroupRow:
    found = await uow.scim.groups(key) if (key := _uuid(resource_id)) else []
    if not found:
        raise NotFoundException(detail=f"No group {resource_id}.")
    return found[0]


async def get_user(uow: UnitOfWork, actor: ClientActor, base: str, resource_id: str) -> wire.FullUser:
    return _user(base, await _person(uow, resource_id))


async def get_group(uow: UnitOfWork, actor: ClientActor, base: str, resource_id: str) -> wire.FullGroup:
    return await _group(uow, base, await _group_row(uow, resource_id))


def _equalities(expression: str | None, allowed: dict[str, str]) -> dict[str, str]:
    """RFC 7644 §3.4.2.2, the part WithU supports: `eq` comparisons of the allowed attributes joined by `and`."""
    if not expression:
        return {}
    try:
        node: FilterNode = ScimFilter(expression).ast
    except (SCIMException, ValueError) as exc:
        raise InvalidFilterException(detail="The filter is not valid SCIM filter syntax.") from exc
    terms = node.terms if isinstance(node, LogicalExpr) and node.op == LogicalOperator.and_ else (node,)
    found: dict[str, str] = {}
    for term in terms:
        if not isinstance(term, Comparison) or term.op != CompareOperator.eq or term.attr_path.sub_attr:
            raise InvalidFilterException(detail="Only `eq` comparisons joined by `and` are supported.")
        name = allowed.get(term.attr_path.attr.lower())
        if name is None or not isinstance(term.value, str):
            raise InvalidFilterException(detail=f"Filtering on {term.attr_path} is not supported.")
        if found.get(name, term.value) != term.value:
            return {"nothing": ""}  # two different values of one attribute: nothing matches
        found[name] = term.value
    return found


# Far beyond any directory, and within a signed 32-bit offset on every database.
LAST_START_INDEX = 2**31 - 1


def _page(start_index: int | None, count: int | None) -> tuple[int, int]:
    """RFC 7644 §3.4.2.4: 1-based startIndex (below 1 is 1; beyond any directory it is an empty page, so it is cut
    to what a database offset holds), count (below 0 is 0; at most the maximum)."""
    start = min(max(start_index or 1, 1), LAST_START_INDEX)
    size = wire.MAX_COUNT if count is None else min(max(count, 0), wire.MAX_COUNT)
    return start, size


async def list_users(
    uow: UnitOfWork, actor: ClientActor, base: str, expression: str | None, start_index: int | None, count: int | None
) -> ListResponse[Any]:
    wanted = _equalities(expression, USER_FILTERS)
    start, size = _page(start_index, count)
    if "nothing" in wanted:
        people, total = [], 0
    else:
        people, total = await uow.scim.people(**wanted, offset=start - 1, limit=size)
    return ListResponse[wire.FullUser](
        total_results=total, start_index=start, items_per_page=len(people), resources=[_user(base, p) for p in people]
    )


async def list_groups(
    uow: UnitOfWork, actor: ClientActor, base: str, expression: str | None, start_index: int | None, count: int | None
) -> ListResponse[Any]:
    wanted = _equalities(expression, GROUP_FILTERS)
    start, size = _page(start_index, count)
    rows = [
        g
        for g in await uow.scim.groups()
        if ("name" not in wanted or g.name == wanted["name"])
        and ("external_id" not in wanted or g.external_id == wanted["external_id"])
        and "nothing" not in wanted
    ]
    page = rows[start - 1 : start - 1 + size]
    return ListResponse[wire.FullGroup](
        total_results=len(rows),
        start_index=start,
        items_per_page=len(page),
        resources=[await _group(uow, base, g) for g in page],
    )


# --- writing: users -------------------------------------------------------------------------------------------


def _parse(model: Any, payload: Any, context: Context) -> Any:
    try:
        return model.model_validate(payload, scim_ctx=context, scim_policy=wire.POLICY)
    except ValidationError as exc:
        raise InvalidValueException(detail=_first_problem(exc)) from exc


def _first_problem(exc: ValidationError) -> str:
    """Where the body is wrong, never what it said (it may name a person)."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error.get("loc", ())) or "body"
    return f"{where}: {error.get('msg', 'invalid')}"[:300]


def check_version(current: Any, if_match: str | None) -> None:
    """RFC 7644 §3.14: If-Match must name the current version (or be `*`)."""
    if if_match is None:
        return
    tags = {t.strip() for t in if_match.split(",")}
    if "*" not in tags and current.meta.version not in tags and current.meta.version.removeprefix("W/") not in tags:
        raise PreconditionFailedException(detail="The resource changed since that version.")


def _events_of(raw: list[dict[str, Any]]) -> Any:
    return _events.validate_python(raw)


def _event(number: str, kind: str, at: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event_id": f"scim-{uuid.uuid4().hex}",
        "employee_number": number,
        "kind": kind,
        "effective_at": at,
    }
    if data is not None:
        event["data"] = data
    return event


async def _unit(uow: UnitOfWork, key: str | None) -> ScimGroupRow:
    rows = [g for g in await uow.scim.groups() if g.kind is None and g.key == key] if key else []
    if not rows:
        raise InvalidValueException(detail=f"department {key!r}: no such org unit.")
    return rows[0]


async def _manager_number(uow: UnitOfWork, manager: Manager | None) -> str | None:
    if manager is None or manager.value is None:
        return None
    found = await uow.scim.person(key) if (key := _uuid(manager.value)) else None
    if found is None:
        raise InvalidValueException(detail="manager.value: no such user.")
    return found.employee_number


def _employee_number(user: wire.FullUser, payload: Any) -> str:
    number = (user.user_name or "").strip()
    listed = payload.get(wire.ENTERPRISE_URN, {}) if isinstance(payload, dict) else {}
    given = listed.get("employeeNumber") if isinstance(listed, dict) else None
    if given is not None and given != number:
        raise InvalidValueException(detail="employeeNumber must equal userName (both are the employee number).")
    return number


def _snapshot_of(**rows: list[dict[str, Any]]) -> DirectorySnapshot:
    try:
        return _snapshot.validate_python({"as_of": clock.now().isoformat(), **rows})
    except ValidationError as exc:
        raise InvalidValueException(detail=_first_problem(exc)) from exc


async def create_user(uow: UnitOfWork, actor: ClientActor, base: str, payload: Any) -> wire.FullUser:
    user = _parse(wire.FullUser, payload, Context.RESOURCE_CREATION_REQUEST)
    number = _employee_number(user, payload)
    if await uow.personnel.employee_by_number(number) is not None:
        raise UniquenessException(detail="userName: an employee with this number exists.")
    extension = user[wire.EnterpriseUser] or wire.EnterpriseUser()
    unit = await _unit(uow, extension.department)
    row = {
        "employee_number": number,
        "organisation": unit.organisation,
        "unit": unit.key,
        "supervisor": await _manager_number(uow, extension.manager),
        "status": EmployeeStatus.active if user.active is not False else EmployeeStatus.retired,
    }
    await personnel.sync_directory(uow, actor, _snapshot_of(employees=[row]), mode=SyncMode.upsert, action=SCIM_UPSERT)
    created = await uow.personnel.employee_by_number(number)
    assert created is not None  # noqa: S101 - written just above
    await uow.scim.set_external_id(created.id, user.external_id)
    await uow.scim.flush()
    return _user(base, await _person(uow, str(created.id)))


async def replace_user(
    uow: UnitOfWork, actor: ClientActor, base: str, resource_id: str, payload: Any, if_match: str | None
) -> wire.FullUser:
    current = await get_user(uow, actor, base, resource_id)
    check_version(current, if_match)
    wanted = _parse(wire.FullUser, payload, Context.RESOURCE_REPLACEMENT_REQUEST)
    if wanted.user_name is not None and wanted.user_name != current.user_name:
        raise MutabilityException(detail="userName (the employee number) never changes.")
    _employee_number(current, payload)
    return await _change_user(uow, actor, base, resource_id, current, wanted)


async def patch_user(
    uow: UnitOfWork, actor: ClientActor, base: str, resource_id: str, payload: Any, if_match: str | None
) -> wire.FullUser:
    current = await get_user(uow, actor, base, resource_id)
    check_version(current, if_match)
    wanted = _patched(wire.FullUser, current, payload)
    if wanted.user_name != current.user_name:
        raise MutabilityException(detail="userName (the employee number) never changes.")
    return await _change_user(uow, actor, base, resource_id, current, wanted)


def _patched(model: Any, current: Any, payload: Any) -> Any:
    """A copy of `current` with the PatchOp `payload` applied (RFC 7644 §3.5.2)."""
    operations = _parse(PatchOp[model], payload, Context.RESOURCE_PATCH_REQUEST)
    wanted = current.model_copy(deep=True)
    operations.patch(wanted, scim_policy=wire.POLICY)
    return wanted


async def _change_user(
    uow: UnitOfWork,
    actor: ClientActor,
    base: str,
    resource_id: str,
    current: wire.FullUser,
    wanted: wire.FullUser,
) -> wire.FullUser:
    person = await _person(uow, resource_id)
    extension = wanted[wire.EnterpriseUser] or wire.EnterpriseUser()
    unit = await _unit(uow, extension.department)
    supervisor = await _manager_number(uow, extension.manager)
    current_supervisor = (await uow.scim.numbers([person.supervisor_id])).get(person.supervisor_id)  # type: ignore[arg-type]
    leaves = wanted.active is False and person.status != EmployeeStatus.retired
    returns = wanted.active is not False and person.status == EmployeeStatus.retired
    number, at = person.employee_number, clock.now().isoformat()
    if unit.organisation != person.organisation:
        # No change event moves a person to another organisation: the directory's snapshot of this one person does.
        row = {
            "employee_number": number,
            "organisation": unit.organisation,
            "unit": unit.key,
            "supervisor": supervisor,
            "status": EmployeeStatus.retired if leaves else EmployeeStatus.active if returns else person.status,
        }
        await personnel.sync_directory(
            uow, actor, _snapshot_of(employees=[row]), mode=SyncMode.upsert, action=SCIM_UPSERT
        )
    else:
        events = _placement_events(number, at, person.unit, unit.key, current_supervisor, supervisor)
        events += [_event(number, "retirement", at)] if leaves else []
        events += [_event(number, "returned", at)] if returns else []
        if events:
            await personnel.record_events(uow, actor, _events_of(events))
    await uow.scim.set_external_id(person.id, wanted.external_id)
    await uow.scim.flush()
    return _user(base, await _person(uow, resource_id))


def _placement_events(
    number: str, at: str, unit_before: str | None, unit_after: str, sup_before: str | None, sup_after: str | None
) -> list[dict[str, Any]]:
    """RET-1 sees these as the personnel system's own events: a transfer (with its new supervisor), or a new
    supervisor alone."""
    if unit_after != unit_before:
        transfer = _event(
            number, "transfer", at, {"unit": unit_after} | ({"supervisor": sup_after} if sup_after else {})
        )
        if sup_after is None and sup_before is not None:
            return [transfer, _event(number, "new_supervisor", at, {"supervisor": None})]
        return [transfer]
    if sup_after != sup_before:
        return [_event(number, "new_supervisor", at, {"supervisor": sup_after})]
    return []


async def delete_user(uow: UnitOfWork, actor: ClientActor, resource_id: str, if_match: str | None, base: str) -> None:
    """RFC 7644 §3.6: the user answers 404 from now on. WithU keeps the person: deleting is leaving the
    organisation (a `retirement` event: SEP-6 ends their orders, RET-1 looks at it) when they had not left."""
    current = await get_user(uow, actor, base, resource_id)
    check_version(current, if_match)
    person = await _person(uow, resource_id)
    if person.status != EmployeeStatus.retired:
        events = [_event(person.employee_number, "retirement", clock.now().isoformat())]
        await personnel.record_events(uow, actor, _events_of(events))
    await uow.scim.mark_deleted(person.id)


# --- writing: groups ------------------------------------------------------------------------------------------


async def _member_numbers(uow: UnitOfWork, group: wire.FullGroup) -> dict[uuid.UUID, str]:
    ids: list[uuid.UUID] = []
    for member in group.members or []:
        key = _uuid(member.value)
        if key is None or (member.type not in (None, "User")):
            raise InvalidValueException(detail="members: only users can be members.")
        ids.append(key)
    found = {}
    for key in ids:
        person = await uow.scim.person(key)
        if person is None:
            raise InvalidValueException(detail="members: no such user.")
        found[key] = person.employee_number
    return found


def _unit_row(row: ScimGroupRow, name: str) -> dict[str, Any]:
    return {"id": row.key, "organisation": row.organisation, "parent": row.parent, "name": name, "head": row.head}


async def create_group(uow: UnitOfWork, actor: ClientActor, base: str, payload: Any) -> wire.FullGroup:
    group = _parse(wire.FullGroup, payload, Context.RESOURCE_CREATION_REQUEST)
    extension = group[wire.WithUGroup] or wire.WithUGroup()
    if extension.kind not in wire.GROUP_KINDS:
        raise InvalidValueException(detail=f"kind: one of {', '.join(wire.GROUP_KINDS)}.")
    if extension.organization not in await uow.scim.organisation_keys():
        raise InvalidValueException(detail="organization: no such organisation.")
    members = await _member_numbers(uow, group)
    key = f"scim-{uuid.uuid4().hex}"  # the group's id for the WithU API (separation check, events)
    row = {"id": key, "organisation": extension.organization, "name": group.display_name}
    if extension.kind == wire.UNIT:
        snapshot = _snapshot_of(units=[row])
    else:
        snapshot = _snapshot_of(assignments=[row | {"kind": extension.kind, "members": []}])
    await personnel.sync_directory(uow, actor, snapshot, mode=SyncMode.upsert, action=SCIM_UPSERT)
    created = next(g for g in await uow.scim.groups() if g.key == key)
    await _change_members(uow, actor, created, set(), set(members.values()))
    await uow.scim.set_external_id(created.id, group.external_id)
    await uow.scim.flush()
    return await get_group(uow, actor, base, str(created.id))


async def replace_group(
    uow: UnitOfWork, actor: ClientActor, base: str, resource_id: str, payload: Any, if_match: str | None
) -> wire.FullGroup:
    current = await get_group(uow, actor, base, resource_id)
    check_version(current, if_match)
    wanted = _parse(wire.FullGroup, payload, Context.RESOURCE_REPLACEMENT_REQUEST)
    return await _change_group(uow, actor, base, resource_id, current, wanted)


async def patch_group(
    uow: UnitOfWork, actor: ClientActor, base: str, resource_id: str, payload: Any, if_match: str | None
) -> wire.FullGroup:
    current = await get_group(uow, actor, base, resource_id)
    check_version(current, if_match)
    wanted = _patched(wire.FullGroup, current, payload)
    return await _change_group(uow, actor, base, resource_id, current, wanted)


async def _change_group(
    uow: UnitOfWork,
    actor: ClientActor,
    base: str,
    resource_id: str,
    current: wire.FullGroup,
    wanted: wire.FullGroup,
) -> wire.FullGroup:
    row = await _group_row(uow, resource_id)
    extension = wanted[wire.WithUGroup]
    if extension is not None and (
        (extension.kind is not None and extension.kind != (row.kind.value if row.kind else wire.UNIT))
        or (extension.organization is not None and extension.organization != row.organisation)
    ):
        raise MutabilityException(detail="kind and organization are set when a group is created.")
    before = set((await _member_numbers(uow, current)).values())
    after = set((await _member_numbers(uow, wanted)).values())
    name = wanted.display_name or row.name
    if name != row.name:
        if row.kind is None:
            snapshot = _snapshot_of(units=[_unit_row(row, name)])
        else:
            listed = {"id": row.key, "organisation": row.organisation, "kind": row.kind, "name": name}
            snapshot = _snapshot_of(assignments=[listed | {"members": sorted(before)}])
        await personnel.sync_directory(uow, actor, snapshot, mode=SyncMode.upsert, action=SCIM_UPSERT)
    await _change_members(uow, actor, row, before, after)
    await uow.scim.set_external_id(row.id, wanted.external_id)
    await uow.scim.flush()
    return await get_group(uow, actor, base, resource_id)


async def _change_members(
    uow: UnitOfWork, actor: ClientActor, row: ScimGroupRow, before: set[str], after: set[str]
) -> None:
    """Joining a unit is a transfer into it; leaving a unit (for none) is the snapshot of that person without a
    unit; joining or leaving an assignment is the event of that name. All in one go, all or nothing."""
    at = clock.now().isoformat()
    joined, left = sorted(after - before), sorted(before - after)
    if row.kind is None:
        events = [_event(n, "transfer", at, {"unit": row.key}) for n in joined]
        if left:
            await _without_unit(uow, actor, left)
    else:
        events = [_event(n, "joined_assignment", at, {"assignment": row.key}) for n in joined]
        events += [_event(n, "left_assignment", at, {"assignment": row.key}) for n in left]
    if events:
        await personnel.record_events(uow, actor, _events_of(events))


async def _without_unit(uow: UnitOfWork, actor: ClientActor, numbers: list[str]) -> None:
    employees = await uow.personnel.employees_by_numbers(numbers)
    supervisors = await uow.scim.numbers([e.supervisor_id for e in employees.values() if e.supervisor_id])
    rows = []
    for number, employee in sorted(employees.items()):
        person = await uow.scim.person(employee.id)
        assert person is not None  # noqa: S101 - a member SCIM sees
        rows.append(
            {
                "employee_number": number,
                "organisation": person.organisation,
                "unit": None,
                "supervisor": supervisors.get(employee.supervisor_id) if employee.supervisor_id else None,
                "status": employee.status,
                "retired_on": employee.retired_on,
            }
        )
    await personnel.sync_directory(uow, actor, _snapshot_of(employees=rows), mode=SyncMode.upsert, action=SCIM_UPSERT)


async def delete_group(uow: UnitOfWork, actor: ClientActor, resource_id: str, if_match: str | None, base: str) -> None:
    """RFC 7644 §3.6: the group answers 404 from now on. An assignment's members leave it first (events); a unit
    that still holds people or units is refused: its people move elsewhere first (a transfer each)."""
    current = await get_group(uow, actor, base, resource_id)
    check_version(current, if_match)
    row = await _group_row(uow, resource_id)
    members = set((await _member_numbers(uow, current)).values())
    if row.kind is None and (members or await uow.scim.unit_has_children(row.id)):
        raise InvalidValueException(detail="A unit that holds people or units is not deleted: move them first.")
    await _change_members(uow, actor, row, members, set())
    await uow.scim.mark_deleted(row.id)
