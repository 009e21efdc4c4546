"""The manual (MAN-1, MAN-2): public role guides, the case team's guide, and the next steps for a case."""

import uuid

from app.api.deps import AppSettings, CurrentStaff, Uow
from app.api.router import make_router
from app.schemas.manual import Lang, ManualIndex, NextSteps, RoleManual
from app.services import manual

router = make_router("manual")

# Broken data files stop the application at start-up instead of failing the first person who opens the manual.
manual.load()


@router.get("/manual", response_model=ManualIndex)
async def read_manual_index() -> ManualIndex:
    """The manual's version, languages, roles (titles in every language) and changelog. No sign-in."""
    return manual.manual_index()


# Declared before `/manual/{role}` so that this path, which needs a staff token, is matched first.
@router.get("/manual/case_team", response_model=RoleManual)
async def read_case_team_manual(staff: CurrentStaff, settings: AppSettings, lang: Lang = Lang.ko) -> RoleManual:
    """The case team's manual with the next steps for every case status (MAN-2); case-team staff only."""
    return manual.role_manual("case_team", lang, staff, settings)


@router.get("/manual/{role}", response_model=RoleManual)
async def read_role_manual(role: str, settings: AppSettings, lang: Lang = Lang.ko) -> RoleManual:
    """What a role does in an actual situation (MAN-1): victim, witness, manager, hr, contractor. No sign-in."""
    return manual.role_manual(role, lang, None, settings)


@router.get("/cases/{case_id}/next-steps", response_model=NextSteps)
async def read_next_steps(case_id: uuid.UUID, uow: Uow, staff: CurrentStaff, lang: Lang = Lang.ko) -> NextSteps:
    """The next steps the manual prescribes for this case in its current status and finding (MAN-2)."""
    return await manual.next_steps(uow, staff, case_id, lang)
