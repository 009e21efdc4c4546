"""INT-2 and INT-3: what a report must and must not carry."""

from __future__ import annotations

from app.domain.enums import IdentityMode, ReporterKind
from app.domain.errors import IdentityNotAllowed, IdentityRequired, VictimOnlyForThirdParty

NARRATIVE_MIN = 10
NARRATIVE_MAX = 20_000


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
