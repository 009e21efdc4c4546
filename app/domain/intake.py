"""INT-2 and INT-3: what a report must and must not carry."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.domain.enums import IdentityMode, OrgKind, ReporterKind
from app.domain.errors import IdentityNotAllowed, IdentityRequired, VictimOnlyForThirdParty
from app.domain.statistics import SupportKind

NARRATIVE_MIN = 10
NARRATIVE_MAX = 20_000


@dataclass(frozen=True)
class ReportFacts:
    """What a report says that its case's consequences act on, read from the stored report (the same at
    submission and on release from escrow): employee numbers for RET-1 and SEP-1, the ambassador for AMB-2,
    the contract for CON-1, the support asked for (WU-1), escrow (CASE-8), the objection for CASE-2."""

    reporter_kind: ReporterKind
    identity_mode: IdentityMode  # SEP-1 (F11): an anonymous third party's order awaits triage
    reporter_number: str | None = None  # the reporter's own employee number (named or confidential reports)
    victim_number: str | None = None  # the victim a third party names
    respondent_number: str | None = None
    witness_numbers: tuple[str, ...] = ()
    helper_numbers: tuple[str, ...] = ()  # RET-1: the people who helped the victim
    ambassador_id: uuid.UUID | None = None  # the respondent named as a publicity ambassador
    workplace_kind: OrgKind | None = None
    contract_number: str | None = None
    support_requested: tuple[SupportKind, ...] = ()
    escrow: bool = False
    objects_to_ministry_notification: bool = False


def check_report_shape(
    reporter_kind: ReporterKind, identity_mode: IdentityMode, has_identity: bool, names_victim: bool
) -> None:
    """INT-2: anonymous reports store no identity; named and confidential ones need it; only a third party
    names a victim other than themselves."""
    if identity_mode == IdentityMode.anonymous and has_identity:
        raise IdentityNotAllowed()
    if identity_mode != IdentityMode.anonymous and not has_identity:
        raise IdentityRequired()
    if names_victim and reporter_kind != ReporterKind.third_party:
        raise VictimOnlyForThirdParty()


def identity_visible_to_case_team(identity_mode: IdentityMode) -> bool:
    """INT-2: a confidential or named identity is shown to the assigned case team (CASE-5 governs others)."""
    return identity_mode != IdentityMode.anonymous
