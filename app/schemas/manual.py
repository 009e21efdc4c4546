"""The manual (MAN-1, MAN-2): the shape of its data files and of the API's answers."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.domain.enums import CaseStatus, Category, Finding, OrgKind

# Blank or whitespace-only text is refused: every section must say something in every language.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
RuleId = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,4}-[0-9]{1,2}$")]
Audience = Literal["public", "case_team"]


class Lang(StrEnum):
    """The manual's languages."""

    ko = "ko"
    en = "en"


class _File(BaseModel):
    """Data files are strict: a misspelt key fails loading instead of silently dropping text."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Section(_File):
    """One topic of a role's manual: short points, and the rules they rest on."""

    id: Slug
    title: Text
    points: list[Text] = Field(min_length=1)
    rules: list[RuleId] = Field(default_factory=list)


class StepCondition(_File):
    """A step that applies only to some cases (e.g. public bodies); absent = every case."""

    org_kinds: list[OrgKind] | None = Field(default=None, min_length=1)
    categories: list[Category] | None = Field(default=None, min_length=1)


class Step(_File):
    """One next step the manual prescribes for the case team (MAN-2)."""

    id: Slug
    text: Text
    rules: list[RuleId] = Field(default_factory=list)
    when: StepCondition | None = None


class StateGuide(_File):
    """The steps for one case status; `decided` adds steps per finding."""

    title: Text
    steps: list[Step] = Field(default_factory=list)
    findings: dict[Finding, StateGuide] | None = None


class RoleContent(_File):
    title: Text
    summary: Text
    sections: list[Section] = Field(min_length=1)


class EmergencyNumber(_File):
    number: Annotated[str, StringConstraints(pattern=r"^[0-9]{3,4}$")]
    label: Text


class RoleEntry(_File):
    id: Slug
    audience: Audience


class ChangelogEntry(_File):
    version: Text
    released_on: date
    changes: dict[Lang, list[Text]]


class IndexFile(_File):
    """`index.json`: the version, the languages, the roles in order, the changelog."""

    version: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}\.[0-9]{1,2}(\.[0-9]+)?$")]
    released_on: date
    languages: list[Lang] = Field(min_length=1)
    roles: list[RoleEntry] = Field(min_length=1)
    changelog: list[ChangelogEntry] = Field(min_length=1)


class PublicFile(_File):
    """`public.<lang>.json`: what anyone may read (and the PWA may keep offline)."""

    version: str
    language: Lang
    emergency: list[EmergencyNumber] = Field(min_length=1)
    roles: dict[Slug, RoleContent]


class StaffFile(_File):
    """`staff.<lang>.json`: the case team's manual and the next steps per case status."""

    version: str
    language: Lang
    roles: dict[Slug, RoleContent]
    states: dict[CaseStatus, StateGuide]


# --- API answers -------------------------------------------------------------------------------------------------


class RoleListing(BaseModel):
    id: str
    audience: Audience = Field(description="`public`: no sign-in; `case_team`: a case-team staff token.")
    titles: dict[Lang, str]
    summaries: dict[Lang, str]


class ManualIndex(BaseModel):
    version: str
    released_on: date
    languages: list[Lang]
    roles: list[RoleListing]
    changelog: list[ChangelogEntry]


class StateSteps(BaseModel):
    """The steps for a status (and, for `decided`, a finding)."""

    status: CaseStatus
    finding: Finding | None
    title: str
    steps: list[Step]


class RoleManual(BaseModel):
    version: str
    lang: Lang
    role: str
    audience: Audience
    title: str
    summary: str
    sections: list[Section]
    emergency: list[EmergencyNumber]
    states: list[StateSteps] | None = Field(
        default=None, description="The case team's next steps for every status (MAN-2); only for `case_team`."
    )


class NextSteps(BaseModel):
    """MAN-2: what the manual prescribes for this case now."""

    version: str
    lang: Lang
    case_id: uuid.UUID
    status: CaseStatus
    finding: Finding | None
    title: str
    steps: list[Step]
