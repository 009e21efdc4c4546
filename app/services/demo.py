"""Development-only demo data: staff of every role with known passwords, the gender-violence division in a demo
personnel directory (a case-team account sees cases only with an employee number the directory knows, F2), and one
report in the queue."""

from __future__ import annotations

from datetime import datetime

import pyotp

from app.db.uow import UnitOfWork
from app.domain.access import CASE_TEAM_ROLES
from app.domain.directory import SyncMode
from app.domain.enums import Category, EmployeeStatus, IdentityMode, OrgKind, ReporterKind, Role, Team
from app.domain.errors import AccessDenied, NotFound
from app.schemas.personnel import DirectorySnapshot, EmployeeIn, OrganisationIn, UnitIn
from app.schemas.report import PersonReference, ReportCreate, Workplace
from app.services import audit, clock
from app.services.actors import SystemActor
from app.services.admin import create_user
from app.services.auth import TOTP_PERIOD
from app.services.personnel import sync_directory
from app.services.reports import submit_report

DEMO_DOMAIN = "demo.withu.local"
DEMO_STAFF: list[tuple[str, str, Role, Team | None]] = [
    ("intake", "Kim Intake (demo)", Role.intake, Team.intake_counselling),
    ("intake2", "Lee Intake (demo)", Role.intake, Team.intake_counselling),
    ("investigator", "Park Investigator (demo)", Role.investigator, Team.investigation),
    ("support", "Choi Support (demo)", Role.investigator, Team.victim_support_legal),
    ("lead-intake", "Jung Lead (demo)", Role.team_lead, Team.intake_counselling),
    ("lead-investigation", "Kang Lead (demo)", Role.team_lead, Team.investigation),
    ("head", "Yoon Division Head (demo)", Role.division_head, None),
    ("hr", "Han HR Officer (demo)", Role.hr_officer, None),
    ("auditor", "Seo Auditor (demo)", Role.auditor, None),
    ("sysadmin", "Oh Sysadmin (demo)", Role.sysadmin, None),
]
DEMO_SEED = SystemActor("demo-seed")
DEMO_ORGANISATION = "DEMO-SMG"
DEMO_DIVISION = "DEMO-GV"


def demo_password(slug: str) -> str:
    return f"withu-demo-{slug}-pw"


def demo_employee_number(slug: str) -> str:
    """The demo directory's employee number of a case-team demo account, e.g. E-DEMO-LEAD-INTAKE."""
    return f"E-DEMO-{slug.upper()}"


def _demo_unit(team: Team | None) -> str:
    return f"{DEMO_DIVISION}-{team.value.replace('_', '-').upper()}" if team else DEMO_DIVISION


def _demo_directory(now: datetime) -> DirectorySnapshot:
    """The gender-violence division as the personnel system would send it: the division head over a unit per team,
    each team lead over their team's members (members of a team without a lead report to the division head)."""
    case_team = [(slug, role, team) for slug, _, role, team in DEMO_STAFF if role in CASE_TEAM_ROLES]
    head = next(demo_employee_number(slug) for slug, role, _ in case_team if role == Role.division_head)
    leads = {team: demo_employee_number(slug) for slug, role, team in case_team if role == Role.team_lead}
    employees = []
    for slug, role, team in case_team:
        supervisor = None if role == Role.division_head else head if role == Role.team_lead else leads.get(team, head)
        employees.append(
            EmployeeIn(
                employee_number=demo_employee_number(slug),
                organisation=DEMO_ORGANISATION,
                unit=_demo_unit(team),
                supervisor=supervisor,
                status=EmployeeStatus.active,
            )
        )
    return DirectorySnapshot(
        as_of=now,
        organisations=[OrganisationIn(id=DEMO_ORGANISATION, name="Seoul Metropolitan Government (demo)", kind="smg")],
        units=[
            UnitIn(id=DEMO_DIVISION, organisation=DEMO_ORGANISATION, name="Gender-violence division (demo)", head=head),
            *(
                UnitIn(
                    id=_demo_unit(team),
                    organisation=DEMO_ORGANISATION,
                    parent=DEMO_DIVISION,
                    name=f"{team.value.replace('_', ' ').capitalize()} team (demo)",
                    head=leads.get(team),
                )
                for team in Team
            ),
        ],
        employees=employees,
    )


def _require_development(uow: UnitOfWork) -> None:
    if uow.settings.environment != "development":
        raise AccessDenied("Demo data exists in development only.")


async def seed_demo(uow: UnitOfWork) -> list[str]:
    """Create the demo staff (once) with the demo directory that verifies the case team's employee numbers, and
    print every login; the first seed also files a demo report."""
    _require_development(uow)
    await sync_directory(uow, DEMO_SEED, _demo_directory(clock.now()), mode=SyncMode.upsert)  # adds, never removes
    lines = ["Demo staff (development only; sign in with e-mail, password and the TOTP code):"]
    first_seed = False
    for slug, name, role, team in DEMO_STAFF:
        email = f"{slug}@{DEMO_DOMAIN}"
        number = demo_employee_number(slug) if role in CASE_TEAM_ROLES else None
        user = await uow.staff.user_by_email(email)
        if user is None:
            first_seed = True
            user, _ = await create_user(
                uow,
                email=email,
                display_name=name,
                role=role,
                team=team,
                password=demo_password(slug),
                employee_number=number,
            )
        elif user.employee_number is None and number is not None:  # seeded before the demo directory existed
            user.employee_number = number
            await audit.record(uow, DEMO_SEED, "user.updated", target=str(user.id))
        lines.append(
            f"  {role.value:<14} {email:<36} password {demo_password(slug):<34} TOTP secret {user.totp_secret}"
        )
    lines.append("  current TOTP code: .venv/bin/withu demo totp EMAIL   (or any authenticator app with the secret)")
    if first_seed:
        _, receipt = await submit_report(
            uow,
            ReportCreate(
                reporter_kind=ReporterKind.third_party,
                identity_mode=IdentityMode.anonymous,
                category=Category.sexual_harassment,
                narrative="Demo report: at the team dinner a senior manager repeatedly touched a junior colleague "
                "and made sexual comments. (This is demonstration data.)",
                respondent=PersonReference(description="senior manager, demo unit"),
                workplace=Workplace(kind=OrgKind.smg, name="Demo bureau"),
            ),
            None,
        )
        lines.append(
            f"Demo report {receipt['case_reference']} filed; its receipt code (shown once): {receipt['receipt_code']}"
        )
    return lines


async def current_totp(uow: UnitOfWork, email: str) -> str:
    """A TOTP code of a demo user that sign-in will accept now (development only): the current one, or — when
    it was used already (a code works once) — the next one, which sign-in accepts as clock drift."""
    _require_development(uow)
    user = await uow.staff.user_by_email(email)
    if user is None or not user.email.endswith(f"@{DEMO_DOMAIN}"):
        raise NotFound("No such demo user.")
    step = max(int(clock.now().timestamp()) // TOTP_PERIOD, user.last_totp_step + 1)
    return pyotp.TOTP(user.totp_secret, interval=TOTP_PERIOD).at(step * TOTP_PERIOD)


async def seconds_until_totp_accepted(uow: UnitOfWork, email: str) -> float:
    """How long `withu demo totp` waits before printing: 0, unless this step's code and the next were both used
    (a third sign-in within 30 s); then until the next step begins, when `current_totp`'s code is accepted."""
    _require_development(uow)
    user = await uow.staff.user_by_email(email)
    if user is None or not user.email.endswith(f"@{DEMO_DOMAIN}"):
        raise NotFound("No such demo user.")
    return totp_wait_seconds(user.last_totp_step, clock.now().timestamp())


def totp_wait_seconds(last_used_step: int, now_ts: float) -> float:
    """Sign-in accepts a step up to one ahead of now, once: the step after the last used one is accepted from the
    moment the last used step is the current one."""
    return max(0.0, last_used_step * TOTP_PERIOD - now_ts)
