"""The router factory every resource uses: units of work, and the problem responses declared."""

from fastapi import APIRouter

from app.api.problems import COMMON_RESPONSES
from app.api.unit_of_work import UnitOfWorkRoute


def make_router(tag: str) -> APIRouter:
    return APIRouter(prefix="/api/v1", tags=[tag], route_class=UnitOfWorkRoute, responses=COMMON_RESPONSES)
