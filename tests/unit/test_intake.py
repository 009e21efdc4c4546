"""`app/domain/intake.py`: INT-2 report shape and INT-3 narrative bounds."""

from __future__ import annotations

import pytest

from app.domain.enums import IdentityMode, ReporterKind
from app.domain.errors import IdentityNotAllowed, IdentityRequired, RuleViolation, VictimOnlyForThirdParty
from app.domain.intake import NARRATIVE_MAX, NARRATIVE_MIN, check_report_shape, identity_visible_to_case_team

R, M = ReporterKind, IdentityMode


@pytest.mark.parametrize(
    ("reporter", "mode", "has_identity", "names_victim", "error"),
    [
        # allowed shapes
        (R.victim, M.anonymous, False, False, None),
        (R.victim, M.confidential, True, False, None),
        (R.victim, M.named, True, False, None),
        (R.third_party, M.anonymous, False, False, None),
        (R.third_party, M.anonymous, False, True, None),
        (R.third_party, M.confidential, True, True, None),
        (R.third_party, M.named, True, True, None),
        (R.third_party, M.named, True, False, None),
        # anonymous carries no identity
        (R.victim, M.anonymous, True, False, IdentityNotAllowed),
        (R.third_party, M.anonymous, True, True, IdentityNotAllowed),
        # named and confidential need it
        (R.victim, M.named, False, False, IdentityRequired),
        (R.victim, M.confidential, False, False, IdentityRequired),
        (R.third_party, M.named, False, True, IdentityRequired),
        (R.third_party, M.confidential, False, False, IdentityRequired),
        # only a third party names a victim
        (R.victim, M.anonymous, False, True, VictimOnlyForThirdParty),
        (R.victim, M.named, True, True, VictimOnlyForThirdParty),
        (R.victim, M.confidential, True, True, VictimOnlyForThirdParty),
    ],
)
def test_int_2_check_report_shape(
    reporter: ReporterKind,
    mode: IdentityMode,
    has_identity: bool,
    names_victim: bool,
    error: type[RuleViolation] | None,
) -> None:
    """INT-2: anonymous reports carry no identity, named/confidential ones need it, only third parties name a victim."""
    if error is None:
        assert check_report_shape(reporter, mode, has_identity, names_victim) is None
    else:
        with pytest.raises(error) as caught:
            check_report_shape(reporter, mode, has_identity, names_victim)
        assert isinstance(caught.value, RuleViolation)


@pytest.mark.parametrize(("mode", "visible"), [(M.anonymous, False), (M.confidential, True), (M.named, True)])
def test_int_2_identity_visible_to_case_team(mode: IdentityMode, visible: bool) -> None:
    """INT-2: a confidential or named identity is visible to the assigned case team; anonymous has none."""
    assert identity_visible_to_case_team(mode) is visible


def test_int_3_narrative_bounds() -> None:
    """INT-3: the narrative is 10 to 20,000 characters."""
    assert (NARRATIVE_MIN, NARRATIVE_MAX) == (10, 20_000)
