"""The reporter's inbox, reached with the receipt code (CASE-4)."""

from fastapi import Depends

from app.api.deps import CurrentReporter, Uow
from app.api.problems import BUSY_RESPONSES
from app.api.ratelimit import ReceiptGuesser, rate_limited
from app.api.router import make_router
from app.schemas.inbox import InboxRead, InboxSessionCreate, MessageCreate, MessageCreated, TokenRead
from app.services import inbox

router = make_router("inbox")


@router.post(
    "/inbox/session",
    response_model=TokenRead,
    dependencies=[Depends(rate_limited("receipt"))],
    responses=BUSY_RESPONSES,  # the receipt code's Argon2 check
)
async def open_inbox_session(command: InboxSessionCreate, uow: Uow, guesser: ReceiptGuesser) -> TokenRead:
    """Exchange the receipt code for a short-lived inbox token (sent in the body, never in a URL)."""
    return await inbox.open_session(uow, command.receipt_code, guesser)


@router.get("/inbox", response_model=InboxRead)
async def read_inbox(uow: Uow, reporter: CurrentReporter) -> InboxRead:
    """The case's status, the deadlines that concern the reporter, and the conversation with the case team."""
    return await inbox.read_inbox(uow, reporter)


@router.post("/inbox/messages", status_code=201, response_model=MessageCreated)
async def write_to_case_team(command: MessageCreate, uow: Uow, reporter: CurrentReporter) -> MessageCreated:
    """Write to the case team. After the case is closed the inbox is read-only."""
    return await inbox.send_message(uow, reporter, command)
