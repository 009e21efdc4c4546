"""SCIM 2.0 (RFC 7644) at /scim/v2: the personnel system provisions the directory with a standard client.

Authorised by a machine client's bearer token with the scope `scim` (the `hr_system` kind). Every answer is
`application/scim+json`; every error under /scim/v2 has SCIM's shape (`urn:ietf:params:scim:api:messages:2.0:Error`,
status as a string, scimType), whatever raised it — other paths keep their problem+json (`install`)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from scim2_models import (
    Context,
    Error,
    InvalidSyntaxException,
    InvalidValueException,
    ListResponse,
    NotFoundException,
    NotImplementedException,
    ResourceType,
    ResponseParameters,
    Schema,
    SCIMException,
)
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.deps import Uow, client_with_scope
from app.api.problems import HttpProblem, status_of
from app.api.unit_of_work import UnitOfWorkRoute
from app.domain.errors import DomainError, RuleViolation
from app.schemas import scim as wire
from app.services import scim
from app.services.actors import ClientActor

PREFIX = "/scim/v2"
MEDIA_TYPE = "application/scim+json"
ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error"

router = APIRouter(prefix=PREFIX, tags=["scim"], route_class=UnitOfWorkRoute)
ScimClient = Annotated[ClientActor, client_with_scope("scim")]
IfMatch = Annotated[str | None, Header(alias="If-Match")]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + PREFIX


def _answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _parameters(attributes: str | None, excluded: str | None) -> ResponseParameters[Any] | None:
    if not attributes and not excluded:
        return None
    try:
        return ResponseParameters.model_validate(
            {
                "attributes": [a.strip() for a in attributes.split(",")] if attributes else None,
                "excludedAttributes": [a.strip() for a in excluded.split(",")] if excluded else None,
            }
        )
    except ValueError as exc:
        raise InvalidValueException(detail="attributes / excludedAttributes: not attribute paths.") from exc


def _resource(resource: Any, status: int = 200, parameters: ResponseParameters[Any] | None = None) -> Response:
    ctx = Context.RESOURCE_CREATION_RESPONSE if status == 201 else Context.RESOURCE_QUERY_RESPONSE
    headers = {"ETag": resource.meta.version, "Location": resource.meta.location}
    return _answer(wire.dump(resource, ctx=ctx, response_parameters=parameters), status, headers)


def _list(page: ListResponse[Any], parameters: ResponseParameters[Any] | None) -> Response:
    return _answer(wire.dump(page, ctx=Context.SEARCH_RESPONSE, response_parameters=parameters))


async def _body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except ValueError as exc:
        raise InvalidSyntaxException(detail="The body is not JSON.") from exc


# --- discovery (RFC 7644 §4) ------------------------------------------------------------------------------


@router.get("/ServiceProviderConfig")
async def service_provider_config(request: Request, client: ScimClient) -> Response:
    """What this SCIM service supports: PATCH, filters (`eq`, `and`), ETags, index paging; no bulk, no sort."""
    return _answer(wire.dump(scim.service_provider_config(_base(request))))


@router.get("/ResourceTypes")
async def resource_types(request: Request, client: ScimClient) -> Response:
    found = scim.resource_types(_base(request))
    page = ListResponse[ResourceType](
        total_results=len(found), start_index=1, items_per_page=len(found), resources=found
    )
    return _answer(wire.dump(page, ctx=Context.SEARCH_RESPONSE))


@router.get("/ResourceTypes/{name}")
async def resource_type(request: Request, name: str, client: ScimClient) -> Response:
    for found in scim.resource_types(_base(request)):
        if found.id == name:
            return _answer(wire.dump(found))
    raise NotFoundException(detail=f"No resource type {name}.")


@router.get("/Schemas")
async def schemas(request: Request, uow: Uow, client: ScimClient) -> Response:
    found = await scim.schemas(uow, _base(request))
    page = ListResponse[Schema](total_results=len(found), start_index=1, items_per_page=len(found), resources=found)
    return _answer(wire.dump(page, ctx=Context.SEARCH_RESPONSE))


@router.get("/Schemas/{urn}")
async def schema(request: Request, urn: str, uow: Uow, client: ScimClient) -> Response:
    for found in await scim.schemas(uow, _base(request)):
        if found.id == urn:
            return _answer(wire.dump(found))
    raise NotFoundException(detail=f"No schema {urn}.")


@router.post("/.search")
async def search_everything(client: ScimClient) -> Response:
    """Searching several resource types at once is not offered (RFC 7644 §3.4.3): search /Users or /Groups."""
    raise NotImplementedException(detail="Search /Users or /Groups.")


# --- Users and Groups (RFC 7644 §3.3–3.6) -----------------------------------------------------------------------

Filter = Annotated[str | None, Query(alias="filter", max_length=1000)]
StartIndex = Annotated[int | None, Query(alias="startIndex")]
Count = Annotated[int | None, Query(alias="count")]
Attributes = Annotated[str | None, Query(alias="attributes", max_length=1000)]
Excluded = Annotated[str | None, Query(alias="excludedAttributes", max_length=1000)]


@router.get("/Users")
async def list_users(
    request: Request,
    uow: Uow,
    client: ScimClient,
    filter_: Filter = None,
    start_index: StartIndex = None,
    count: Count = None,
    attributes: Attributes = None,
    excluded: Excluded = None,
) -> Response:
    """Employees by employee number; filter with `eq` on userName, employeeNumber, externalId (joined by `and`)."""
    page = await scim.list_users(uow, client, _base(request), filter_, start_index, count)
    return _list(page, _parameters(attributes, excluded))


@router.post("/Users")
async def create_user(request: Request, uow: Uow, client: ScimClient) -> Response:
    """A new employee (a one-person directory snapshot: SEP-1 opens the orders that waited for the number)."""
    return _resource(await scim.create_user(uow, client, _base(request), await _body(request)), 201)


@router.get("/Users/{resource_id}")
async def get_user(
    request: Request,
    resource_id: str,
    uow: Uow,
    client: ScimClient,
    attributes: Attributes = None,
    excluded: Excluded = None,
) -> Response:
    user = await scim.get_user(uow, client, _base(request), resource_id)
    return _resource(user, parameters=_parameters(attributes, excluded))


@router.put("/Users/{resource_id}")
async def replace_user(request: Request, resource_id: str, uow: Uow, client: ScimClient, if_match: IfMatch = None):
    """Replace an employee's placement: the changes become transfer / new_supervisor / retirement / returned events
    (RET-1, SEP-5, SEP-6 as for the personnel system's own events)."""
    body = await _body(request)
    return _resource(await scim.replace_user(uow, client, _base(request), resource_id, body, if_match))


@router.patch("/Users/{resource_id}")
async def patch_user(request: Request, resource_id: str, uow: Uow, client: ScimClient, if_match: IfMatch = None):
    body = await _body(request)
    return _resource(await scim.patch_user(uow, client, _base(request), resource_id, body, if_match))


@router.delete("/Users/{resource_id}", status_code=204)
async def delete_user(request: Request, resource_id: str, uow: Uow, client: ScimClient, if_match: IfMatch = None):
    """The user answers 404 from now on; WithU keeps the person, who has left the organisation (SEP-6)."""
    await scim.delete_user(uow, client, resource_id, if_match, _base(request))
    return Response(status_code=204)


@router.get("/Groups")
async def list_groups(
    request: Request,
    uow: Uow,
    client: ScimClient,
    filter_: Filter = None,
    start_index: StartIndex = None,
    count: Count = None,
    attributes: Attributes = None,
    excluded: Excluded = None,
) -> Response:
    """Org units and work assignments by name; filter with `eq` on displayName, externalId."""
    page = await scim.list_groups(uow, client, _base(request), filter_, start_index, count)
    return _list(page, _parameters(attributes, excluded))


@router.post("/Groups")
async def create_group(request: Request, uow: Uow, client: ScimClient) -> Response:
    return _resource(await scim.create_group(uow, client, _base(request), await _body(request)), 201)


@router.get("/Groups/{resource_id}")
async def get_group(
    request: Request,
    resource_id: str,
    uow: Uow,
    client: ScimClient,
    attributes: Attributes = None,
    excluded: Excluded = None,
) -> Response:
    group = await scim.get_group(uow, client, _base(request), resource_id)
    return _resource(group, parameters=_parameters(attributes, excluded))


@router.put("/Groups/{resource_id}")
async def replace_group(request: Request, resource_id: str, uow: Uow, client: ScimClient, if_match: IfMatch = None):
    body = await _body(request)
    return _resource(await scim.replace_group(uow, client, _base(request), resource_id, body, if_match))


@router.patch("/Groups/{resource_id}")
async def patch_group(request: Request, resource_id: str, uow: Uow, client: ScimClient, if_match: IfMatch = None):
    body = await _body(request)
    return _resource(await scim.patch_group(uow, client, _base(request), resource_id, body, if_match))


@router.delete("/Groups/{resource_id}", status_code=204)
async def delete_group(request: Request, resource_id: str, uow: Uow, client: ScimClient, if_match: IfMatch = None):
    await scim.delete_group(uow, client, resource_id, if_match, _base(request))
    return Response(status_code=204)


# --- errors: SCIM's shape under /scim/v2, problem+json elsewhere -------------------------------------------------


def error_response(status: int, detail: str | None, scim_type: str | None = None, **headers: str) -> Response:
    body: dict[str, Any] = {"schemas": [ERROR_URN], "status": str(status)}
    if scim_type:
        body["scimType"] = scim_type
    if detail:
        body["detail"] = detail
    return _answer(body, status, headers or None)


def _scim_error(exc: Exception) -> Response:
    if isinstance(exc, SCIMException):
        error: Error = exc.to_error()
        return error_response(error.status or 400, error.detail, error.scim_type)
    if isinstance(exc, DomainError):
        if isinstance(exc, RuleViolation):  # unknown reference, cycle, …: the directory refused the change
            return error_response(400, f"{exc.code}: {exc.detail or exc.title}", "invalidValue")
        status = status_of(exc)
        headers = {"WWW-Authenticate": 'Bearer realm="scim"'} if status == 401 else {}
        return error_response(status, exc.detail or exc.title, **headers)
    if isinstance(exc, HttpProblem):
        return error_response(exc.status, exc.detail or exc.title, **exc.headers)
    if isinstance(exc, RequestValidationError):
        return error_response(400, "The request's parameters are not valid.", "invalidValue")
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - the classes installed below
    detail = "Not found." if exc.status_code == 404 else str(exc.detail)
    return error_response(exc.status_code, detail, **dict(exc.headers or {}))


Handler = Callable[[Request, Exception], Awaitable[Response]]


def install(app: FastAPI) -> None:
    """Errors under /scim/v2 in SCIM's shape (RFC 7644 §3.12); every other path keeps its own handler. Call after
    `problems.install`."""
    for kind in (DomainError, HttpProblem, RequestValidationError, StarletteHTTPException, SCIMException):
        app.add_exception_handler(kind, _for_scim_paths(app.exception_handlers.get(kind)))


def _for_scim_paths(elsewhere: Handler | None) -> Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith(PREFIX + "/") or request.url.path == PREFIX or elsewhere is None:
            return _scim_error(exc)
        return await elsewhere(request, exc)

    return handler
