"""DATA-1: the rows a retention run reads and the content it destroys; the purges of what has no reason to stay.

Unscoped: only the worker's retention job (app/services/retention.py) and the division head's legal hold (which
loads the case through `load_visible_case` first) call this."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import delete, event, func, or_, select, update
from sqlalchemy.orm import Session

from app.db.models import (
    Case,
    CaseAmbassador,
    CaseKeyWrap,
    CaseMessage,
    CaseReadMarker,
    CaseTransition,
    DecisionProposal,
    DisclosureRequest,
    EnrolmentLink,
    EvidenceAccess,
    EvidenceFile,
    HeadMeasure,
    IdempotencyRecord,
    LegalHold,
    Obligation,
    OutboxMessage,
    PendingParty,
    ProtectedPerson,
    ProtectiveMeasure,
    RefreshToken,
    Report,
    RetaliationFlag,
    Sanction,
    SeparationOrder,
    SeparationViolation,
    StaffSession,
    VictimOpinion,
    VictimWish,
)
from app.db.repositories.base import Repository
from app.domain.enums import CaseStatus, OrderStatus, OutboxStatus
from app.domain.sanctions import SanctionStatus

log = logging.getLogger("withu.retention")
NOBODY = uuid.UUID(int=0)  # what an encrypted person id (NOT NULL) is overwritten with


def _destroyed_mac(row_id: uuid.UUID) -> str:
    """Stands in for a person's MAC: unique per row (the unique constraints hold), equal to no person's."""
    return f"destroyed-{row_id.hex}"


class RetentionRepository(Repository):
    async def closed_before(self, last_closing_day: date, limit: int) -> list[Case]:
        """Closed or withdrawn cases, closed on or before `last_closing_day`, whose content is still there."""
        rows = await self.session.scalars(
            select(Case)
            .where(
                Case.status.in_((CaseStatus.closed, CaseStatus.withdrawn)),
                Case.closed_on <= last_closing_day,
                Case.content_destroyed_on.is_(None),
            )
            .order_by(Case.closed_on, Case.id)
            .limit(limit)
        )
        return list(rows.all())

    async def active_orders(self, case_id: uuid.UUID) -> int:
        return await self._count(
            SeparationOrder, SeparationOrder.case_id == case_id, SeparationOrder.status == OrderStatus.active
        )

    async def pending_sanctions(self, case_id: uuid.UUID) -> int:
        return await self._count(Sanction, Sanction.case_id == case_id, Sanction.status == SanctionStatus.proposed)

    async def hold(self, case_id: uuid.UUID) -> LegalHold | None:
        """The legal hold set on the case, if any."""
        return await self.session.scalar(
            select(LegalHold).where(LegalHold.case_id == case_id, LegalHold.lifted_on.is_(None))
        )

    async def _count(self, model: type, *where: object) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    async def destroy_content(self, case_id: uuid.UUID) -> list[str]:
        """DATA-1: delete or overwrite every content-bearing value of the case (docs/operations.md "Retention" lists
        each column and why it goes or stays); returns the stored names of its evidence files, whose rows are gone.
        Kept: statuses, finding, category, team, organisation kind, days, deadlines, counts, the references, the
        receipt's locator and hash (so the reporter is told the case was destroyed), and the audit log."""
        s = self.session
        by_case = {"synchronize_session": False}
        evidence_ids = select(EvidenceFile.id).where(EvidenceFile.case_id == case_id)
        names = list((await s.scalars(select(EvidenceFile.stored_name).where(EvidenceFile.case_id == case_id))).all())
        await s.execute(
            delete(EvidenceAccess).where(EvidenceAccess.evidence_id.in_(evidence_ids)), execution_options=by_case
        )
        await s.execute(delete(EvidenceFile).where(EvidenceFile.case_id == case_id), execution_options=by_case)
        # Issue 18, crypto-shredding: without a wrap nobody — no reader, no recovery officer — opens the case's key,
        # so whatever copy of its content survives anywhere (a backup, a disk block) stays unreadable.
        await s.execute(delete(CaseKeyWrap).where(CaseKeyWrap.case_id == case_id), execution_options=by_case)
        for model in (
            CaseMessage,
            CaseReadMarker,
            DisclosureRequest,
            VictimWish,
            VictimOpinion,
            PendingParty,
            ProtectedPerson,
            CaseAmbassador,
        ):
            await s.execute(delete(model).where(model.case_id == case_id), execution_options=by_case)
        await s.execute(
            update(Report)
            .where(Report.case_id == case_id)
            .values(narrative="", identity=None, details={}, facts=None, respondent_key=None),
            execution_options=by_case,
        )
        await s.execute(
            update(CaseTransition).where(CaseTransition.case_id == case_id).values(reason=""), execution_options=by_case
        )
        await s.execute(
            update(DecisionProposal).where(DecisionProposal.case_id == case_id).values(reason="", decision_reason=None),
            execution_options=by_case,
        )
        await s.execute(
            update(ProtectiveMeasure).where(ProtectiveMeasure.case_id == case_id).values(note=None),
            execution_options=by_case,
        )
        await s.execute(
            update(Sanction)
            .where(Sanction.case_id == case_id)
            .values(respondent_employee_id=None, respondent_label=None, reason="", decision_reason=None),
            execution_options=by_case,
        )
        await s.execute(
            update(HeadMeasure).where(HeadMeasure.case_id == case_id).values(head_employee_id=None, evidence_note=None),
            execution_options=by_case,
        )
        await s.execute(
            update(Obligation).where(Obligation.case_id == case_id).values(measures=None, review_reason=None),
            execution_options=by_case,
        )
        await s.execute(
            update(LegalHold).where(LegalHold.case_id == case_id).values(reason="", lift_reason=None),
            execution_options=by_case,
        )
        await self._forget_people(case_id)
        return names

    async def _forget_people(self, case_id: uuid.UUID) -> None:
        """Orders (all ended or lifted by now) and watch flags keep their days and statuses for the statistics and
        the personnel system's order reference, but no longer say whom they concerned."""
        s = self.session
        for order in (await s.scalars(select(SeparationOrder).where(SeparationOrder.case_id == case_id))).all():
            order.victim_mac = order.respondent_mac = _destroyed_mac(order.id)
            order.victim_id = order.respondent_id = NOBODY
            order.connections = []
            order.close_reason = None
        order_ids = select(SeparationOrder.id).where(SeparationOrder.case_id == case_id)
        await s.execute(
            update(SeparationViolation)
            .where(SeparationViolation.order_id.in_(order_ids))
            .values(event_id=None, resolution=None),
            execution_options={"synchronize_session": False},
        )
        flags = select(RetaliationFlag).where(
            or_(RetaliationFlag.original_case_id == case_id, RetaliationFlag.review_case_id == case_id)
        )
        for flag in (await s.scalars(flags)).all():
            flag.event_mac = _destroyed_mac(flag.id)
            flag.event_id = NOBODY
        await s.flush()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once this transaction has committed (never if it rolls back)."""

        def run(_: Session) -> None:
            try:
                callback()
            except Exception as exc:  # the commit stands; the evidence sweep removes what is left
                log.warning("after-commit clean-up failed: %s", type(exc).__name__)

        event.listen(self.session.sync_session, "after_commit", run, once=True)

    # --- purges: what has no reason to stay ---

    async def purge_idempotency(self, now: datetime) -> int:
        result = await self.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.expires_at < now))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def purge_enrolment_links(self, now: datetime) -> int:
        """Used or expired enrolment links (the offered TOTP secret with them)."""
        result = await self.session.execute(
            delete(EnrolmentLink).where(or_(EnrolmentLink.used_at.is_not(None), EnrolmentLink.expires_at < now))
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def purge_ended_sessions(self, began_before: datetime, idle_since: datetime) -> int:
        """Staff sign-ins that ended (revoked, past the absolute limit, or idle too long) and their refresh tokens."""
        ended = select(StaffSession.id).where(
            or_(
                StaffSession.revoked_at.is_not(None),
                StaffSession.created_at < began_before,
                StaffSession.last_used_at < idle_since,
            )
        )
        ids = list((await self.session.scalars(ended)).all())
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            await self.session.execute(delete(RefreshToken).where(RefreshToken.session_id.in_(chunk)))
            await self.session.execute(delete(StaffSession).where(StaffSession.id.in_(chunk)))
        return len(ids)

    async def drop_delivered_payloads(self, delivered_before: datetime) -> int:
        """Webhook payloads delivered before `delivered_before` (the row stays for the delivery log)."""
        result = await self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.status == OutboxStatus.delivered,
                OutboxMessage.delivered_at < delivered_before,
                OutboxMessage.payload.is_not(None),
            )
            .values(payload=None)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
