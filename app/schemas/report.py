"""INT-2, INT-3: what a report carries."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import EmailStr, Field, StringConstraints

from app.domain.enums import Category, IdentityMode, OrgKind, ReporterKind
from app.domain.intake import NARRATIVE_MAX, NARRATIVE_MIN
from app.domain.statistics import SupportKind
from app.schemas.common import EmployeeNumber, MediumText, ShortText, Strict

Narrative = Annotated[str, StringConstraints(strip_whitespace=True, min_length=NARRATIVE_MIN, max_length=NARRATIVE_MAX)]
# SD-2: a case reference as handed to others (entry tolerates case and surrounding spaces; the pattern is
# checked before the upper-casing).
CaseReference = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[Ww][Uu]-[0-9A-Za-z]{5}-[0-9A-Za-z]{5}$")
]


class PersonIdentity(Strict):
    """The reporter's own identity (named or confidential reports only)."""

    name: ShortText
    email: EmailStr | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^[0-9+ ()-]{6,30}$")] | None = None
    employee_number: EmployeeNumber | None = None


class PersonReference(Strict):
    """Someone the report names: by employee number, by name, or by description."""

    employee_number: EmployeeNumber | None = None
    name: ShortText | None = None
    description: MediumText | None = None
    ambassador_id: uuid.UUID | None = Field(
        default=None, description="AMB-2: the respondent is a publicity ambassador (id from the public listing)."
    )


class Workplace(Strict):
    kind: OrgKind
    name: ShortText | None = None
    unit: ShortText | None = None
    contract_number: ShortText | None = Field(
        default=None, description="CON-1: a commissioned organisation's contract number, if known (kind contractor)."
    )


class ReportCreate(Strict):
    """A new report. Only `reporter_kind`, `identity_mode` and `narrative` are required."""

    reporter_kind: ReporterKind
    identity_mode: IdentityMode
    narrative: Narrative = Field(description="What happened, 10–20,000 characters.")
    reporter: PersonIdentity | None = Field(default=None, description="Absent for anonymous reports.")
    category: Category = Category.other
    occurred_on: date | None = None
    occurred_when: MediumText | None = Field(default=None, description="When, in the reporter's words.")
    location: MediumText | None = None
    respondent: PersonReference | None = None
    victim: PersonReference | None = Field(default=None, description="Only when a third party reports.")
    witnesses: list[PersonReference] = Field(
        default_factory=list, max_length=20, description="RET-1: by employee number, a protected person."
    )
    helpers: list[PersonReference] = Field(
        default_factory=list,
        max_length=20,
        description="RET-1: people who helped the victim; by employee number, a protected person (role helper).",
    )
    workplace: Workplace | None = None
    wishes: MediumText | None = Field(default=None, description="What the reporter wants to happen.")
    escrow: bool = Field(
        default=False,
        description="CASE-8: keep the report sealed until a second, independent report names the same respondent "
        "(needs the respondent's employee number).",
    )
    objects_to_ministry_notification: bool = Field(
        default=False,
        description="CASE-2: the victim objects to the gender-equality ministry being notified.",
    )
    original_case_reference: CaseReference | None = Field(
        default=None,
        description="SD-2: with category secondary_damage only — the reference of the case the harm is linked to. "
        "The answer is the same whether or not the reference is known.",
    )
    support_requested: list[SupportKind] = Field(
        default_factory=list,
        max_length=len(SupportKind),
        description="WU-1: support asked for; counted under #WithU for citizens' workplaces.",
    )


class ReportReceipt(Strict):
    """Shown exactly once: the receipt code is never stored or shown again (INT-4)."""

    receipt_code: str
    case_reference: str
    status: str
    message: str
