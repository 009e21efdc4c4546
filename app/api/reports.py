"""Public intake: anyone submits a report, without an account (INT-1)."""

from typing import Annotated

from fastapi import Depends, Header
from fastapi.responses import JSONResponse

from app.api.deps import Uow
from app.api.problems import BUSY_RESPONSES
from app.api.ratelimit import rate_limited, under_submission_ceiling
from app.api.router import make_router
from app.schemas.report import ReportCreate, ReportReceipt
from app.services import reports

router = make_router("reports")

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[A-Za-z0-9_-]{16,128}$",
        description="16–128 random characters (e.g. a UUID). A retry with the same key and body gets the same answer.",
    ),
]


@router.post(
    "/reports",
    status_code=201,
    response_model=ReportReceipt,
    dependencies=[Depends(rate_limited("submit")), Depends(under_submission_ceiling)],
    responses=BUSY_RESPONSES,  # the receipt code's Argon2 hash; the submission ceiling
)
async def submit_report(command: ReportCreate, uow: Uow, idempotency_key: IdempotencyKeyHeader = None) -> JSONResponse:
    """Submit a report (no account). The receipt code in the answer is shown once and never again."""
    status, body = await reports.submit_report(uow, command, idempotency_key)
    return JSONResponse(body, status_code=status)
