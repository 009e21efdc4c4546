"""Every model, one module per noun; importing the package registers them all (`from app.db.models import Case`)."""

from app.db.models.account import AccountChange, EnrolmentLink
from app.db.models.ambassador import Ambassador, CaseAmbassador, MemorialPlace
from app.db.models.audit import AuditEntry
from app.db.models.base import NAMING, Base, UTCDateTime, enum
from app.db.models.case import (
    Case,
    CaseAssignment,
    CaseDeadline,
    CaseMessage,
    CaseReadMarker,
    CaseTransition,
    Report,
)
from app.db.models.case_keys import CaseKeyRequest, CaseKeyWrap, RecoveryKey
from app.db.models.contract import Contract, Obligation, SupportRequest
from app.db.models.decision_proposal import DecisionProposal
from app.db.models.education import EducationAttendance, EducationSession
from app.db.models.escrow import EscrowMatch, TeamAlert
from app.db.models.evidence import EvidenceAccess, EvidenceFile
from app.db.models.idempotency import IdempotencyRecord
from app.db.models.key_check import KeyCheck
from app.db.models.notification import Notification
from app.db.models.outbox import DeliveryAttempt, OutboxMessage, WebhookSubscription
from app.db.models.personnel import Assignment, AssignmentMember, Employee, Organisation, OrgUnit, PersonnelEvent
from app.db.models.protection import CaseLink, DisclosureRequest, ProtectiveMeasure
from app.db.models.retention import LegalHold
from app.db.models.sanction import HeadMeasure, RespondentIneligibility, Sanction, VictimOpinion
from app.db.models.scim import ScimRecord
from app.db.models.separation import (
    PendingParty,
    ProtectedPerson,
    RetaliationFlag,
    SeparationOrder,
    SeparationViolation,
    VictimWish,
)
from app.db.models.staff import (
    MachineClient,
    RefreshToken,
    RevokedMachineToken,
    SignInDelay,
    StaffSession,
    StaffUser,
    TeamRow,
)

__all__ = [
    "AccountChange",
    "Ambassador",
    "Assignment",
    "AssignmentMember",
    "AuditEntry",
    "Base",
    "Case",
    "CaseAmbassador",
    "CaseAssignment",
    "CaseDeadline",
    "CaseKeyRequest",
    "CaseKeyWrap",
    "CaseLink",
    "CaseMessage",
    "CaseReadMarker",
    "CaseTransition",
    "Contract",
    "DecisionProposal",
    "DeliveryAttempt",
    "DisclosureRequest",
    "EducationAttendance",
    "EducationSession",
    "Employee",
    "EnrolmentLink",
    "EscrowMatch",
    "EvidenceAccess",
    "EvidenceFile",
    "HeadMeasure",
    "IdempotencyRecord",
    "KeyCheck",
    "LegalHold",
    "MachineClient",
    "MemorialPlace",
    "NAMING",
    "Notification",
    "Obligation",
    "OrgUnit",
    "Organisation",
    "OutboxMessage",
    "PendingParty",
    "PersonnelEvent",
    "ProtectedPerson",
    "ProtectiveMeasure",
    "RecoveryKey",
    "RefreshToken",
    "Report",
    "RespondentIneligibility",
    "RetaliationFlag",
    "RevokedMachineToken",
    "Sanction",
    "ScimRecord",
    "SeparationOrder",
    "SeparationViolation",
    "SignInDelay",
    "StaffSession",
    "StaffUser",
    "SupportRequest",
    "TeamAlert",
    "TeamRow",
    "UTCDateTime",
    "VictimOpinion",
    "VictimWish",
    "WebhookSubscription",
    "enum",
]
