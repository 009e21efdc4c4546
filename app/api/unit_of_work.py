"""Routes that run inside a unit of work and commit it before the response is sent."""

from __future__ import annotations

import email.message
from collections.abc import Awaitable, Callable

from fastapi import Request, Response, params
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.api.problems import HttpProblem
from app.db.engine import is_unavailable
from app.db.uow import UnitOfWork
from app.domain.errors import Conflict, DomainError

RETRY_AFTER_SECONDS = 5


class ConcurrentChange(Conflict):
    code = "concurrent-change"
    title = "Someone else changed this at the same time. Nothing was saved; try again."


def database_unavailable() -> HttpProblem:
    """The database could not be reached or did not answer in time: nothing was saved, try again (finding 3)."""
    return HttpProblem(
        503,
        "database-unavailable",
        "The service cannot reach its database right now. Nothing was saved; please try again in a moment.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def unsupported_media_type() -> HttpProblem:
    return HttpProblem(415, "unsupported-media-type", "Send the body as JSON (Content-Type: application/json).")


class UnitOfWorkRoute(APIRoute):
    """Opens the request's unit of work, commits it after a successful answer and before it is sent; on any
    error everything rolls back, except what a `keeps_changes` error must keep (failure counters). A database that
    cannot be reached or does not answer in time gives 503 `database-unavailable` with Retry-After, never a 500."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        original = super().get_route_handler()
        takes_json = self.body_field is not None and not _is_form(self)

        async def handler(request: Request) -> Response:
            if takes_json and _has_body(request) and not _is_json(request.headers.get("content-type")):
                raise unsupported_media_type()
            runtime = request.app.state.runtime
            try:
                async with UnitOfWork(runtime.sessionmaker, runtime.settings) as uow:
                    request.state.uow = uow
                    try:
                        response = await original(request)
                        if response.status_code < 400:
                            await uow.commit()
                    except DomainError as exc:
                        if exc.keeps_changes:
                            await uow.commit()
                        raise
                    except (IntegrityError, StaleDataError) as exc:
                        raise ConcurrentChange() from exc
                    return response
            except Exception as exc:
                if is_unavailable(exc):
                    raise database_unavailable() from exc
                raise

        return handler


def _is_form(route: APIRoute) -> bool:
    return route.body_field is not None and isinstance(route.body_field.field_info, params.Form)


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return (length is not None and length != "0") or "transfer-encoding" in request.headers


def _is_json(content_type: str | None) -> bool:
    """application/json or application/*+json (SCIM's application/scim+json), as FastAPI reads JSON bodies."""
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (subtype == "json" or subtype.endswith("+json"))
