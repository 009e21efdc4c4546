"""Development-only demo data: staff of every role with known passwords, and one report in the queue."""

from __future__ import annotations

import pyotp

from app.db.uow import UnitOfWork
from app.domain.enums import Category, IdentityMode, OrgKind, ReporterKind, Role, Team
from app.domain.errors import AccessDenied, NotFound
from app.schemas.report import PersonReference, ReportCreate, Workplace
from app.services import clock
from app.services.admin import create_user
from app.services.auth import TOTP_PERIOD
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


def demo_password(slug: str) -> str:
    return f"withu-demo-{slug}-pw"


def _require_development(uow: UnitOfWork) -> None:
    if uow.settings.environment != "development":
        raise AccessDenied("Demo data exists in development only.")


async def seed_demo(uow: UnitOfWork) -> list[str]:
    """Create the demo staff (once) and print every login; the first seed also files a demo report."""
    _require_development(uow)
    lines = ["Demo staff (development only; sign in with e-mail, password and the TOTP code):"]
    first_seed = False
    for slug, name, role, team in DEMO_STAFF:
        email = f"{slug}@{DEMO_DOMAIN}"
        user = await uow.staff.user_by_email(email)
        if user is None:
            first_seed = True
            user, _ = await create_user(
                uow, email=email, display_name=name, role=role, team=team, password=demo_password(slug)
            )
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
