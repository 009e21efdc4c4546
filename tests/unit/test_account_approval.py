"""`app/domain/account_approval.py` and `app/domain/credentials.py` as examples (ACC-1, CASE-3; security review F1,
F2, F17): which account changes wait for a division head, who approves them, when an enrolment link works, and
which passwords are refused."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.account_approval import (
    Access,
    AccountChangeOutdated,
    OwnAccountApproval,
    RecusalWouldLift,
    change_kind,
    check_approver,
    check_employee_number_change,
    check_still_current,
    needs_approval,
)
from app.domain.credentials import (
    AlreadyEnrolled,
    EnrolmentLinkInvalid,
    PasswordStrength,
    PasswordTooCommon,
    PasswordTooShort,
    check_link_issuable,
    check_link_usable,
    check_password_length,
    check_password_strength,
)
from app.domain.enums import AccountChangeKind, Role, Team
from app.domain.errors import AccessDenied

INVESTIGATOR = Access(Role.investigator, Team.investigation, "E-1", active=True)
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("before", "after", "waits"),
    [
        (None, INVESTIGATOR, True),  # a new case-role account
        (None, Access(Role.division_head, None, None, active=True), True),
        (None, Access(Role.auditor, None, None, active=True), False),  # a new account outside the case team
        (Access(Role.hr_officer, None, None, True), INVESTIGATOR, True),  # promotion into a case role
        (INVESTIGATOR, Access(Role.investigator, Team.intake_counselling, "E-1", True), True),  # team
        (INVESTIGATOR, Access(Role.investigator, Team.investigation, "E-2", True), True),  # employee number
        (INVESTIGATOR, Access(Role.investigator, Team.investigation, None, True), True),
        (INVESTIGATOR, Access(Role.team_lead, Team.investigation, "E-1", True), True),  # role within the team
        (Access(Role.investigator, Team.investigation, "E-1", False), INVESTIGATOR, True),  # reactivation
        (INVESTIGATOR, Access(Role.investigator, Team.investigation, "E-1", False), False),  # deactivation
        (INVESTIGATOR, Access(Role.auditor, None, "E-1", True), False),  # leaving the case roles
        (INVESTIGATOR, INVESTIGATOR, False),  # nothing of the access changes
        (Access(Role.hr_officer, None, None, True), Access(Role.hr_officer, None, "E-9", True), False),
    ],
)
def test_acc_1_changes_that_give_or_move_case_access_wait(before: Access | None, after: Access, waits: bool) -> None:
    """ACC-1 (F1, F2): whatever gives or moves case access waits for a division head; taking it away never waits."""
    assert needs_approval(before, after) is waits


def test_acc_1_the_kind_of_a_waiting_change() -> None:
    inactive = Access(Role.investigator, Team.investigation, "E-1", active=False)
    assert change_kind(None, INVESTIGATOR) == AccountChangeKind.creation
    assert change_kind(inactive, INVESTIGATOR) == AccountChangeKind.reactivation
    assert (
        change_kind(INVESTIGATOR, Access(Role.team_lead, Team.investigation, "E-1", True)) == AccountChangeKind.change
    )


def test_acc_1_only_a_division_head_who_neither_asked_nor_is_concerned_approves() -> None:
    """ACC-1: the sysadmin (or a team lead) never approves; a division head not for their own request or account."""
    head, sysadmin, target = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    check_approver(approver_id=head, approver_role=Role.division_head, requester_id=sysadmin, target_id=target)
    for role in (Role.sysadmin, Role.team_lead, Role.hr_officer, Role.auditor):
        with pytest.raises(AccessDenied):
            check_approver(approver_id=head, approver_role=role, requester_id=sysadmin, target_id=target)
    for requester, concerned in ((head, target), (sysadmin, head)):
        with pytest.raises(OwnAccountApproval):
            check_approver(
                approver_id=head, approver_role=Role.division_head, requester_id=requester, target_id=concerned
            )


def test_acc_1_an_approval_applies_only_to_the_account_as_it_was_asked() -> None:
    check_still_current(INVESTIGATOR, INVESTIGATOR)
    with pytest.raises(AccountChangeOutdated):
        check_still_current(INVESTIGATOR, Access(Role.investigator, Team.investigation, "E-2", True))


def test_f2_case_3_a_number_change_that_lifts_a_recusal_is_refused() -> None:
    check_employee_number_change(0)
    with pytest.raises(RecusalWouldLift):
        check_employee_number_change(1)


def test_f1_an_enrolment_link_works_once_until_it_expires_for_an_owner_not_enrolled_yet() -> None:
    later = NOW + timedelta(hours=72)
    check_link_usable(used_at=None, expires_at=later, enrolled=False, now=NOW)
    for facts in (
        {"used_at": NOW, "expires_at": later, "enrolled": False},
        {"used_at": None, "expires_at": NOW, "enrolled": False},
        {"used_at": None, "expires_at": later, "enrolled": True},
    ):
        with pytest.raises(EnrolmentLinkInvalid):
            check_link_usable(now=NOW, **facts)  # type: ignore[arg-type]
    check_link_issuable(enrolled=False)
    with pytest.raises(AlreadyEnrolled):
        check_link_issuable(enrolled=True)


def test_f17_fifteen_characters_and_neither_known_nor_guessable() -> None:
    """F17 (ASVS V6.2): length first; then a score of 3 at least and not a known password as a whole."""
    check_password_length(15)
    with pytest.raises(PasswordTooShort):
        check_password_length(14)
    check_password_strength(PasswordStrength(score=3, known=False))
    for strength in (PasswordStrength(score=2, known=False), PasswordStrength(score=4, known=True)):
        with pytest.raises(PasswordTooCommon):
            check_password_strength(strength)
