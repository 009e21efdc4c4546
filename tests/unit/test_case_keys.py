"""Issue 18 (ACC-1, ACC-2): the key hierarchy's primitives (app.db.case_keys) and the rule of who holds a wrap
(app.domain.key_wraps), without a database."""

from __future__ import annotations

import uuid

import pytest

from app.db import case_keys as keys
from app.db.case_keys import CaseKey, KeyUnavailable, PasswordKdf
from app.domain.access import CaseFacts, StaffFacts
from app.domain.enums import Role, Team
from app.domain.key_wraps import content_readers, staff_wrap_changes

KDF = PasswordKdf(time_cost=1, memory_kib=8, parallelism=1)


def test_acc_2_case_content_opens_only_with_its_own_case_key_and_context() -> None:
    case_id = uuid.uuid4()
    key = CaseKey.new(case_id)
    blob = key.encrypt(b"what happened", "report.narrative")
    assert b"what happened" not in blob
    assert keys.case_of(blob) == case_id
    assert key.decrypt(blob, "report.narrative") == b"what happened"
    with pytest.raises(KeyUnavailable):
        key.decrypt(blob, "case_message.body")  # moved to another column: refused
    with pytest.raises(KeyUnavailable):
        CaseKey(case_id, keys.new_session_secret()).decrypt(blob, "report.narrative")  # another key of the same case
    other = CaseKey.new(uuid.uuid4())
    with pytest.raises(KeyUnavailable):
        other.decrypt(blob, "report.narrative")


def test_acc_2_anyone_may_add_content_to_a_case_that_only_its_readers_open() -> None:
    """The worker or a reporter's request writes to a case whose key it does not hold: sealed to the case's
    public key (0x03), opened with the case key alone."""
    key = CaseKey.new(uuid.uuid4())
    blob = keys.encrypt_for_case(key.case_id, key.public, b"a reply", "case_message.body")
    assert blob[:1] == keys.BY_ANYONE and b"a reply" not in blob
    assert key.decrypt(blob, "case_message.body") == b"a reply"
    with pytest.raises(KeyUnavailable):
        CaseKey.new(key.case_id).decrypt(blob, "case_message.body")


def test_acc_1_a_wrap_opens_only_for_its_holder() -> None:
    key = CaseKey.new(uuid.uuid4())
    alice, bob = keys.new_staff_private_key(), keys.new_staff_private_key()
    holder = keys.staff_holder(uuid.uuid4())
    wrapped = keys.wrap_for(keys.public_of(alice), key, holder)
    assert key.secret not in wrapped
    assert keys.unwrap(alice, key.case_id, holder, wrapped).secret == key.secret
    with pytest.raises(KeyUnavailable):
        keys.unwrap(bob, key.case_id, holder, wrapped)
    with pytest.raises(KeyUnavailable):  # a wrap copied to another holder's row or another case does not open
        keys.unwrap(alice, key.case_id, keys.staff_holder(uuid.uuid4()), wrapped)
    with pytest.raises(KeyUnavailable):
        keys.unwrap(alice, uuid.uuid4(), holder, wrapped)


def test_acc_1_the_reporters_wrap_opens_with_their_receipt_code_only() -> None:
    key = CaseKey.new(uuid.uuid4())
    holder = keys.reporter_holder(uuid.uuid4())
    wrapped = keys.wrap_for_reporter(keys.reporter_key("ABCD2345EFGH6789JKMN"), key, holder)
    opened = keys.unwrap_for_reporter(keys.reporter_key("ABCD2345EFGH6789JKMN"), key.case_id, holder, wrapped)
    assert opened.secret == key.secret
    with pytest.raises(KeyUnavailable):
        keys.unwrap_for_reporter(keys.reporter_key("ABCD2345EFGH6789JKMP"), key.case_id, holder, wrapped)


def test_acc_1_a_staff_private_key_opens_with_the_password_key_or_the_session_secret_only() -> None:
    user_id = uuid.uuid4()
    private = keys.new_staff_private_key()
    salt = b"0123456789abcdef"
    sealed = keys.lock_private_key(private, keys.password_key("correct horse", salt, KDF), user_id)
    assert private.private_bytes_raw() not in sealed
    opened = keys.unlock_private_key(sealed, keys.password_key("correct horse", salt, KDF), user_id)
    assert opened.private_bytes_raw() == private.private_bytes_raw()
    with pytest.raises(KeyUnavailable):
        keys.unlock_private_key(sealed, keys.password_key("wrong horse", salt, KDF), user_id)
    with pytest.raises(KeyUnavailable):  # sealed for one account, refused for another
        keys.unlock_private_key(sealed, keys.password_key("correct horse", salt, KDF), uuid.uuid4())
    secret = keys.new_session_secret()
    in_session = keys.lock_private_key(private, secret, user_id)
    assert keys.unlock_private_key(in_session, secret, user_id).private_bytes_raw() == private.private_bytes_raw()
    with pytest.raises(KeyUnavailable):
        keys.unlock_private_key(in_session, keys.new_session_secret(), user_id)


def _staff(role: Role, team: Team | None, *, in_directory: bool = True) -> StaffFacts:
    return StaffFacts(uuid.uuid4(), role, team, "E1", in_directory)


def test_acc_1_wraps_follow_the_readers_exactly() -> None:
    """The staff holding a wrap are the case's content readers (ACC-1, F13), no one else."""
    lead = _staff(Role.team_lead, Team.intake_counselling)
    member = _staff(Role.intake, Team.intake_counselling)
    handler = _staff(Role.investigator, Team.intake_counselling)
    head = _staff(Role.division_head, None)
    outsider = _staff(Role.intake, Team.investigation)
    unverified = _staff(Role.intake, Team.intake_counselling, in_directory=False)
    blind = _staff(Role.sysadmin, None)
    recused = _staff(Role.intake, Team.intake_counselling)
    everyone = [lead, member, handler, head, outsider, unverified, blind, recused]
    triage = CaseFacts(Team.intake_counselling, handler_ids=(), recused_ids={recused.user_id})
    assigned = CaseFacts(Team.intake_counselling, handler_ids={handler.user_id}, recused_ids={recused.user_id})
    assert content_readers(everyone, triage) == {lead.user_id, member.user_id, handler.user_id, head.user_id}
    assert content_readers(everyone, assigned) == {lead.user_id, handler.user_id, head.user_id}
    changes = staff_wrap_changes(
        content_readers(everyone, assigned), content_readers(everyone, triage) | {outsider.user_id}
    )
    assert changes.drop == {member.user_id, outsider.user_id} and changes.add == frozenset()
