"""AUD-1, ACC-2 (issue 18, point 5): what the division head sees of the recovery key and of its uses — never a
share, a secret or a key."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class RecoveryKeyRead(BaseModel):
    id: str
    threshold: int  # how many holders' shares give the key back
    holders: list[str]  # the officers who hold one share each
    created_on: date


class RecoveryUseRead(BaseModel):
    """One use of recovery, from the audit log: a key created or retired, or a case restored for an account."""

    model_config = ConfigDict(populate_by_name=True)

    on: date
    action: str  # recovery.key_created, recovery.key_retired, recovery.case_restored
    case_reference: str | None = None
    key_id: str | None = None  # for a key created or retired
    for_: str | None = Field(default=None, alias="for")  # the display name of the account a case was restored for


class RecoveryOverview(BaseModel):
    key: RecoveryKeyRead | None  # the active recovery key, or null before `withu recovery init`
    uses: list[RecoveryUseRead]  # newest first
