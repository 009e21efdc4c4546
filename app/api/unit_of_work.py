"""Routes that run inside a unit of work and commit it before the response is sent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.db.uow import UnitOfWork
from app.domain.errors import Conflict, DomainError


class ConcurrentChange(Conflict):
    code = "concurrent-change"
    title = "Someone else changed this at the same time. Nothing was saved; try again."


class UnitOfWorkRoute(APIRoute):
    """Opens the request's unit of work, commits it after a successful answer and before it is sent; on any
    error everything rolls back, except what a `keeps_changes` error must keep (failure counters)."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            runtime = request.app.state.runtime
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

        return handler
