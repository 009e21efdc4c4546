"""Who is asking: a staff member, a reporter holding an inbox token, a machine client, or nobody."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from app.domain.access import StaffFacts
from app.domain.enums import ClientKind, Role, Team


@dataclass(frozen=True)
class StaffActor:
    user_id: uuid.UUID
    role: Role
    team: Team | None
    session_id: uuid.UUID
    employee_number: str | None = None
    # Issue 18: the sign-in's secret (from its token, never stored) and the private key sealed under it (from the
    # sign-in's row): together they open the wraps of the cases this staff member reads.
    key_secret: bytes | None = field(default=None, repr=False, compare=False)
    sealed_key: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def facts(self) -> StaffFacts:
        return StaffFacts(user_id=self.user_id, role=self.role, team=self.team, employee_number=self.employee_number)

    @property
    def audit_id(self) -> tuple[str, str]:
        return "staff", str(self.user_id)


@dataclass(frozen=True)
class ReporterActor:
    """Holds an inbox token: reaches exactly one report and its case."""

    report_id: uuid.UUID
    case_id: uuid.UUID
    # Issue 18: the key derived from the receipt code (carried by the inbox token, never stored): it opens the
    # reporter's own case and the cases linked to it through their inbox.
    reporter_key: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def audit_id(self) -> tuple[str, str | None]:
        # The reporter is never identified in the log, not even by report id.
        return "reporter", None


@dataclass(frozen=True)
class ClientActor:
    client_id: str
    kind: ClientKind
    scopes: frozenset[str]
    token_id: str | None = None  # the `jti` of the token it came with, for revocation (RFC 7009)

    @property
    def audit_id(self) -> tuple[str, str]:
        return "client", self.client_id


@dataclass(frozen=True)
class SystemActor:
    name: str = "system"

    @property
    def audit_id(self) -> tuple[str, str]:
        return "system", self.name


Actor = StaffActor | ReporterActor | ClientActor | SystemActor
